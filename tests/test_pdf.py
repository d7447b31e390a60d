"""The report as a PDF (market/pdf.py): a valid, tagged PDF with a title, a
language and a bookmark per section, whose text has every section and the page's
headline figures; edition N's PDF keeps edition N's numbers; made once, however
many readers ask at once; linked from the pages with its size once made."""

import io
import re
import threading
from decimal import Decimal
from html import unescape

import pikepdf
import pytest
from django.test import Client, RequestFactory
from pypdf import PdfReader

from market import views
from market.models import Edition, MarketFigure
from tests.factories import publish

pytestmark = pytest.mark.django_db

REPORT = "/reports/us-gene-therapy-medicinal-products-market/"
# Sections of the page that are about the page, not the report.
PAGE_ONLY = {"Contents", "Get the data", "Ask the editors", "Share", "Cite this edition"}


def text_of(body):
    """The PDF's text, page by page, with its spaces made single."""
    pages = PdfReader(io.BytesIO(body)).pages
    return [" ".join(page.extract_text().split()) for page in pages]


def plain(html):
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


_made = {}  # the loaded report's PDF, the same for every test: made once per process


@pytest.fixture
def made(report):
    client = Client()
    if "body" not in _made:
        response = client.get(f"{REPORT}report.pdf")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        _made["body"] = response.content
    return client, _made["body"]


def test_the_pdf_is_valid_tagged_and_bookmarked(made):
    _client, body = made
    with pikepdf.open(io.BytesIO(body)) as pdf:
        assert pdf.check_pdf_syntax() == []  # qpdf's structural check
        assert pdf.Root.MarkInfo.Marked and "/StructTreeRoot" in pdf.Root
        assert str(pdf.Root.Lang) == "en"
        title = str(pdf.docinfo["/Title"])
        assert title == "US Gene Therapy Medicinal Products (GTMP) Market, edition 1"
        with pdf.open_outline() as outline:
            (root,) = outline.root
            sections = [item.title for item in root.children]
    assert sections[:4] == ["Contents", "At a glance", "Overview", "Market size and forecast"]
    assert sections[-1] == "Methodology, sources and citation"


def test_its_text_has_every_section_and_the_pages_headline_figures(made):
    client, body = made
    text = " ".join(text_of(body))
    page = client.get(REPORT).content.decode()
    headings = {plain(h) for h in re.findall(r"<h2[^>]*>(.*?)</h2>", page)} - PAGE_ONLY
    headings -= {"Headline figures"}  # a heading for screen readers; the PDF's cover shows them
    assert headings and {h for h in headings if h not in text} <= {"Methodology and sources"}
    assert "Methodology, sources and citation" in text
    headline = re.search(r'<section class="headline".*?</section>', page, re.S)[0]
    values = [plain(v) for v in re.findall(r'<dd class="stat-value">(.*?)</dd>', headline)]
    assert len(values) == 3 and all(value in text for value in values), values
    glance = re.search(r'<section class="snapshot".*?</section>', page, re.S)[0]
    facts = [plain(v) for v in re.findall(r"<dd>(.*?)</dd>", glance)]
    assert len(facts) >= 6 and [f for f in facts if f not in text] == []
    assert "Page 1 of" in text


def headings(items, level=1):
    """(title, level, outline item) of every bookmark under ``items``, depth first."""
    for item in items:
        yield item.title, level, item
        yield from headings(item.children, level + 1)


def test_no_heading_is_left_alone_at_the_foot_of_a_page(made):
    """Each bookmarked heading is followed on its page by what it heads, and each
    section (a second-level bookmark) starts a page, but the glance at the
    contents page."""
    _client, body = made
    running = re.compile(r" US Gene Therapy Medicinal Products \(GTMP\) Market Edition [\d.]+ "
                         r"Page \d+ of \d+$")  # fmt: skip
    texts = [running.sub("", text) for text in text_of(body)]
    with pikepdf.open(io.BytesIO(body)) as pdf:
        pages = {page.objgen: n for n, page in enumerate(pdf.pages)}
        with pdf.open_outline() as outline:
            found = list(headings(outline.root))
        for title, level, item in found[1:]:  # the cover's title heads the whole
            text = texts[pages[item.destination[0].objgen]]
            assert title in text and not text.endswith(title), title
            if level == 2 and title != "At a glance":
                assert text.startswith(title), (title, text[:60])
    assert len(found) > 40  # sections, segments, trends, questions


def test_an_editions_pdf_keeps_its_numbers(report):
    figure = MarketFigure.objects.get(report=report, segment=None, year=2030)
    figure.value = Decimal("20.000")
    figure.save()
    publish(report)
    client = Client()
    latest = " ".join(text_of(client.get(f"{REPORT}report.pdf").content))
    first = " ".join(text_of(client.get(f"{REPORT}editions/1/report.pdf").content))
    assert "2030 20.00 Forecast" in latest and "2030 14.40 Forecast" in first
    assert "Edition 2 ·" in latest and "Edition 1 ·" in first


def test_two_readers_at_once_cause_one_render(report, caplog):
    edition = Edition.objects.select_related("report").get()
    requests = [RequestFactory().get(f"{REPORT}report.pdf") for _ in range(2)]
    bodies = []
    threads = [threading.Thread(target=lambda r=r: bodies.append(views.pdf_of(r, edition)))
               for r in requests]  # fmt: skip
    caplog.set_level("INFO", logger="market.views")
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(bodies) == 2 and bodies[0] == bodies[1]
    assert len([r for r in caplog.records if r.message.startswith("Made the PDF")]) == 1


def test_the_pages_link_the_pdf_with_its_size_once_made(report):
    client = Client()
    page = client.get(REPORT).content.decode()
    assert re.search(r'href="/reports/[^"]+/report\.pdf">The report as a PDF</a>:', page)
    body = client.get(f"{REPORT}report.pdf").content
    page = client.get(REPORT).content.decode()  # made again: it showed no size
    size = re.search(r'report\.pdf">The report as a PDF</a> \(([\d.]+).KB\)', page)[1]
    assert abs(float(size) * 1024 - len(body)) < 1024
    edition_page = client.get(f"{REPORT}editions/1/").content.decode()
    assert 'href="/reports/us-gene-therapy-medicinal-products-market/editions/1/report.pdf"' in (
        edition_page
    )
