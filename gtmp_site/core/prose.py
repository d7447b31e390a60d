"""Markdown typed by editors, rendered on the server and sanitised before output."""

import markdown
import nh3
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

ALLOWED_TAGS = {
    "p", "br", "hr", "em", "strong", "code", "pre", "blockquote", "a",
    "ul", "ol", "li", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def render_markdown(text):
    """Safe HTML for ``text``: anything outside the allow-list (scripts, event
    handlers, javascript: links, raw iframes) is removed by nh3."""
    html = markdown.markdown(text or "", extensions=["extra", "sane_lists"])
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener",
    )
    return mark_safe(clean)  # sanitised by nh3 just above


def plain_text(text):
    """The words of Markdown prose without markup, on one line."""
    return " ".join(strip_tags(render_markdown(text)).split())
