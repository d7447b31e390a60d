"""Embeds (market.views.EmbedView): one chart of an edition, with its table, source,
edition and licence, that other sites may frame, following new editions or kept
to one; the only pages that may be framed; and the Share panel giving their code."""

import html
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import resolve

from market.models import MarketFigure
from tests import fresh
from tests.factories import publish

pytestmark = pytest.mark.django_db

REPORT = "/reports/us-gene-therapy-medicinal-products-market/"
FRAMEABLE = {"market:embed", "market:edition-embed"}


def framing(response):
    """(X-Frame-Options, the frame-ancestors sources) of a response."""
    policy = response.get("Content-Security-Policy", "")
    (ancestors,) = [p.split()[1:] for p in policy.split(";") if "frame-ancestors" in p]
    return response.get("X-Frame-Options"), ancestors


def test_embeds_are_the_only_pages_another_site_may_frame(report):
    """Every URL the site links to, each fetched twice (made, then from the cache):
    an embed says ``frame-ancestors *`` and sends no X-Frame-Options; every other
    response denies framing both ways. The walk reaches the embeds by the Share
    panel's links."""
    client = Client()
    answers = {}

    def get(path):
        first, again = client.get(path), client.get(path)
        answers[path] = [framing(first), framing(again)]
        return first.status_code, first.get("Content-Type", ""), first.content.decode()

    fresh.public_urls(get)
    embeds = {path for path in answers if resolve(path.split("?")[0]).view_name in FRAMEABLE}
    assert {f"{REPORT}embed/forecast/", f"{REPORT}editions/1/embed/approvals/"} <= embeds
    for path, both in answers.items():
        expected = (None, ["*"]) if path in embeds else ("DENY", ["'none'"])
        assert both == [expected, expected], path


def table_values(body):
    """{year: value} of the data table of an embed of the forecast."""
    rows = re.findall(r'<th scope="row">(\d{4})</th>\s*<td class="num">([\d.]+)</td>', body)
    return {int(year): Decimal(value) for year, value in rows}


def embed_codes(body):
    """{textarea id: the iframe's src} of a page's Share panel."""
    found = re.findall(r'<textarea id="([\w-]+)"[^>]*>([^<]*)</textarea>', body)
    return {name: re.search(r'src="([^"]+)"', html.unescape(code)).group(1)
            for name, code in found}  # fmt: skip


def test_an_embed_follows_new_editions_or_keeps_to_its_own(report, client):
    figure = MarketFigure.objects.get(report=report, segment=None, year=2030)
    figure.value = Decimal("20.000")
    figure.save()
    publish(report)
    live = client.get(f"{REPORT}embed/forecast/").content.decode()
    pinned = client.get(f"{REPORT}editions/1/embed/forecast/").content.decode()
    for body, label in ((live, "2"), (pinned, "1")):
        api = client.get(f"/api/v1{REPORT}forecast/?edition={label}").json()
        total = api["series"][0]["points"]
        assert table_values(body) == {p["year"]: round(Decimal(p["value"]), 2) for p in total}
        assert f"Edition {label}, published" in body
        assert "Source: Verified Market Reports" in body
        assert 'rel="license noopener"' in body
    assert table_values(live)[2030] == Decimal("20.00")
    assert table_values(pinned)[2030] == Decimal("14.40")
    # Each links back to what it shows: the report, or edition 1 for good.
    assert f'href="http://testserver{REPORT}" target="_blank"' in live
    assert f'href="http://testserver{REPORT}editions/1/" target="_blank"' in pinned


def test_the_share_panel_gives_the_code_of_each_embed(report, client):
    publish(report)  # edition 2
    latest = embed_codes(client.get(REPORT).content.decode())
    assert latest == {
        f"embed-{name}-{kind}": f"http://testserver{REPORT}{where}embed/{name}/"
        for name in ("forecast", "approvals")
        for kind, where in (("live", ""), ("pinned", "editions/2/"))
    }
    # An edition's page offers its own embeds alone.
    older = embed_codes(client.get(f"{REPORT}editions/1/").content.decode())
    assert set(older.values()) == {f"http://testserver{REPORT}editions/1/embed/{name}/"
                                   for name in ("forecast", "approvals")}  # fmt: skip
    for url in {*latest.values(), *older.values()}:
        assert client.get(url).status_code == 200, url
