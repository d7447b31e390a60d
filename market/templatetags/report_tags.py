import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from gtmp_site.core.prose import plain_text, render_markdown
from market import charts, forecast, placeholders

register = template.Library()

# The same escapes as Django's json_script: nothing in the data can close the tag.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def markdown(text, facts=None):
    """Prose as safe HTML, its placeholders filled from ``facts`` (a report's ``facts``)."""
    return render_markdown(placeholders.render(text, facts or None))


@register.filter
def faq_json_ld(questions):
    """schema.org FAQPage JSON-LD for ``questions``, escaped like ``json_script``."""
    data = {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": [
            {
                "@type": "Question",
                "name": q.question,
                "acceptedAnswer": {
                    "@type": "Answer",
                    "text": plain_text(placeholders.render(q.answer, q.report and q.report.facts)),
                },
            }
            for q in questions
        ],
    }
    payload = json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES)
    # The payload is escaped above, so it is safe inside the script element.
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


@register.filter
def figure(value):
    """A market size as every page shows it: '14.40'; a dash where there is none
    (a headline year whose figure an editor removed)."""
    return "—" if value in (None, "") else forecast.value_text(value)


@register.filter
def basis(point):
    """How a forecast point came about, in words (market.charts.basis)."""
    return charts.basis(point)


@register.filter
def amount(value, report):
    """A market size with its currency and unit: 'USD 4.00 billion'."""
    if value is None or value == "":  # a missing figure renders as an empty string
        return "—"
    return report.amount_text(value)
