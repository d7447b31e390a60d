"""The report's page, its download and the API agree, whatever kind of row was
edited: a property over every content model (tests/fresh.py), none listed here.

The API's report resource as editors read it is the working copy they change:
its Last-Modified moves after an edit of a row it shows, and only then.
Readers' views (the page, its data download, the API's report and forecast)
show the latest edition: an edit leaves them as they were, and once it is
published all of them show the new edition together."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.apps import apps
from django.utils import timezone
from django.utils.http import parse_http_date

from gtmp_site.core import shown
from tests import fresh
from tests.factories import publish_changed

pytestmark = pytest.mark.django_db
API = "/api/v1/reports/us-gene-therapy-medicinal-products-market/"


def working_copy(editor_api):
    """The Last-Modified of the report resource as editors read it, and the keys of
    the rows it read."""
    with shown.recording() as keys:
        response = editor_api.get(API)
    return parse_http_date(response["Last-Modified"]), keys


def published(client, api, report):
    """The Last-Modified readers see, once the page, download, report resource and
    forecast agree."""
    page = client.get(report.get_absolute_url())
    forecast = api.get(f"{API}forecast/")
    assert api.get(API)["Last-Modified"] == page["Last-Modified"]
    assert api.get(API)["Content-Location"] == forecast["Content-Location"]
    data = client.get(f"{report.get_absolute_url()}data.json").json()
    assert page["Last-Modified"] == forecast["Last-Modified"]
    assert forecast["Content-Location"] == urlsplit(data["report"]["edition_url"]).path
    assert forecast.json()["series"] == data["series"]
    return parse_http_date(page["Last-Modified"])


@pytest.mark.parametrize("label", [label for label, kind in fresh.cases() if kind == "change"])
def test_page_download_and_api_agree_after_an_edit_of_each_model_and_its_publication(
    client, api, editor_api, report, label
):
    before, shown = working_copy(editor_api)
    seen = published(client, api, report)
    row = fresh.sample(apps.get_model(label))
    # Last-Modified has one-second resolution: the edit comes two seconds later.
    later = timezone.now() + timedelta(seconds=2)
    with time_machine.travel(later):
        fresh.edit(label, "change")
    after, _ = working_copy(editor_api)
    # A row the resource read moves it; any other leaves it.
    assert (after > before) is (f"{label}:{row.pk}" in shown)
    assert published(client, api, report) == seen, "an edit showed before its publication"
    with time_machine.travel(later + timedelta(seconds=2)):
        new_edition = bool(publish_changed())
        assert (published(client, api, report) > seen) is new_edition
