"""The editor's desk scales: every admin page an editor uses on a report, the loaded
one and one ten times its size, stays small (inputs, HTML) and asks the database
a fixed number of queries, and a save of one figure builds the forecast once.

The pages' times are measured by `make bench` (bench/admin.py), not here."""

import re
from decimal import Decimal

import pytest
from django.contrib import admin

from market import forecast
from market.models import MarketFigure, Region, Report
from tests.admin_forms import admin_post_data, admin_url
from tests.factories import CompanyFactory, grow_tenfold

pytestmark = pytest.mark.django_db

MAX_INPUTS = 200
MAX_HTML = 150_000
# The desk: the report and its region, the parts' counts, the latest edition and a
# pending submission, the working copy's document to compare with it, the checks
# (figures, prose), the facts not checked lately, sessions and the editor's rights.
DESK_QUERIES = 45
# A list or one row's page: the rows shown, their filters' choices, the editor.
PAGE_QUERIES = 20
# A save of a published report's figure: 25 statements that read or write, and 10
# savepoints (the test's transaction makes the publish gate's one of them; the
# admin's own; one per constraint the form validates). The form's check and the
# publish gate each read the report's prose once; the editor's messages reuse the
# gate's checks. The forecast is built once. [editor-desk] asks for 30.
SAVE_QUERIES = 35
INPUT = re.compile(r"<(input|select|textarea)\b")


def editor_pages(report):
    """The desk, each part's list, and the page of one row of each part."""
    model_admin = admin.site.get_model_admin(Report)
    yield admin_url(Report, "change", report.pk), DESK_QUERIES
    for model in model_admin.parts:
        yield admin_url(model, "changelist") + f"?report={report.pk}", PAGE_QUERIES
        row = model._default_manager.filter(report=report).last()
        yield admin_url(model, "change", row.pk), PAGE_QUERIES


@pytest.mark.parametrize("size", ["loaded", "ten times"])
def test_every_page_an_editor_uses_stays_small_and_its_queries_fixed(
    editor, report, size, django_assert_max_num_queries
):
    if size == "ten times":
        grow_tenfold(report)
    for url, queries in editor_pages(report):
        with django_assert_max_num_queries(queries, info=url):
            response = editor.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert len(INPUT.findall(html)) < MAX_INPUTS, url
        assert len(response.content) < MAX_HTML, (url, len(response.content))


def test_saving_a_figure_builds_the_forecast_once_in_few_queries(
    editor, report, django_assert_max_num_queries
):
    grow_tenfold(report)
    figure = report.figures.get(year=2030, segment=None)
    url = admin_url(MarketFigure, "change", figure.pk)
    data = {**admin_post_data(editor.get(url)), "value": "14.50"}
    forecast._build_forecast.cache_clear()
    with django_assert_max_num_queries(SAVE_QUERIES):
        response = editor.post(url, data)
    assert response.status_code == 302
    assert MarketFigure.objects.get(pk=figure.pk).value == Decimal("14.50")
    assert forecast._build_forecast.cache_info().misses == 1  # built once, then reused


def test_admin_pages_are_sent_compressed(editor, report):
    response = editor.get(admin_url(Report, "change", report.pk), HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"


def test_every_change_form_of_public_content_says_whether_it_is_public_and_why_not(editor, report):
    from gtmp_site.core.admin_base import ContentAdmin

    said = 0
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, ContentAdmin) or model is Region:
            continue
        obj = model._default_manager.first()
        html = editor.get(admin_url(model, "change", obj.pk)).content.decode()
        assert 'class="visibility visibility-public"' in html, model
        said += 1
    assert said >= 10
    # A new company no report names, and a draft report, say why and what to do.
    company = CompanyFactory()
    html = editor.get(admin_url(company, "change", company.pk)).content.decode()
    assert "Not public. No public report names it" in html
    Report.objects.filter(pk=report.pk).update(status=Report.Status.DRAFT)
    html = editor.get(admin_url(Report, "change", report.pk)).content.decode()
    assert "Not public. It is a draft" in html
    figure = report.figures.first()
    html = editor.get(admin_url(figure, "change", figure.pk)).content.decode()
    assert f"Not public. Its report “{report}” is not public yet" in html


