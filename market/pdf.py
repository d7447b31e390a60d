"""An edition of a report as a PDF, rendered on the server with WeasyPrint from
the edition's snapshot (``market.snapshot``), the document its pages render
from: the same text and numbers, the charts as vector images
(``market.chart_images``) and as tables. A tagged PDF (PDF/UA-1) with a title,
a language and bookmarks from its headings.

``render`` takes a few seconds: ``market.views.pdf_of`` makes it once per
edition and keeps it."""

import base64

from django.template.loader import render_to_string

from market import chart_images, charts, citation


def chart_svg(shown, draw, height, licence):
    """A chart as an SVG data URI, drawn as the chart images are."""
    body = chart_images.render(draw, shown, licence=licence, fmt="svg", height=height)
    return "data:image/svg+xml;base64," + base64.b64encode(body).decode()


def render(page, edition, charted, *, edition_url):
    """The PDF bytes of ``edition`` (its page context ``page``, market.views.page_context);
    ``charted`` is [(name, shown, draw, height)], the charts to draw in."""
    licence = page["report"]["licence"]
    figures = {
        name: {"src": chart_svg(shown, draw, height, licence), "shown": shown}
        for name, shown, draw, height in charted
    }
    html = render_to_string("market/report_pdf.html", {
        **page,
        "edition": edition,
        "edition_label": charts.edition_label(edition),
        "edition_url": edition_url,
        "figures": figures,
        "cite": citation.formats(edition.document, edition, edition_url),
    })  # fmt: skip
    from weasyprint import HTML  # loads Pango: only where a PDF is made

    return HTML(string=html, base_url=edition_url).write_pdf(
        pdf_variant="pdf/ua-1", pdf_tags=True, pdf_identifier=edition_url.encode()
    )
