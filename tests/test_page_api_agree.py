"""The report page and the API report read through the same named querysets, so
they agree on when the report last changed, whatever kind of row was edited: a
property over every content model (tests/fresh.py), none listed here."""

from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.utils import timezone
from django.utils.http import parse_http_date

from tests import fresh

pytestmark = pytest.mark.django_db
API = "/api/v1/reports/us-gene-therapy-medicinal-products-market/"


def last_modified(client, api, report):
    page = client.get(report.get_absolute_url())
    assert api.get(API)["Last-Modified"] == page["Last-Modified"]
    return parse_http_date(page["Last-Modified"]), set(page["xkey"].split())


@pytest.mark.parametrize("label", [label for label, kind in fresh.cases() if kind == "change"])
def test_page_and_api_agree_on_last_modified_after_an_edit_of_each_model(
    client, api, report, label
):
    before, shown = last_modified(client, api, report)
    row = fresh.sample(apps.get_model(label))
    # Last-Modified has one-second resolution: the edit comes two seconds later.
    with time_machine.travel(timezone.now() + timedelta(seconds=2)):
        fresh.edit(label, "change")
    after, _ = last_modified(client, api, report)
    # A row the page read moves it; any other leaves it.
    assert (after > before) is (f"{label}:{row.pk}" in shown)
