"""The checks panel and insert menu beside each prose field (market/prose_checks.py,
ReportAdmin.prose_view): what an editor is told about a text before saving it."""

import pytest

from market.models import Report
from tests.admin_forms import admin_url

pytestmark = pytest.mark.django_db


def prose_url(report):
    return admin_url(Report, "prose", report.pk)


def check(editor, report, text, where="Summary"):
    response = editor.post(prose_url(report), {"text": text, "where": where})
    assert response.status_code == 200
    return response.json()


def messages(answer, level):
    return [i["message"] for i in answer["items"] if i["level"] == level]


def test_the_insert_menu_offers_what_each_placeholder_gives_now(editor, report):
    offered = {p["code"]: p["value"] for p in editor.get(prose_url(report)).json()["placeholders"]}
    assert offered["{{ end_year }}"] == str(report.forecast_end_year)
    assert offered["{{ implied_cagr }}"] == "17.36 %"
    assert offered["{{ approved kresladi }}"] == "2026"
    assert all(not value.startswith("{{") for value in offered.values())


@pytest.mark.parametrize(
    ("text", "level", "said"),
    [
        ("Worth USD {{ size 2031 }}.", "error", "cannot be filled"),
        ("It grows to 2030.", "warning", "“2030” is what {{ end_year }} gives now"),
        ("See [here](https://example.com/report).", "warning", "the link “here” does not say"),
        ("See <https://example.com/report>.", "warning", "does not say where it goes"),
        ("# A title\n\nText.", "warning", "headings start at ###"),
        ("### One\n\n##### Three", "warning", "a level-5 heading follows a level-3 one"),
        ("Gene therapy works.", "info", "reading ease"),
    ],
)
def test_each_problem_of_a_text_is_named_with_what_to_do(editor, report, text, level, said):
    answer = check(editor, report, text)
    assert any(said in m for m in messages(answer, level)), answer["items"]


def test_a_clear_text_has_no_warnings_and_its_preview_fills_the_placeholders(editor, report):
    answer = check(editor, report, "The market grows {{ implied_cagr }} a year.")
    assert messages(answer, "warning") == [] and messages(answer, "error") == []
    assert answer["preview"] == "<p>The market grows 17.36 % a year.</p>"


def test_hard_text_is_flagged_by_its_readability_score(editor, report):
    hard = (
        "Notwithstanding considerable methodological heterogeneity, contemporaneous "
        "pharmacoeconomic evaluations characterising transformational individualised "
        "genomic interventions demonstrate substantially indeterminate reimbursement "
        "implications."
    )
    assert any(
        "hard for most readers" in m for m in messages(check(editor, report, hard), "warning")
    )


def test_every_prose_field_gets_the_panel_on_its_report_s_pages(editor, report):
    for obj in [report, report.segments.first(), report.sections.first()]:
        html = editor.get(admin_url(obj, "change", obj.pk)).content.decode()
        assert f'data-url="{prose_url(report)}"' in html
        assert "data-prose" in html and "js/prose_tools." in html


def test_the_panel_answers_only_editors_of_the_report(client, report):
    assert client.get(prose_url(report)).status_code == 302  # to the login page
