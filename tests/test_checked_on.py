"""Each fact with a source carries the date it was last checked: the loader sets it
from the content, the report page says how current its facts are, and the
report's admin page lists the facts not checked lately."""

import datetime as dt
import tomllib

import pytest
from django.apps import apps

from gtmp_site.core.models import CheckedFact
from gtmp_site.management.commands.load_report_content import CONTENT_DIR
from tests.admin_forms import admin_url
from tests.factories import publish
from therapies.models import Therapy, TherapyEvent

pytestmark = pytest.mark.django_db

CHECKED = tomllib.loads((CONTENT_DIR / "us_gtmp_market.toml").read_text())["checked_on"]
FACT_MODELS = [
    model
    for model in apps.get_models()
    if issubclass(model, CheckedFact) and not model.__name__.startswith("Historical")
]


def test_every_loaded_fact_carries_the_day_the_content_was_checked(report):
    assert len(FACT_MODELS) == 5, FACT_MODELS  # figures, estimates, approvals, two events
    for model in FACT_MODELS:
        dates = set(model.objects.values_list("checked_on", flat=True))
        assert dates == {CHECKED}, model


def test_the_report_page_says_how_current_its_facts_are(client, report):
    page = client.get(report.get_absolute_url()).content.decode()
    assert f'facts checked up to <time datetime="{CHECKED}">1 December 2026</time>' in page
    assert "the oldest on" not in page
    Therapy.objects.filter(brand_name="Kymriah").update(checked_on=dt.date(2026, 5, 4))
    publish(report)
    page = client.get(report.get_absolute_url()).content.decode()
    assert '1 December 2026</time> (the oldest on <time datetime="2026-05-04">' in page


def test_facts_not_checked_lately_are_listed_on_the_report_s_admin_page(editor, report, settings):
    url = admin_url(report, "change", report.pk)
    assert "Every fact was checked within the last 180 days" in editor.get(url).content.decode()
    old = CHECKED - dt.timedelta(days=181)
    Therapy.objects.filter(brand_name="Kymriah").update(checked_on=old)
    figure = report.figures.get(year=2030, segment=None)
    figure.checked_on = None
    figure.save()
    page = editor.get(url).content.decode()
    kymriah = Therapy.objects.get(brand_name="Kymriah")
    assert "2 facts not checked against their sources in the last 180 days" in page
    assert f'href="{admin_url(kymriah, "change", kymriah.pk)}">Approval: Kymriah</a>' in page
    assert f"checked {old:%-d %B %Y}" in page and "never checked" in page
    # The limit is a setting: a longer one leaves only the never-checked figure.
    settings.FACTS_STALE_AFTER_DAYS = 365
    assert "1 fact not checked" in editor.get(url).content.decode()
    # A product's later events are facts too.
    event = TherapyEvent.objects.get(therapy__brand_name="Roctavian")
    TherapyEvent.objects.filter(pk=event.pk).update(checked_on=None)
    page = editor.get(url).content.decode()
    assert "2 facts not checked" in page
    assert f'href="{admin_url(event, "change", event.pk)}">Product event: {event}</a>' in page
