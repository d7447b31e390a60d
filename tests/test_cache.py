"""Pages served from the cache until the content they show changes: a hit costs
no query, a conditional GET answers 304 without work, and an edit by any path
shows on the very next request, while unrelated cached pages stay cached."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from companies.models import Company, ReportCompany
from faq.models import Question
from market.models import MarketFigure, Region, ReportSection, Segment
from tests.admin_forms import admin_post_data
from tests.factories import CompanyFactory, ReportCompanyFactory, ReportFactory, publish

pytestmark = pytest.mark.django_db
REPORT = "/reports/us-gene-therapy-medicinal-products-market/"
SEGMENT = f"{REPORT}segments/cancer/"


@pytest.fixture
def public():
    """A reader's browser: no session, no token."""
    return Client()


def body(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def test_a_cached_page_costs_no_query_and_answers_304_without_work(
    public, report, django_assert_num_queries
):
    first = public.get(REPORT)
    assert "s-maxage" in first["Cache-Control"]
    assert f"market.report:{report.pk}" in first["xkey"].split()
    with django_assert_num_queries(0):
        again = public.get(REPORT)
        assert again.content == first.content
        unchanged = public.get(REPORT, HTTP_IF_NONE_MATCH=first["ETag"])
    assert unchanged.status_code == 304


def edit(model, field, value, **filters):
    row = model.objects.filter(**filters).first()
    setattr(row, field, value)
    row.save()


@pytest.mark.parametrize(
    ("path", "change", "shown"),
    [
        (REPORT, lambda r: edit(Segment, "overview", "Edited segment overview.", report=r),
         "Edited segment overview."),
        (REPORT, lambda r: edit(ReportSection, "body", "Edited section body.", report=r),
         "Edited section body."),
        (REPORT, lambda r: edit(Question, "answer", "Edited answer.", report=r),
         "Edited answer."),
        (REPORT, lambda r: edit(Company, "name", "Renamed Company Inc.",
                                listings__report=r), "Renamed Company Inc."),
        (REPORT, lambda r: edit(Region, "name", "Renamed Region", reports=r), "Renamed Region"),
        (REPORT, lambda r: edit(MarketFigure, "value", "14.750", report=r, year=2030,
                                segment=None), "14.75"),
        (SEGMENT, lambda r: edit(Segment, "outlook", "Edited outlook.", report=r, slug="cancer"),
         "Edited outlook."),
        ("/companies/", lambda r: CompanyFactory(name="Newly Listed Bio").listings.create(
            report=r, position=99), "Newly Listed Bio"),
        ("/faq/", lambda r: edit(Question, "question", "An edited question?", report=r),
         "An edited question?"),
        ("/", lambda r: edit(type(r), "title", "Retitled market report", pk=r.pk),
         "Retitled market report"),
        (f"{REPORT}data.csv", lambda r: edit(MarketFigure, "source", "Edited Publisher",
                                             report=r, year=2030, segment=None),
         "Edited Publisher"),
    ],
)  # fmt: skip
def test_an_edit_shows_on_the_very_next_request_once_public(public, report, path, change, shown):
    """Live pages show it at once; the report's own pages once it is published."""
    assert shown not in body(public, path)
    change(report)
    if path.startswith(REPORT) or path == "/":
        assert shown not in body(public, path), "the working copy showed before publishing"
        publish(report)
    assert shown in body(public, path)


def test_deleting_a_row_shows_at_once(public, report):
    body(public, REPORT)
    # A company with no approved product, so the page names it only in the list.
    listing = ReportCompany.objects.filter(report=report, company__slug="sangamo").get()
    name = listing.company.name
    listing.delete()
    publish(report)
    assert name not in body(public, REPORT)


def test_an_admin_save_shows_on_the_next_request_and_leaves_other_pages_cached(
    public, editor, report, django_assert_num_queries
):
    first, second = (listing.company for listing in report.top_companies.all()[:2])
    for path in (REPORT, first.get_absolute_url(), second.get_absolute_url()):
        body(public, path)

    url = f"/admin/companies/company/{first.pk}/change/"
    form = admin_post_data(editor.get(url))
    assert editor.post(url, {**form, "headquarters": "Edited City, MA"}).status_code == 302

    assert "Edited City, MA" in body(public, first.get_absolute_url())
    with django_assert_num_queries(0):  # shows nothing of the first company
        body(public, second.get_absolute_url())


def test_after_the_shared_cache_is_flushed_a_process_never_serves_its_old_copy(public, report):
    # Each process keeps the pages it served in memory, valid while the shared
    # cache's overall version is unchanged; a flush must not let an old copy
    # match a version written again after it.
    body(public, REPORT)
    cache.clear()
    edit(Segment, "overview", "Written after the flush.", report=report)
    publish(report)
    assert "Written after the flush." in body(public, REPORT)
    edit(Segment, "overview", "Written again.", report=report)
    publish(report)
    assert "Written again." in body(public, REPORT)


def test_a_scheduled_report_appears_on_time_on_a_cached_page(public, report):
    soon = timezone.now() + timedelta(hours=1)
    publish(ReportFactory(title="Scheduled market report", slug="scheduled", published_at=soon))
    assert "Scheduled market report" not in body(public, "/")
    with time_machine.travel(soon + timedelta(seconds=1)):
        assert "Scheduled market report" in body(public, "/")


def test_editors_are_never_served_from_the_cache(editor, report, django_assert_max_num_queries):
    body(editor, REPORT)
    with django_assert_max_num_queries(20) as queries:
        body(editor, REPORT)
    assert len(queries.captured_queries) > 0


def test_a_new_listing_of_a_company_purges_the_company_page(public, report):
    company = CompanyFactory(name="Lonely Bio")
    company.segments.add(report.segments.first())
    assert "number 7 of its top companies" not in body(public, company.get_absolute_url())
    ReportCompanyFactory(report=report, company=company, position=7)
    assert "number 7 of its top companies" in body(public, company.get_absolute_url())


# The API ------------------------------------------------------------------------------------

API_READS = [
    "/api/v1/reports/",
    "/api/v1/reports/us-gene-therapy-medicinal-products-market/",
    "/api/v1/reports/us-gene-therapy-medicinal-products-market/forecast/",
    "/api/v1/figures/?year=2030",
    "/api/v1/companies/",
    "/api/v1/faqs/",
]


@pytest.mark.parametrize("path", API_READS)
def test_a_cached_api_read_costs_no_query(api, report, path, django_assert_num_queries):
    first = api.get(path)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        assert api.get(path).content == first.content
        assert api.get(path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_an_api_write_shows_on_the_next_anonymous_read(api, editor_api, report):
    figure = MarketFigure.objects.get(report=report, year=2030, segment=None)
    url = f"/api/v1/figures/{figure.pk}/"
    assert api.get(url).json()["value"] == "14.400"  # cached for readers
    assert api.get("/api/v1/reports/us-gene-therapy-medicinal-products-market/forecast/")
    etag = editor_api.get(url)["ETag"]
    response = editor_api.patch(url, {"value": "15.000"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    assert editor_api.get(url).json()["value"] == "15.000"  # the working copy's figure

    def forecast_2030():
        forecast = api.get("/api/v1/reports/us-gene-therapy-medicinal-products-market/forecast/")
        total = next(s for s in forecast.json()["series"] if s["segment"] is None)["points"]
        return next(p for p in total if p["year"] == 2030)["value"]

    # Readers read the edition, until the next one.
    assert (forecast_2030(), api.get(url).json()["value"]) == ("14.400", "14.400")
    publish(report)
    assert (forecast_2030(), api.get(url).json()["value"]) == ("15.000", "15.000")


def test_editors_read_the_api_fresh_and_see_drafts(api, editor_api, report):
    ReportFactory(draft=True, slug="a-draft")
    assert "a-draft" not in api.get("/api/v1/reports/").content.decode()
    assert "a-draft" in editor_api.get("/api/v1/reports/").content.decode()
