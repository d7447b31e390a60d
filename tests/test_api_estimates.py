"""The estimates resource: other publishers' estimates, read from each report's
edition like every public read, filtered, ordered, and equal to what the report
resource and the page show."""

from decimal import Decimal

import pytest

from market.api import EstimateSerializer
from market.models import MarketEstimate
from tests.factories import publish

pytestmark = pytest.mark.django_db

SLUG = "us-gene-therapy-medicinal-products-market"
API = "/api/v1"


def listed(client, query=""):
    response = client.get(f"{API}/estimates/?report={SLUG}&page_size=100{query}")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_the_estimates_are_the_reports_own_in_its_order(api, report):
    estimates = listed(api)
    nested = api.get(f"{API}/reports/{SLUG}/").json()["estimates"]
    assert [{k: e[k] for k in EstimateSerializer.Meta.fields} for e in estimates] == nested
    assert [e["position"] for e in estimates] == list(range(1, len(nested) + 1))
    assert {e["edition"] for e in estimates} == {"1"}
    # Each one's address reads it back, pinned to its edition.
    first = estimates[0]
    assert api.get(first["url"]).json() == first
    assert first["url"].endswith(f"/estimates/{first['id']}/?report={SLUG}&edition=1")


def test_readers_read_each_edition_and_editors_the_working_copy(api, editor_api, report):
    estimate = MarketEstimate.objects.filter(report=report).order_by("position").first()
    before = str(estimate.cagr)
    estimate.cagr = Decimal("12.50")
    estimate.save()
    # Not yet published: readers see edition 1, an editor the working copy.
    assert listed(api)[0]["cagr"] == before
    mine = listed(editor_api)[0]
    assert (mine["cagr"], mine["edition"]) == ("12.50", None)
    publish(report)
    assert (listed(api)[0]["cagr"], listed(api)[0]["edition"]) == ("12.50", "2")
    assert listed(api, "&edition=1")[0]["cagr"] == before
    assert api.get(f"{API}/estimates/{estimate.pk}/?report={SLUG}&edition=1").json()["cagr"] == (
        before
    )


@pytest.mark.parametrize(
    ("query", "keeps"),
    [
        ("&geography=us", lambda e: e["geography"] == "us"),
        ("&breadth=wider", lambda e: e["breadth"] == "wider"),
        ("&publisher=markets", lambda e: "markets" in e["publisher"].lower()),
        ("&forecast_year_min=2030", lambda e: (e["forecast_year"] or 0) >= 2030),
        ("&forecast_year_max=2027", lambda e: e["forecast_year"] and e["forecast_year"] <= 2027),
    ],
)
def test_each_filter_keeps_exactly_the_estimates_it_names(api, report, query, keeps):
    every = listed(api)
    kept = listed(api, query)
    assert kept and len(kept) < len(every)
    assert kept == [e for e in every if keeps(e)]


def test_ordering_by_cagr_and_no_writes(api, editor_api, report):
    rates = [e["cagr"] for e in listed(api, "&ordering=-cagr") if e["cagr"] is not None]
    assert rates == sorted(rates, key=Decimal, reverse=True)
    first = listed(editor_api)[0]
    assert editor_api.post(f"{API}/estimates/", first, format="json").status_code == 405
    assert editor_api.delete(first["url"]).status_code == 405
