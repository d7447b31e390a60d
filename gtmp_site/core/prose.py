"""Markdown typed by editors, rendered on the server and sanitised before output.

Rendering is a pure function of the text (placeholders already filled), so each
process keeps the HTML of the texts it has rendered: a page shows its prose
without running Markdown again until the text, or a figure it quotes, changes.
"""

from functools import lru_cache

import markdown
import nh3
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

ALLOWED_TAGS = {
    "p", "br", "hr", "em", "strong", "code", "pre", "blockquote", "a",
    "ul", "ol", "li", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


# Texts kept per process: a report's prose is a few dozen texts of a few KB each.
RENDERED_TEXTS_KEPT = 1024


def render_markdown(text, *, sections=False):
    """Safe HTML for ``text``: anything outside the allow-list (scripts, event
    handlers, javascript: links, raw iframes) is removed by nh3. Prose sits under
    a page's own h2 sections, so its headings start at h3; a whole document
    (``sections``, such as the API guide under the page's h1) keeps its h2."""
    return mark_safe(_clean_html(text or "", sections))  # sanitised by nh3 in _clean_html


@lru_cache(maxsize=RENDERED_TEXTS_KEPT)
def _clean_html(text, sections=False):
    html = markdown.markdown(text, extensions=["extra", "sane_lists"])
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS | {"h2"} if sections else ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener",
    )


def plain_text(text):
    """The words of Markdown prose without markup, on one line."""
    return _plain_text(text or "")


@lru_cache(maxsize=RENDERED_TEXTS_KEPT)
def _plain_text(text):
    return " ".join(strip_tags(_clean_html(text)).split())
