"""Numbers in prose come from the data: placeholders rendered from the current
figures on every page, checked in the admin, never a 500 or a blank."""

import pytest
from django.urls import reverse

from market import placeholders
from market.models import MarketFigure, Report
from tests.admin_forms import admin_post_data
from tests.factories import EditorFactory, MarketFigureFactory, ReportFactory, publish

pytestmark = pytest.mark.django_db


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def test_changing_a_figure_changes_every_number_in_the_prose(client, editor, report):
    page = client.get(report.get_absolute_url()).content.decode()
    assert "USD 14.40 billion in 2030" in page and "about 17.36 % a year" in page

    figure = MarketFigure.objects.get(report=report, segment=None, year=2030)
    form = admin_post_data(editor.get(change_url(figure)))
    form["value"] = "15.00"
    assert editor.post(change_url(figure), form).status_code == 302
    preview = editor.get(reverse("market:preview", args=[report.slug])).content.decode()
    assert "USD 15.00 billion in 2030" in preview and "about 17.97 % a year" in preview
    assert "USD 14.40 billion in 2030" in client.get(report.get_absolute_url()).content.decode()

    publish(report)
    page = client.get(report.get_absolute_url()).content.decode()
    home = client.get("/").content.decode()
    assert "USD 15.00 billion in 2030" in page and "USD 15.00 billion in 2030" in home
    assert "14.40" not in page and "14.40" not in home
    assert "about 17.97 % a year" in page  # (15 / 4) ** (1 / 8) - 1 = 17.965 %
    assert "{{" not in page and "{{" not in home


def test_an_unknown_placeholder_is_refused_with_the_known_names(editor, report):
    form = admin_post_data(editor.get(change_url(report)))
    form["summary"] = "The market was {{ sise 2030 }} in 2030."
    response = editor.post(change_url(report), form)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Unknown placeholder “{{ sise 2030 }}”; known: size, value" in html
    report.refresh_from_db()
    assert "sise" not in report.summary


def test_a_placeholder_without_a_figure_blocks_publishing_and_never_blanks_the_page(
    client, editor, report
):
    form = admin_post_data(editor.get(change_url(report)))
    form["summary"] = "By 2031 the market reaches {{ size 2031 }}."
    response = editor.post(change_url(report), form)
    html = response.content.decode()
    assert "A published or scheduled report cannot have contradicting numbers" in html
    assert "“{{ size 2031 }}” cannot be filled: no whole-market figure for 2031" in html

    # A draft may hold it; the check says so, and the preview shows it as typed.
    Report.objects.filter(pk=report.pk).update(status="draft", summary=form["summary"])
    report.refresh_from_db()
    checks = {c.code: c for c in report.checks()}
    assert checks["placeholder"].level == "error"
    preview = editor.get(report.get_preview_url())
    assert preview.status_code == 200
    assert "reaches {{ size 2031 }}." in preview.content.decode()


def test_a_typed_number_is_a_warning(report):
    report.methodology = "The market grows 17.36 % a year; a price of USD 3.5 million."
    messages = [c.message for c in report.checks() if c.code == "typed-number"]
    assert messages == [
        "Methodology: “17.36 %” is typed; it matches a figure, so write it as a placeholder "
        "to keep it in step."
    ]


def test_segment_values_and_computed_years_say_what_they_are():
    report = ReportFactory(base_year=2022, forecast_start_year=2022, forecast_end_year=2024)
    MarketFigureFactory(report=report, year=2022, value="4.00")
    MarketFigureFactory(report=report, year=2024, value="9.00")
    facts = placeholders.Facts(report, report.forecast())
    text = "{{ size 2023 }}, {{ value 2024 }}, {{ cagr 2022 2024 }}, {{ forecast_period }}"
    assert placeholders.render(text, facts) == (
        "USD 6.00 billion (computed), 9.00, 50.00 %, 2022–2024"
    )
    assert placeholders.render("{{ size 2023 nope }}", facts) == "{{ size 2023 nope }}"


def test_the_api_shows_the_filled_numbers_and_warns_on_writes(report):
    from rest_framework.test import APIClient

    api = APIClient()
    detail = f"/api/v1/reports/{report.slug}/"
    data = api.get(detail).json()
    assert "USD 14.40 billion in 2030" in data["summary"] and "{{" not in data["methodology"]

    api.force_authenticate(EditorFactory())
    figure = MarketFigure.objects.get(report=report, segment=None, year=2030)
    url = f"/api/v1/figures/{figure.pk}/"
    response = api.patch(url, {"value": "40.00"}, format="json", HTTP_IF_MATCH=api.get(url)["ETag"])
    assert response.status_code == 200
    assert any("more than the 0.25 points" in w for w in response.json()["warnings"])
    assert "USD 40.00 billion in 2030" in api.get(detail).json()["summary"]


def test_prose_outside_a_report_refuses_placeholders(editor):
    from tests.factories import CompanyFactory

    company = CompanyFactory()
    page = editor.get(change_url(company))
    assert "{{ size 2030 }}" not in page.content.decode()  # the help text offers none here
    form = admin_post_data(page)
    form["profile"] = "Sells into a market of {{ size 2030 }}."
    html = editor.post(change_url(company), form).content.decode()
    assert "cannot be filled here: this text belongs to no report" in html
