"""What the editor's checks panel says about one prose text of a report, beside
its field: placeholders that cannot be filled or fill to nothing, numbers typed
by hand, links that do not say where they go, headings out of order, and how
hard the text is to read; with the text as readers will see it, and the
placeholders the report can fill now, for the insert menu."""

import re

import markdown
import textstat

from gtmp_site.core.prose import plain_text, render_markdown
from market import placeholders

# Link texts that do not say where the link goes (WCAG 2.4.4).
VAGUE_LINK_TEXTS = {"here", "click here", "link", "this", "more", "read more", "this page"}
LINK = re.compile(r'<a href="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL)
HEADING = re.compile(r"<h([1-6])\b")
# Prose is shown under the page's own h1 and h2 headings: its own start at h3.
FIRST_HEADING = 3
# Below this Flesch reading ease (0-100) a text is hard for most readers.
HARD_TO_READ = 30


def check(text, facts, where):
    """[{"level", "message"}] about ``text``, shown as ``where``."""
    errors, warnings = placeholders.problems(text, facts, where)
    items = [{"level": "error", "message": m} for m in errors]
    items += [{"level": "warning", "message": m} for m in warnings]
    for match in placeholders.PLACEHOLDER.finditer(text or ""):
        filled = placeholders.render(match.group(0), facts)
        if filled != match.group(0) and not filled.strip():
            items.append(_warning(f"{where}: “{match.group(0)}” fills to nothing."))
    items += _instead(text, facts, where)
    filled = placeholders.render(text, facts)
    items += _links(filled, where) + _headings(filled, where)
    words = plain_text(filled)
    if words:
        ease = min(100, max(0, textstat.flesch_reading_ease(words)))  # the formula overshoots
        minutes = max(1, round(textstat.reading_time(words) / 60))
        hard = ease < HARD_TO_READ
        advice = "; hard for most readers: shorter sentences and words help" if hard else ""
        items.append({
            "level": "warning" if hard else "info",
            "message": f"{where}: reading ease {ease:.0f} of 100 (Flesch, computed{advice}); "
            f"about {minutes} min to read.",
        })  # fmt: skip
    return items


def _instead(text, facts, where):
    """For each number typed by hand that a placeholder gives now, that placeholder."""
    if facts is None:
        return []
    gives = {}
    for offered in menu(facts):
        for number in placeholders.ANY_NUMBER.findall(offered["value"]):
            gives.setdefault(number.rstrip(".,"), offered["code"])
    found = []
    for number in dict.fromkeys(placeholders.typed_numbers(text)):
        if number in gives:
            found.append(_warning(f"{where}: “{number}” is what {gives[number]} gives now: "
                                  "insert that instead."))  # fmt: skip
    return found


def _warning(message):
    return {"level": "warning", "message": message}


def _links(text, where):
    found = []
    for href, label in LINK.findall(str(render_markdown(text))):
        words = re.sub(r"<[^>]+>", "", label).strip()
        if words.lower() in VAGUE_LINK_TEXTS or words == href:
            found.append(_warning(f"{where}: the link “{words}” does not say where it goes; "
                                  "name the page or document instead."))  # fmt: skip
    return found


def _headings(text, where):
    levels = [int(n) for n in HEADING.findall(markdown.markdown(text or ""))]
    found = []
    if any(level < FIRST_HEADING for level in levels):
        found.append(_warning(f"{where}: headings start at ### here (the page's own are above "
                              "them); # and ## show as plain text."))  # fmt: skip
    for before, after in zip([FIRST_HEADING - 1, *levels], levels, strict=False):
        if after > before + 1:
            found.append(_warning(f"{where}: a level-{after} heading follows a level-{before} "
                                  "one; do not skip a level."))  # fmt: skip
            break
    return found


def menu(facts):
    """[(placeholder, what it gives now)] that this report's prose can use."""
    report, result = facts.report, facts.result
    codes = ["base_year", "end_year", "forecast_period", "implied_period", "stated_cagr",
             "implied_cagr", "approvals", "approvals_period"]  # fmt: skip
    years = sorted({p.year for p in result.total.points})
    codes += [f"size {year}" for year in years]
    if len(years) > 1:
        codes.append(f"cagr {years[0]} {years[-1]}")
    for segment in report.segments.all():
        codes.append(f"approvals {segment.slug}")
        codes += [
            f"size {year} {segment.slug}" for year in (report.base_year, report.forecast_end_year)
        ]
    codes += [f"approved {t.slug}" for t in facts.approved_therapies()]
    offered = []
    for code in codes:
        value = placeholders.render(f"{{{{ {code} }}}}", facts)
        if not value.startswith("{{"):  # only those it can fill now
            offered.append({"code": f"{{{{ {code} }}}}", "value": value})
    return offered
