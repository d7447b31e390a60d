"""API v1: reads for everyone, writes for editors, same rules and numbers as the site."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from companies.models import Company
from market.forecast import forecast_as_dict
from market.models import MarketFigure, Report
from tests.factories import (
    CompanyFactory,
    EditorFactory,
    MarketFigureFactory,
    QuestionFactory,
    ReportCompanyFactory,
    ReportFactory,
    SegmentFactory,
    TherapyFactory,
    UserFactory,
    publish,
)

pytestmark = pytest.mark.django_db

SLUG = "us-gene-therapy-medicinal-products-market"
API = "/api/v1"


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


# Reads ----------------------------------------------------------------------------


def test_report_list_and_detail_nest_segments_figures_and_companies(api, report):
    (item,) = results(api.get(f"{API}/reports/"))
    assert item["slug"] == SLUG
    detail = api.get(item["url"]).json()
    assert detail == item
    assert [s["name"] for s in detail["segments"]][:2] == ["Cancer", "Monogenic"]
    assert detail["headline_figures"] == [
        {"year": 2022, "value": "4.000", "kind": "estimate", "source": "Verified Market Reports"},
        {"year": 2030, "value": "14.400", "kind": "forecast", "source": "Verified Market Reports"},
    ]
    assert (detail["stated_cagr"], detail["implied_cagr"]) == ("17.50", "17.36")
    assert [c["name"] for c in detail["top_companies"]][:3] == [
        "Bluebird Bio",
        "Sangamo",
        "Spark Therapeutics",
    ]
    assert detail["page_url"] == f"http://testserver/reports/{SLUG}/"


def test_report_shows_its_first_ten_companies_and_links_the_whole_list(api, report):
    ReportCompanyFactory.create_batch(15 - report.top_companies.count(), report=report, position=99)
    publish(report)
    detail = api.get(f"{API}/reports/{SLUG}/").json()
    assert len(detail["top_companies"]) == Report.TOP_COMPANIES_SHOWN
    assert detail["top_companies"][0]["name"] == "Bluebird Bio"
    assert detail["top_companies_count"] == 15
    listed = api.get(detail["top_companies_url"]).json()
    assert listed["count"] == 15


def test_forecast_endpoint_returns_the_series_the_page_draws(api, client, report):
    data = api.get(f"{API}/reports/{SLUG}/forecast/").json()
    expected = forecast_as_dict(report.forecast())
    assert data["series"] == expected["series"]
    assert data["checks"] == expected["checks"]
    assert [p["year"] for p in data["series"][0]["points"]] == list(range(2022, 2031))
    page_json = client.get(f"/reports/{SLUG}/data.json").json()
    assert page_json["series"] == data["series"]


def test_forecast_endpoint_shows_a_warning_for_a_wrong_edit(api, report):
    MarketFigure.objects.filter(report=report, year=2030).update(value=Decimal("40.00"))
    publish(report)
    checks = api.get(f"{API}/reports/{SLUG}/forecast/").json()["checks"]
    assert [(c["level"], c["code"]) for c in checks] == [("warning", "cagr-mismatch")]


def test_drafts_are_invisible_to_the_public_and_visible_to_editors(api, editor_api):
    draft = ReportFactory(draft=True)
    segment = SegmentFactory(report=draft)
    MarketFigureFactory(report=draft)
    QuestionFactory(report=draft)
    assert api.get(f"{API}/reports/{draft.slug}/").status_code == 404
    assert api.get(f"{API}/reports/{draft.slug}/forecast/").status_code == 404
    assert api.get(f"{API}/segments/{segment.pk}/").status_code == 404
    for resource in ("reports", "segments", "figures", "faqs"):
        assert results(api.get(f"{API}/{resource}/")) == []
        assert len(results(editor_api.get(f"{API}/{resource}/"))) == 1


@pytest.mark.parametrize(
    ("resource", "query", "expected"),
    [
        ("figures", "year_min=2025&year_max=2030", [2030]),
        ("figures", "kind=estimate", [2022]),
        ("figures", "scope=total", [2022, 2030]),
        ("figures", "scope=segment", [2024]),
        ("figures", "segment=cancer", [2024]),
        ("figures", f"report={SLUG}&ordering=-year", [2030, 2024, 2022]),
    ],
)
def test_figure_filters(api, report, resource, query, expected):
    cancer = report.segments.get(slug="cancer")
    MarketFigureFactory(report=report, segment=cancer, year=2024, kind="forecast")
    publish(report)
    years = [item["year"] for item in results(api.get(f"{API}/{resource}/?{query}"))]
    assert sorted(years) == sorted(expected)
    if "ordering" in query:
        assert years == expected


def test_company_filters_and_search(api, report):
    # Bluebird, Spark, Dimension and Avalanche among the top companies;
    # Kite and Orchard among the companies behind approved therapies.
    assert len(results(api.get(f"{API}/companies/?status=acquired"))) == 6
    assert [
        c["slug"] for c in results(api.get(f"{API}/companies/?segment=cardiovascular-disease"))
    ] == ["celladon"]
    assert len(results(api.get(f"{API}/companies/?report={SLUG}"))) == 8
    assert [c["slug"] for c in results(api.get(f"{API}/companies/?search=Roche"))] == [
        "roche",
        "spark-therapeutics",
    ]
    names = [c["name"] for c in results(api.get(f"{API}/companies/?ordering=-name"))]
    assert names == sorted(names, reverse=True)


def test_faq_filters(api, report):
    QuestionFactory(report=None, question="Site-wide?")
    assert len(results(api.get(f"{API}/faqs/?report={SLUG}"))) == 10
    assert [q["question"] for q in results(api.get(f"{API}/faqs/?site_wide=true"))] == [
        "Site-wide?"
    ]


def test_segment_list_filter_and_detail(api, report):
    items = results(api.get(f"{API}/segments/?report={SLUG}&ordering=position"))
    assert items[0]["slug"] == "cancer"
    cancer = api.get(items[0]["url"]).json()
    assert cancer["report"] == SLUG and cancer["overview"]


def test_pagination_has_a_default_and_a_capped_page_size(api):
    ReportCompanyFactory.create_batch(130, report=ReportFactory())
    first = api.get(f"{API}/companies/").json()
    assert (first["count"], len(first["results"])) == (130, 20)
    assert "page=2" in first["next"]
    assert len(api.get(f"{API}/companies/?page_size=1000").json()["results"]) == 100
    assert api.get(f"{API}/companies/?page=99").status_code == 404
    assert api.get(f"{API}/companies/?page=").json() == {"page": ["Give a page number."]}


@pytest.mark.parametrize(
    "url",
    [f"{API}/reports/nope/", f"{API}/companies/nope/", f"{API}/figures/999999/", f"{API}/nope/"],
)
def test_unknown_objects_are_404_json(api, url):
    response = api.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_bad_filter_value_is_400_json(api):
    response = api.get(f"{API}/figures/?year_min=soon")
    assert response.status_code == 400
    assert "year_min" in response.json()


# Conditional requests -----------------------------------------------------------------


def test_matching_etag_gets_304(api, report):
    for url in (f"{API}/reports/{SLUG}/", f"{API}/reports/", f"{API}/reports/{SLUG}/forecast/"):
        first = api.get(url)
        assert first.has_header("ETag")
        again = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304, url


def test_etag_changes_when_the_report_changes(api, report):
    before = api.get(f"{API}/reports/{SLUG}/")["ETag"]
    report.title = "New title"
    report.save()
    publish(report)
    response = api.get(f"{API}/reports/{SLUG}/", HTTP_IF_NONE_MATCH=before)
    assert response.status_code == 200
    assert response["ETag"] != before


# Writes ---------------------------------------------------------------------------------


def public_company():
    """A company the public sees (it works in a public report's segment) and that
    can be deleted (no report lists it)."""
    company = CompanyFactory()
    company.segments.add(SegmentFactory())
    return company


def write_cases():
    """(resource, detail-url factory, valid create body, valid patch body) per resource."""
    return {
        "reports": (
            lambda: f"{API}/reports/{ReportFactory().slug}/",
            lambda: {"title": "New report", "slug": "new-report", "summary": "About.",
                     "base_year": 2023, "forecast_start_year": 2024, "forecast_end_year": 2030},
            {"title": "Patched"},
        ),
        "segments": (
            lambda: f"{API}/segments/{SegmentFactory().pk}/",
            lambda: {"report": ReportFactory().slug, "name": "Cancer", "slug": "cancer"},
            {"name": "Patched"},
        ),
        "figures": (
            lambda: f"{API}/figures/{MarketFigureFactory().pk}/",
            lambda: {"report": ReportFactory().slug, "year": 2025, "value": "6.10",
                     "kind": "forecast", "source": "Publisher"},
            {"value": "4.50"},
        ),
        "companies": (
            lambda: f"{API}/companies/{public_company().slug}/",
            lambda: {"name": "NewCo", "slug": "newco", "status": "active"},
            {"headquarters": "Boston, MA"},
        ),
        "faqs": (
            lambda: f"{API}/faqs/{QuestionFactory().pk}/",
            lambda: {"report": ReportFactory().slug, "question": "Why?", "answer": "Because."},
            {"answer": "Patched."},
        ),
    }  # fmt: skip


RESOURCES = list(write_cases())


def clients():
    anonymous = APIClient()
    stranger = APIClient()
    stranger.force_authenticate(UserFactory())
    editor = APIClient()
    editor.force_authenticate(EditorFactory())
    return {"anonymous": anonymous, "no permission": stranger, "editor": editor}


EXPECTED = {
    "anonymous": {"POST": 401, "PATCH": 401, "PUT": 401, "DELETE": 401},
    "no permission": {"POST": 403, "PATCH": 403, "PUT": 403, "DELETE": 403},
    "editor": {"POST": 201, "PATCH": 200, "PUT": 200, "DELETE": 204},
}


@pytest.mark.parametrize("who", list(EXPECTED))
@pytest.mark.parametrize("resource", RESOURCES)
def test_permission_matrix(resource, who):
    detail_url, create_body, patch_body = write_cases()[resource]
    client = clients()[who]
    url = detail_url()

    def current():
        """The ETag and writable body the client reads before writing (an editor reads
        the working copy; anyone else the latest edition)."""
        response = client.get(url)
        return response["ETag"], {k: v for k, v in response.json().items() if v is not None}

    etag, _ = current()
    answers = {
        "POST": client.post(f"{API}/{resource}/", create_body(), format="json"),
        "PATCH": client.patch(url, patch_body, format="json", HTTP_IF_MATCH=etag),
    }
    etag, body = current()
    answers["PUT"] = client.put(url, body, format="json", HTTP_IF_MATCH=etag)
    etag, _ = current()
    answers["DELETE"] = client.delete(url, HTTP_IF_MATCH=etag)
    got = {method: response.status_code for method, response in answers.items()}
    assert got == EXPECTED[who], {m: r.content[:300] for m, r in answers.items()}
    if who == "anonymous":
        assert answers["POST"]["WWW-Authenticate"].startswith("Token")


def test_editor_writes_with_a_token(report):
    editor = EditorFactory()
    response = APIClient().post(
        f"{API}/auth/token/", {"username": editor.username, "password": "correct horse battery"}
    )
    token = response.json()["token"]
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    created = client.post(
        f"{API}/figures/",
        {"report": SLUG, "segment": "cancer", "year": 2024, "value": "1.25", "kind": "estimate",
         "source": "Publisher"},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    assert created.json()["segment"] == "cancer"
    figure = MarketFigure.objects.get(pk=created.json()["id"])
    assert figure.segment.slug == "cancer" and figure.value == Decimal("1.25")


def test_update_without_if_match_is_428_and_with_a_stale_etag_is_412(editor_api, report):
    url = f"{API}/reports/{SLUG}/"
    stale = editor_api.get(url)["ETag"]
    missing = editor_api.patch(url, {"title": "A"}, format="json")
    assert missing.status_code == 428
    assert "If-Match" in missing.json()["detail"]
    Report.objects.filter(pk=report.pk).update(title="Changed by a colleague")
    refused = editor_api.patch(url, {"title": "B"}, format="json", HTTP_IF_MATCH=stale)
    assert refused.status_code == 412
    assert Report.objects.get(pk=report.pk).title == "Changed by a colleague"
    fresh = editor_api.get(url)["ETag"]
    assert (
        editor_api.patch(url, {"title": "C"}, format="json", HTTP_IF_MATCH=fresh).status_code == 200
    )
    assert editor_api.delete(url).status_code == 428


@pytest.mark.parametrize(
    ("resource", "body", "field", "message"),
    [
        ("reports", {"forecast_start_year": 2031}, "forecast_end_year", "ends before it starts"),
        ("reports", {"stated_cagr": "500"}, "stated_cagr", "less than or equal to 200"),
        ("reports", {"base_year": "2022"}, "base_year", "Expected a JSON integer."),
        ("reports", {"title": 5}, "title", "Expected a JSON string."),
        ("figures", {"value": 4.5}, "value", "Expected a JSON string."),
        ("figures", {"value": "-3"}, "value", "greater than or equal to 0"),
        ("figures", {"year": 2022}, "non_field_errors", "already has a figure for this year"),
        ("figures", {"segment": "no-such"}, "segment", "does not exist"),
        ("companies", {"status": "acquired", "successor": ""}, "successor", "Name the successor"),
        ("segments", {"slug": "monogenic"}, "non_field_errors", "already uses this slug"),
    ],
)
def test_validation_errors_name_each_bad_field(editor_api, report, resource, body, field, message):
    urls = {
        "reports": f"{API}/reports/{SLUG}/",
        "figures": f"{API}/figures/{report.figures.get(year=2030).pk}/",
        "companies": f"{API}/companies/spark-therapeutics/",
        "segments": f"{API}/segments/{report.segments.get(slug='cancer').pk}/",
    }
    url = urls[resource]
    response = editor_api.patch(url, body, format="json", HTTP_IF_MATCH=editor_api.get(url)["ETag"])
    assert response.status_code == 400, response.content
    errors = response.json()
    assert message in " ".join(errors[field]), errors


def test_malformed_json_is_400_json(editor_api):
    response = editor_api.generic(
        "POST", f"{API}/companies/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_oversized_body_is_413_json(editor_api, settings):
    settings.API_MAX_BODY_BYTES = 1000
    body = json.dumps({"name": "x" * 2000, "slug": "big"})
    response = editor_api.generic(
        "POST", f"{API}/companies/", body, content_type="application/json"
    )
    assert response.status_code == 413
    assert not Company.objects.filter(slug="big").exists()


@pytest.fixture
def rates(monkeypatch):
    rates = {"anon": "3/minute", "user": "3/minute", "login": "2/minute"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)


def test_anonymous_clients_are_throttled_with_retry_after(api, rates):
    codes = [api.get(f"{API}/companies/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = api.get(f"{API}/companies/")
    assert int(response["Retry-After"]) > 0
    assert "throttled" in response.json()["detail"].lower()


def test_a_client_spent_on_one_endpoint_can_still_read_the_others(api, rates):
    for _ in range(3):
        api.get(f"{API}/companies/")
    assert api.get(f"{API}/companies/").status_code == 429
    assert api.get(f"{API}/figures/").status_code == 200


def test_a_forged_x_forwarded_for_does_not_buy_a_new_budget(api, rates):
    codes = [
        api.get(f"{API}/companies/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(5)
    ]
    assert codes == [200, 200, 200, 429, 429]


def test_a_large_budget_is_still_enforced_on_cached_reads(api, monkeypatch):
    # Over 100 a window, cached reads are added to the shared count in batches of
    # 1 % of the budget (gtmp_site/api/throttling.py): at most 1 % over.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "1000/minute"})
    codes = [api.get(f"{API}/companies/").status_code for _ in range(1020)]
    first_refused = codes.index(429)
    assert 1000 <= first_refused < 1010
    assert set(codes[first_refused:]) == {429}


def test_token_login_has_a_budget_of_its_own(api, rates, db):
    for _ in range(3):
        api.get(f"{API}/companies/")
    login = {"username": EditorFactory().username, "password": "wrong"}
    codes = [api.post(f"{API}/auth/token/", login).status_code for _ in range(3)]
    assert codes == [401, 401, 429]


# Query counts ------------------------------------------------------------------------

# Each includes 1 for the next scheduled publication, which bounds how long the
# response may stay cached; a cached response costs none (tests/test_cache.py).
LIST_QUERY_LIMITS = {
    "reports": 14, "segments": 3, "figures": 3, "companies": 7, "faqs": 3, "therapies": 4,
}  # fmt: skip


def grow(rows):
    for _ in range(rows):
        report = ReportFactory()
        segment = SegmentFactory(report=report)
        MarketFigureFactory(report=report)
        MarketFigureFactory(report=report, segment=segment, year=2023)
        listing = ReportCompanyFactory(report=report)
        listing.company.segments.add(segment)
        QuestionFactory(report=report)
        TherapyFactory(segment=segment, sponsor=listing.company)
        publish(report)


@pytest.mark.parametrize("resource", list(LIST_QUERY_LIMITS))
def test_list_query_count_stays_fixed_as_rows_grow(api, resource, django_assert_max_num_queries):
    grow(2)
    with django_assert_max_num_queries(LIST_QUERY_LIMITS[resource]) as few:
        results(api.get(f"{API}/{resource}/"))
    grow(6)  # four times the rows: a query per row would show
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(results(api.get(f"{API}/{resource}/"))) >= 8


def test_last_changed_follows_a_child_edit_on_the_page_and_the_api(api, editor_api, client, report):
    from django.utils.http import http_date, parse_http_date

    before = editor_api.get(f"{API}/reports/{SLUG}/")
    read = api.get(f"{API}/reports/{SLUG}/")
    figure = report.figures.get(year=2030)
    figure.note = "Checked again."
    # Last-Modified has one-second resolution: the edit comes two seconds later.
    with time_machine.travel(timezone.now() + timedelta(seconds=2)):
        figure.save()
    after = editor_api.get(f"{API}/reports/{SLUG}/")
    assert after.json()["last_changed"] > before.json()["last_changed"]
    assert parse_http_date(after["Last-Modified"]) > parse_http_date(before["Last-Modified"])
    assert after.json()["updated_at"] == before.json()["updated_at"]  # the report row itself
    # Readers read the latest edition, which the edit leaves as it was.
    assert api.get(f"{API}/reports/{SLUG}/")["Last-Modified"] == read["Last-Modified"]
    page = client.get(f"/reports/{SLUG}/")
    # The page shows the latest edition, which the edit leaves as it was.
    assert page["Last-Modified"] == http_date(report.editions.newest().published_at.timestamp())
    unchanged = client.get(f"/reports/{SLUG}/", HTTP_IF_MODIFIED_SINCE=page["Last-Modified"])
    assert unchanged.status_code == 304


def integer_filters():
    """(list URL, parameter) of every filter, on every endpoint, of a whole number:
    a filter on an integer model field, through any relation or lookup."""
    from django.core.exceptions import FieldDoesNotExist
    from django.db import models
    from django.db.models.constants import LOOKUP_SEP

    from gtmp_site.api.urls import router

    for prefix, viewset, _basename in router.registry:
        filterset = getattr(viewset, "filterset_class", None)
        for name, each in (filterset.base_filters if filterset else {}).items():
            model, field = filterset._meta.model, None
            for part in each.field_name.split(LOOKUP_SEP):
                try:
                    field = model._meta.get_field(part)
                except FieldDoesNotExist:  # a method filter, such as scope
                    break
                model = field.related_model or model
            if isinstance(field, models.IntegerField) or each.lookup_expr == "year":
                yield f"/api/v1/{prefix}/", name


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "name"), list(integer_filters()))
def test_every_whole_number_filter_refuses_a_decimal(client, url, name):
    for decimal in ("3.6896701237782906e-214", "2030.0"):  # make fuzz found both
        response = client.get(f"{url}?{name}={decimal}")
        assert response.status_code == 400 and name in response.json(), decimal
    assert client.get(f"{url}?{name}=2030").status_code == 200


@pytest.mark.django_db
def test_an_empty_report_slug_is_refused_not_read_as_site_wide():
    from rest_framework.test import APIClient

    from tests.factories import EditorFactory

    api = APIClient()
    api.force_authenticate(EditorFactory())
    body = {"report": "", "question": "Is this site-wide?", "answer": "No."}
    response = api.post("/api/v1/faqs/", body, format="json")
    assert response.status_code == 400 and "report" in response.json()


@pytest.mark.django_db
def test_text_over_the_schemas_max_length_is_refused_even_with_spaces_around_it(editor_api):
    name = " " + "x" * 200  # 201 characters sent; 200 once trimmed
    body = {"name": name, "slug": "spaced"}
    response = editor_api.post("/api/v1/companies/", body, format="json")
    assert response.status_code == 400
    assert "no more than 200 characters" in response.json()["name"][0]
    assert not Company.objects.filter(slug="spaced").exists()


@pytest.mark.django_db
def test_json_nested_too_deeply_is_a_400_with_a_reason(api, editor_api):
    deep = "[" * 50_000 + "]" * 50_000
    for client, path in ((api, "/api/v1/auth/token/"), (editor_api, "/api/v1/faqs/")):
        response = client.post(path, deep, content_type="application/json")
        assert response.status_code == 400
        assert "nested too deeply" in response.json()["detail"]


@pytest.mark.django_db
def test_nul_bytes_in_a_body_or_a_query_are_a_400(api, editor_api):
    body = {"question": "a\x00b", "answer": "x"}
    assert editor_api.post("/api/v1/faqs/", body, format="json").status_code == 400
    for query in ("search=a%00b", "report=%00"):
        response = api.get(f"/api/v1/companies/?{query}")
        assert response.status_code == 400, query
        assert "Null characters" in str(response.json())


@pytest.mark.django_db
def test_an_unknown_or_repeated_query_parameter_is_a_400_naming_it(api, report):
    response = api.get("/api/v1/figures/?yaer=2030")
    assert response.status_code == 400
    assert "Unknown parameter" in response.json()["yaer"][0]
    assert "year" in response.json()["yaer"][0]
    response = api.get("/api/v1/figures/?year=2030&year=2031")
    assert response.json() == {"year": ["Give this parameter once."]}
    assert api.get("/api/v1/figures/?year=2030&page=1&page_size=5").status_code == 200
