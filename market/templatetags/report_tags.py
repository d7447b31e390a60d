import json
from decimal import Decimal
from urllib.parse import urlsplit

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from gtmp_site.core.prose import render_markdown
from market import charts, downloads, forecast, placeholders
from market.chart_images import FORMATS

register = template.Library()

# The same escapes as Django's json_script: nothing in the data can close the tag.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def markdown(text, facts=None):
    """Prose as safe HTML, its placeholders filled from ``facts`` (a report's ``facts``)."""
    return render_markdown(placeholders.render(text, facts or None))


@register.filter
def faq_json_ld(questions):
    """schema.org FAQPage JSON-LD for ``questions`` (Question rows or a report
    snapshot's questions), escaped like ``json_script``."""

    def field(question, name):
        return question[name] if isinstance(question, dict) else getattr(question, name)

    data = {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": [
            {
                "@type": "Question",
                "name": field(q, "question"),
                "acceptedAnswer": {"@type": "Answer", "text": field(q, "answer_text")},
            }
            for q in questions
        ],
    }
    return json_ld(data)


@register.filter
def json_ld(data):
    """``data`` (a dict) as a JSON-LD script element, escaped like ``json_script``."""
    payload = json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES)
    # The payload is escaped above, so it is safe inside the script element.
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


@register.filter
def figure(value):
    """A market size as every page shows it: '14.40' (from a decimal or its string,
    as snapshots hold it); a dash where there is none (a headline year whose
    figure an editor removed)."""
    return "—" if value in (None, "") else forecast.value_text(Decimal(value))


@register.simple_tag
def page_chart(chart, report, edition=None):
    """A forecast chart as the page draws it, dated today (market.charts.for_page)."""
    label = charts.edition_label(edition)
    return charts.for_page(chart, report=report, edition_label=label, today=timezone.localdate())


@register.simple_tag
def chart_image_urls(edition, name, live, segment=None):
    """{"png": url, "svg": url} of the chart ``name`` of ``edition`` (or of its
    segment with the slug ``segment``) drawn on the server (market/chart_images.py),
    at the addresses ``downloads.address`` picks."""
    route, kwargs = "chart-image", {"name": name}
    if segment:
        route, kwargs = f"segment-{route}", {**kwargs, "segment": segment}
    slug = edition.report.slug
    return {fmt: downloads.address(route, slug, edition, live, **kwargs, fmt=fmt)
            for fmt in FORMATS}  # fmt: skip


@register.simple_tag
def estimates_chart(rows, report, headline, edition=None):
    """The estimates chart of a snapshot's rows (market.charts.estimates_for_page)."""
    return charts.estimates_for_page(
        rows, report=report, headline=headline, edition_label=charts.edition_label(edition)
    )


@register.filter
def domain(url):
    """The site a link goes to, as a reader would name it: 'biospace.com'."""
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


@register.simple_tag
def approvals_chart(chart, edition=None):
    """The approvals chart as the page draws it (market.charts.approvals_for_page)."""
    return charts.approvals_for_page(chart, edition_label=charts.edition_label(edition))


@register.filter
def spark(chart):
    """A series' bars for a small inline SVG (market/charts.py spark)."""
    return charts.spark(chart)


@register.filter
def basis(point):
    """How a forecast point (a snapshot's point) came about, in words (market.charts.basis)."""
    return charts.basis(point)
