"""On every list endpoint of the router, an ordering field, a choice or a slug
the endpoint does not know is a 400 that names the accepted ones, and each value
it names is accepted: a typo never answers 200 with other rows than asked."""

import re

import django_filters
import pytest

from gtmp_site.api.filtersets import SlugFilter
from gtmp_site.api.urls import router
from market.models import Report

pytestmark = pytest.mark.django_db

LISTS = [(prefix, viewset) for prefix, viewset, _ in router.registry]


def checked_filters(viewset):
    """The names of the viewset's filters whose values are a closed set."""
    filterset = getattr(viewset, "filterset_class", None)
    if filterset is None:
        return []
    closed = SlugFilter | django_filters.ChoiceFilter
    return [name for name, f in filterset.base_filters.items() if isinstance(f, closed)]


def named(message):
    """The accepted values an error message names (after its last colon)."""
    listed = message.rsplit(":", 1)[1].strip().rstrip(".")
    return [v.strip() for v in re.split(r",| and \d+ more", listed) if v.strip()]


@pytest.mark.parametrize(("prefix", "viewset"), LISTS, ids=[p for p, _ in LISTS])
def test_an_unknown_ordering_is_a_400_naming_the_fields_each_of_which_works(
    report, editor_api, prefix, viewset
):
    if not getattr(viewset, "ordering_fields", None):
        pytest.skip(f"/{prefix}/ takes no ordering")
    url = f"/api/v1/{prefix}/"
    response = editor_api.get(url, {"ordering": "nonsense,-title"})
    assert response.status_code == 400
    message = response.json()["ordering"][0]
    assert "nonsense" in message
    fields = re.search(r"; order by (.+?), each with", message).group(1).split(", ")
    assert set(fields) == set(viewset.ordering_fields)
    for field in fields:
        assert editor_api.get(url, {"ordering": f"-{field}"}).status_code == 200, field


@pytest.mark.parametrize(("prefix", "viewset"), LISTS, ids=[p for p, _ in LISTS])
def test_an_unknown_choice_or_slug_is_a_400_naming_values_that_work(report, api, prefix, viewset):
    names = checked_filters(viewset)
    if not names:
        pytest.skip(f"/{prefix}/ has no filter with a closed set of values")
    url = f"/api/v1/{prefix}/"
    for name in names:
        response = api.get(url, {name: "no-such-value"})
        assert response.status_code == 400, name
        message = response.json()[name][0]
        assert "no-such-value" in message, name
        values = named(message)
        assert values, message
        assert api.get(url, {name: values[0]}).status_code == 200, (name, values[0])


def test_a_draft_report_s_slug_is_unknown_to_readers_and_known_to_editors(report, api, editor_api):
    Report.objects.filter(pk=report.pk).update(status=Report.Status.DRAFT)
    refused = api.get("/api/v1/segments/", {"report": report.slug})
    assert refused.status_code == 400
    assert report.slug not in named(refused.json()["report"][0])
    assert editor_api.get("/api/v1/segments/", {"report": report.slug}).status_code == 200
