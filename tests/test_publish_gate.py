"""The publish gate: a report whose numbers contradict each other cannot be
public, whichever way the contradiction arrives (admin page, figure form, API)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from market.models import MarketFigure, Report
from tests.admin_forms import admin_post_data
from tests.factories import EditorFactory, MarketFigureFactory, ReportFactory, SegmentFactory

pytestmark = pytest.mark.django_db
GATE = "A published or scheduled report cannot have contradicting numbers"


def report_with_total(status):
    report = ReportFactory(status=status, base_year=2022, forecast_start_year=2024)
    MarketFigureFactory(report=report, year=2022, value="4.00")
    segment = SegmentFactory(report=report, name="Monogenic", slug="monogenic")
    return report, segment


def add_figure_url():
    return reverse("admin:market_marketfigure_add")


def new_figure_form(editor, report, segment, value):
    form = admin_post_data(editor.get(add_figure_url()))
    form.update(report=report.pk, segment=segment.pk, year="2022", value=value, kind="estimate")
    form.update(source="Test publisher")
    return form


def test_a_segment_larger_than_the_market_is_refused_in_a_published_report(editor):
    report, segment = report_with_total(Report.Status.PUBLISHED)
    response = editor.post(add_figure_url(), new_figure_form(editor, report, segment, "9.99"))
    html = response.content.decode()
    assert response.status_code == 200
    assert GATE in html and "add up to 9.99" in html
    assert not MarketFigure.objects.filter(segment=segment).exists()


def test_a_draft_may_hold_the_contradiction_and_the_editor_is_told(editor):
    report, segment = report_with_total(Report.Status.DRAFT)
    form = new_figure_form(editor, report, segment, "9.99")
    response = editor.post(add_figure_url(), form, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any("add up to 9.990, more than the whole market's 4.00" in m for m in messages), (
        messages
    )

    # Publishing it from the report page is refused, with the list of errors.
    url = reverse("admin:market_report_change", args=[report.pk])
    page = admin_post_data(editor.get(url))
    page["status"] = "published"
    response = editor.post(url, page)
    assert GATE in response.content.decode()
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT

    # Fixing the figure in the same save lets it through.
    row = next(k for k, v in page.items() if k.startswith("figures-") and v == "9.990")
    page[row] = "1.50"
    assert editor.post(url, page).status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.PUBLISHED


def test_the_api_refuses_the_same_contradiction():
    report, segment = report_with_total(Report.Status.PUBLISHED)
    api = APIClient()
    api.force_authenticate(EditorFactory())
    body = {"report": report.slug, "segment": "monogenic", "year": 2022, "value": "9.99",
            "kind": "estimate", "source": "Test publisher"}  # fmt: skip
    response = api.post("/api/v1/figures/", body, format="json")
    assert response.status_code == 400
    assert GATE in str(response.json())

    draft, segment = report_with_total(Report.Status.DRAFT)
    MarketFigureFactory(report=draft, segment=segment, year=2022, value="9.99")
    detail = f"/api/v1/reports/{draft.slug}/"
    etag = api.get(detail)["ETag"]
    response = api.patch(detail, {"status": "published"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 400
    assert GATE in str(response.json())


def test_deleting_a_figure_the_published_prose_needs_is_refused(editor, report):
    from rest_framework.test import APIClient

    from tests.admin_forms import rendered_form

    figure = MarketFigure.objects.get(year=2030, segment=None)
    delete_url = reverse("admin:market_marketfigure_delete", args=[figure.pk])
    response = editor.post(delete_url, rendered_form(editor.get(delete_url)), follow=True)
    assert "Not deleted" in response.content.decode()
    assert "“{{ size 2030 }}” cannot be filled" in response.content.decode()
    assert MarketFigure.objects.filter(pk=figure.pk).exists()

    api = APIClient()
    api.force_authenticate(EditorFactory())
    url = f"/api/v1/figures/{figure.pk}/"
    response = api.delete(url, HTTP_IF_MATCH=api.get(url)["ETag"])
    assert response.status_code == 400 and "cannot be filled" in str(response.json())
    assert MarketFigure.objects.filter(pk=figure.pk).exists()


def test_deleting_a_segment_on_the_report_page_that_the_prose_needs_is_refused(editor):
    report, segment = report_with_total(Report.Status.PUBLISHED)
    MarketFigureFactory(report=report, segment=segment, year=2022, value="1.00")
    Report.objects.filter(pk=report.pk).update(summary="Monogenic: {{ size 2022 monogenic }}.")
    url = reverse("admin:market_report_change", args=[report.pk])
    page = admin_post_data(editor.get(url))
    page["segments-0-DELETE"] = "on"
    html = editor.post(url, page).content.decode()
    assert GATE in html and "“{{ size 2022 monogenic }}” cannot be filled" in html
    assert report.segments.filter(pk=segment.pk).exists()