def test_reverting_a_company_restores_its_segments_or_says_there_is_nothing_to_restore(
    editor, report
):
    from companies.models import Company

    company = Company.objects.get(slug="bluebird-bio")
    loaded = company.history.latest("history_date")  # as loaded, with its segments
    before = set(company.segments.values_list("pk", flat=True))
    url = admin_url(Company, "change", company.pk)
    form = admin_post_data(editor.get(url))
    form["segments"] = [str(s.pk) for s in report.segments.all()]  # every segment
    assert editor.post(url, form).status_code == 302
    assert set(company.segments.values_list("pk", flat=True)) != before

    revert = admin_url(Company, "simple_history", company.pk, loaded.history_id)
    page = editor.get(revert)
    assert "its history events stay as they are now" in page.content.decode()
    response = editor.post(revert, admin_post_data(page), follow=True)
    assert set(company.segments.values_list("pk", flat=True)) == before
    assert response.status_code == 200

    # Restoring the version it now has would change nothing: refused, saying so.
    current = company.history.latest("history_date")
    same = admin_url(Company, "simple_history", company.pk, current.history_id)
    response = editor.post(same, admin_post_data(editor.get(same)))
    assert "Nothing to restore" in response.content.decode()


def test_history_names_its_authors_and_lists_no_empty_rows(editor, report):
    from companies.models import Company

    company = Company.objects.get(slug="bluebird-bio")
    url = admin_url(Company, "change", company.pk)
    editor.post(url, admin_post_data(editor.get(url)))  # saved unchanged: no new row
    html = editor.get(admin_url(Company, "history", company.pk)).content.decode()
    assert "None" not in re.sub(r"<[^>]+>", " ", html.split('id="change-history"')[1])
    assert "Loaded from the starting content" in html
    rows = html.split('id="change-history"')[1].split("</table>")[0].split("<tr>")[2:]
    assert rows and all("<li>" in row for row in rows if "<td>Changed" in row)


def test_each_row_says_where_it_shows_before_it_is_changed(editor, report):
    from companies.models import Company
    from faq.models import Question
    from therapies.models import Therapy

    figure = report.figures.get(year=2030, segment=None)
    kresladi = Therapy.objects.get(slug="kresladi")
    rows = [figure, report.segments.first(), kresladi,
            Company.objects.get(slug="bluebird-bio"), Question.objects.first()]  # fmt: skip
    for row in rows:
        html = editor.get(admin_url(row, "change", row.pk)).content.decode()
        assert "Shown on:" in html, row
        assert 'href="/api/v1/' in html, row
    html = editor.get(admin_url(figure, "change", figure.pk)).content.decode()
    assert "<code>{{ size 2030 }}</code>" in html and "Summary: " in html
    assert f'href="{report.get_absolute_url()}data.csv"' in html


def test_the_desk_lists_the_first_checks_errors_first_and_counts_the_rest(editor, report):
    from market.models import MarketFigure

    # Segment figures over the whole market in many years: an error each.
    segment = report.segments.first()
    MarketFigure.objects.filter(report=report).update(value=Decimal("0.001"))
    Report.objects.filter(pk=report.pk).update(status=Report.Status.DRAFT)
    MarketFigure.objects.bulk_create(
        MarketFigure(report=report, segment=segment, year=year, value=Decimal("9"),
                     kind="estimate", source="Test") for year in range(1991, 2061)
    )  # fmt: skip
    html = editor.get(admin_url(Report, "change", report.pk)).content.decode()
    levels = re.findall(r'<li class="check-(\w+)">', html)
    assert len(levels) == admin.site.get_model_admin(Report).CHECKS_SHOWN
    assert levels == sorted(levels, key=["error", "warning", "info"].index)
    assert "more (" in html and "errors). The checks panel" in html


def test_each_check_on_the_desk_links_to_the_field_it_is_about(editor, report):
    from faq.models import Question
    from market.models import ReportSection

    Report.objects.filter(pk=report.pk).update(status=Report.Status.DRAFT)
    section, question = (
        ReportSection.objects.filter(report=report).first(),
        Question.objects.first(),
    )
    ReportSection.objects.filter(pk=section.pk).update(body="Worth {{ size 2099 }} by then.")
    Question.objects.filter(pk=question.pk).update(answer="About USD 4.5 billion in 2024.")
    # A figure outside the report's period: a check of the figures.
    MarketFigure.objects.bulk_create(
        [MarketFigure(report=report, year=1995, value=1, kind="actual", source="Test")]
    )
    html = editor.get(admin_url(Report, "change", report.pk)).content.decode()
    item = r'<li class="check-\w+"><strong>\w+:</strong> .*? <a href="([^"]+)">Edit '
    links = re.findall(item, html)
    assert len(links) == len(re.findall(r'<li class="check-\w+">', html)) > 0
    assert f"{admin_url(section, 'change', section.pk)}#id_body" in links
    assert f"{admin_url(question, 'change', question.pk)}#id_answer" in links
    assert f"{admin_url(MarketFigure, 'changelist')}?report={report.pk}" in links
    for link in set(links):
        page, _, field = link.partition("#")
        target = editor.get(page or admin_url(Report, "change", report.pk))
        assert target.status_code == 200, link
        assert not field or f'id="{field}"' in target.content.decode(), link
