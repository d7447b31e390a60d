"""The forecast chart as images drawn on the server: real PNG and SVG files with
their title, source, edition and licence drawn in, at stable addresses per
edition, and the link preview (og:image) of every report page."""

import io
import re
import struct
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.test import Client
from matplotlib.image import imread

from market import charts
from market.models import MarketFigure
from tests.factories import publish

pytestmark = pytest.mark.django_db

REPORT = "/reports/us-gene-therapy-medicinal-products-market/"
SVG = "{http://www.w3.org/2000/svg}"


def svg_texts(body):
    """Every text the SVG draws, as text (not as glyph outlines)."""
    root = ET.fromstring(body)
    return [" ".join("".join(node.itertext()).split()) for node in root.iter(f"{SVG}text")]


def chart_links(client, path=REPORT):
    """{(chart, format): url} of every chart image the page offers to download."""
    html = client.get(path).content.decode()
    found = re.findall(r'href="([^"]*/charts/(\w+)\.(png|svg))"', html)
    return {(name, fmt): url for url, name, fmt in found}


def test_every_chart_the_page_offers_is_a_real_png_and_svg_with_its_title_drawn(report):
    client = Client()
    links = chart_links(client)
    assert {name for name, _ in links} == {"forecast", "approvals", "estimates"}
    page = client.get(REPORT).content.decode()
    titles = set(re.findall(r'"title": "([^"]+)"', page))  # of the page's charts' data
    for (_, fmt), url in links.items():
        response = client.get(url)
        assert response.status_code == 200, url
        if fmt == "svg":
            assert response["Content-Type"] == "image/svg+xml"
            texts = svg_texts(response.content)
            assert titles & set(texts), url  # drawn with the title of the page's chart
            assert any(t.startswith("Edition 1 · Licence: Creative Commons") for t in texts)
            continue
        assert response["Content-Type"] == "image/png"
        body = response.content
        assert body[:8] == b"\x89PNG\r\n\x1a\n", url
        width, height = struct.unpack(">II", body[16:24])  # the IHDR chunk
        assert width == 1200 and height >= 630, url
        pixels = imread(io.BytesIO(body))[:, :, :3]
        assert (pixels.min(axis=2) < 0.5).mean() > 0.01, url  # dark text, lines or bars


def test_the_forecast_png_is_a_link_preview_sized_image_with_its_bars_drawn(report):
    body = Client().get(f"{REPORT}charts/forecast.png").content
    assert struct.unpack(">II", body[16:24]) == (1200, 630)
    pixels = imread(io.BytesIO(body))[:, :, :3]
    colour = charts.KIND_COLOURS["forecast"]
    shade = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    drawn = (abs(pixels - shade).max(axis=2) < 0.02).mean()
    assert drawn > 0.005  # the sourced 2030 forecast's bar, in its colour


def test_the_svg_draws_title_units_source_marks_edition_and_licence_as_text(report):
    response = Client().get(f"{REPORT}charts/forecast.svg")
    assert response["Content-Type"] == "image/svg+xml"
    texts = svg_texts(response.content)
    assert "US Gene Therapy Medicinal Products (GTMP) Market: market size" in texts
    assert "USD billion. Source: Verified Market Reports; years between them computed." in texts
    assert {"Base year 2022", "Forecast from 2024", "Year", "2030"} <= set(texts)
    assert any(t.startswith("Edition 1 · Licence: Creative Commons") for t in texts)
    assert Client().get(f"{REPORT}charts/forecast.svg").content == response.content  # stable


def test_each_edition_keeps_its_image_and_the_latest_follows_the_newest(report):
    client = Client()
    before = svg_texts(client.get(f"{REPORT}charts/forecast.svg").content)  # now cached
    assert any(t.startswith("Edition 1 ·") for t in before)
    figure = MarketFigure.objects.get(report=report, year=2030, segment=None)
    figure.value = Decimal("20.000")
    figure.save()
    publish(report)
    first = svg_texts(client.get(f"{REPORT}editions/1/charts/forecast.svg").content)
    latest = svg_texts(client.get(f"{REPORT}charts/forecast.svg").content)
    assert any(t.startswith("Edition 1 ·") for t in first)
    assert any(t.startswith("Edition 2 ·") for t in latest)
    assert "20.0" in latest and "20.0" not in first  # the y axis grew with the 2030 figure
    assert client.get(f"{REPORT}editions/9/charts/forecast.png").status_code == 404


def link_preview(client, path):
    """(address, alt text) of the og:image that the page ``path`` names."""
    html = client.get(path).content.decode()
    image = re.search(r'<meta property="og:image" content="([^"]+)"', html).group(1)
    alt = re.search(r'<meta property="og:image:alt" content="([^"]+)"', html).group(1)
    return image.removeprefix("http://testserver"), alt


@pytest.mark.parametrize("path", [REPORT, f"{REPORT}editions/1/", f"{REPORT}segments/cancer/"])
def test_each_report_page_names_its_chart_as_its_link_preview(report, path):
    client = Client()
    image, alt = link_preview(client, path)
    assert re.search("market size|approvals", alt)
    response = client.get(image)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"


def test_a_segment_page_previews_and_offers_its_own_chart(report):
    """A segment without figures: its approvals per year; one with figures: its
    market size, on the report and edition pages too; one with neither: the
    report's chart."""
    client = Client()
    page = client.get(f"{REPORT}segments/cancer/").content.decode()
    image, alt = link_preview(client, f"{REPORT}segments/cancer/")
    assert image == f"{REPORT}segments/cancer/charts/approvals.png"
    assert alt == "Cancer: US approvals of gene therapies per year: edition 1"
    assert f'href="{REPORT}segments/cancer/charts/approvals.svg"' in page
    texts = svg_texts(client.get(f"{REPORT}segments/cancer/charts/approvals.svg").content)
    assert "Cancer: US approvals of gene therapies per year" in texts
    assert {"Cancer"} == {t for t in texts if t in {s.name for s in report.segments.all()}}
    assert client.get(f"{REPORT}segments/cancer/charts/forecast.png").status_code == 404

    cardio = report.segments.get(slug="cardiovascular-disease")
    assert not cardio.therapies.exists()
    assert link_preview(client, cardio.get_absolute_url())[0] == f"{REPORT}charts/forecast.png"
    assert client.get(f"{cardio.get_absolute_url()}charts/approvals.png").status_code == 404

    MarketFigure.objects.create(report=report, segment=cardio, year=2024, value=Decimal("0.5"),
                                kind="estimate", source="A test source")  # fmt: skip
    publish(report)
    own = f"{REPORT}segments/cardiovascular-disease/charts/forecast"
    assert link_preview(client, cardio.get_absolute_url())[0] == f"{own}.png"
    assert f'href="{own}.svg"' in client.get(REPORT).content.decode()
    pinned = f"{REPORT}editions/2/segments/cardiovascular-disease/charts/forecast.svg"
    assert f'href="{pinned}"' in client.get(f"{REPORT}editions/2/").content.decode()
    texts = svg_texts(client.get(pinned).content)
    assert "Cardiovascular Disease: market size" in texts
    assert any(t.startswith("Edition 2 ·") for t in texts) and "A test source" in " ".join(texts)
