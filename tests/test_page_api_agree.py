"""The report page and the API report read through the same named querysets, so
they agree on when the report last changed, whatever kind of row was edited."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django.utils.http import parse_http_date

from companies.models import ReportCompany
from faq.models import Question
from market.models import MarketFigure, ReportSection, Segment

pytestmark = pytest.mark.django_db
API = "/api/v1/reports/us-gene-therapy-medicinal-products-market/"


def last_modified(client, api, report):
    page = client.get(report.get_absolute_url())["Last-Modified"]
    assert api.get(API)["Last-Modified"] == page
    return parse_http_date(page)


def edit(obj, field, value):
    setattr(obj, field, value)
    # Last-Modified has one-second resolution: each edit comes two seconds later.
    with time_machine.travel(timezone.now() + timedelta(seconds=2)):
        obj.save()


@pytest.mark.parametrize(
    ("kind", "field", "value", "shown"),
    [
        ("segment", "overview", "Edited overview.", True),
        ("figure", "note", "Checked again.", True),
        ("section", "body", "Edited body.", True),
        ("listed question", "answer", "Edited answer.", True),
        ("hidden question", "answer", "Edited hidden answer.", False),
        ("company", "headquarters", "Somewhere else", True),
        ("company's place in the list", "position", 99, True),
    ],
)
def test_page_and_api_agree_on_last_modified_after_each_kind_of_edit(
    client, api, report, kind, field, value, shown
):
    hidden = Question.objects.filter(report=report).last()
    Question.objects.filter(pk=hidden.pk).update(is_published=False)
    rows = {
        "segment": Segment.objects.filter(report=report).first,
        "figure": MarketFigure.objects.filter(report=report).first,
        "section": ReportSection.objects.filter(report=report).first,
        "listed question": Question.objects.filter(report=report, is_published=True).first,
        "hidden question": lambda: Question.objects.get(pk=hidden.pk),
        "company": lambda: ReportCompany.objects.filter(report=report).first().company,
        "company's place in the list": ReportCompany.objects.filter(report=report).first,
    }
    before = last_modified(client, api, report)
    edit(rows[kind](), field, value)
    after = last_modified(client, api, report)
    assert (after > before) is shown
