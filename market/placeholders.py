"""Numbers in prose that come from the data: ``{{ size 2030 }}`` and friends.

Editors type placeholders in any Markdown field; they are replaced with the
current figures wherever the prose is shown, so text and charts cannot
disagree. Double braces never mean anything in Markdown. The names:

    {{ size 2030 }}             whole-market size in 2030: "USD 14.40 billion"
    {{ size 2030 monogenic }}   a segment's size (by its slug)
    {{ value 2030 }}            the number alone: "14.40"
    {{ stated_cagr }}           the CAGR the source states: "17.50 %"
    {{ implied_cagr }}          the CAGR the figures imply (see Forecast.implied_period)
    {{ cagr 2022 2030 }}        the whole market's CAGR between two years (computed)
    {{ forecast_period }}       "2024-2030"
    {{ base_year }}             "2022"
    {{ approvals }}             US approvals of the report's therapies: "28"
    {{ approvals cancer }}      those of one segment (by its slug)
    {{ approvals_period }}      the years of the first and last approval: "2015-2025"

A computed value (a year between two entered figures) says so: "(computed)".
A placeholder that cannot be filled is shown as typed and is an error in the
report's checks, which keeps the report from being published.
"""

import re
from dataclasses import dataclass
from functools import cached_property

from django.db.models import prefetch_related_objects

from market import forecast

PLACEHOLDER = re.compile(r"\{\{\s*(.*?)\s*\}\}")
# Arguments each name takes: (the least, the most).
ARGUMENTS = {
    "size": (1, 2),
    "value": (1, 2),
    "stated_cagr": (0, 0),
    "implied_cagr": (0, 0),
    "cagr": (2, 2),
    "forecast_period": (0, 0),
    "implied_period": (0, 0),
    "base_year": (0, 0),
    "end_year": (0, 0),
    "approved": (1, 1),
    "approvals": (0, 1),
    "approvals_period": (0, 0),
}
HELP = (
    "Numbers from the report's figures go in as placeholders, such as {{ size 2030 }}, so "
    "they follow the figures: pick one from “Insert a placeholder” below the field, which "
    "shows what each gives now (docs/editing.md lists them all)."
)
# A decimal number typed as a percentage or a market size ("17.36 %", "14.40 billion"):
# the kind of number that goes stale when the figures change.
TYPED_NUMBER = re.compile(r"(?<![\w.])(\d+\.\d+)\s?(%|percent|million|billion)")
# Any number typed in prose: a year, a count, an amount or a percentage. A number
# that is part of a name ("COVID-19", "CD19", "phase 2b", "AAV9") is not one, nor are
# the names in NAMED_NUMBERS, a list kept short on purpose (docs/editing.md).
ANY_NUMBER = re.compile(r"(?<![\w.\-/#:])\d[\d,.]*(?![\w\-/])")
NAMED_NUMBERS = re.compile(r"\b(?:types? \d+(?: and \d+)?|phase \d+)\b", re.IGNORECASE)
LINK = re.compile(r"<?https?://[^\s>)]+>?")
LIST_MARKER = re.compile(r"^\s*\d+[.)]\s", re.MULTILINE)


class PlaceholderError(ValueError):
    """A placeholder that cannot be filled; the message is for an editor."""


def syntax_errors(text):
    """Messages for placeholders with an unknown name or the wrong arguments."""
    errors = []
    for match in PLACEHOLDER.finditer(text or ""):
        name, *args = match.group(1).split() or [""]
        if name not in ARGUMENTS:
            errors.append(f"Unknown placeholder “{match.group(0)}”; known: {', '.join(ARGUMENTS)}.")
            continue
        least, most = ARGUMENTS[name]
        if not least <= len(args) <= most:
            errors.append(f"“{match.group(0)}” takes {least}–{most} values after “{name}”.")
        elif name in ("size", "value", "cagr") and not all(
            a.isdigit() for a in args[: 2 if name == "cagr" else 1]
        ):
            errors.append(f"“{match.group(0)}”: the year must be a number such as 2030.")
    return errors


@dataclass(frozen=True)
class Facts:
    """What placeholders of one report are filled from."""

    report: object  # market.models.Report
    result: forecast.Forecast

    def _series(self, slug):
        if slug is None:
            return self.result.total
        names = {s.slug: s.name for s in self.segments}
        if slug not in names:
            raise PlaceholderError(
                f"no segment “{slug}”; this report's are: {', '.join(names) or 'none'}"
            )
        for series in self.result.segments:
            if series.segment == names[slug]:
                return series
        raise PlaceholderError(f"the segment “{slug}” has no figures")

    def _point(self, year, slug=None):
        series = self._series(slug)
        for point in series.points:
            if point.year == int(year):
                return point
        raise PlaceholderError(f"no {'whole-market' if slug is None else slug} figure for {year}")

    @cached_property
    def segments(self):
        """The report's segments, read once (none when already prefetched), with one
        query for all their therapies."""
        segments = list(self.report.segments.all())
        prefetch_related_objects(segments, "therapies")
        return segments

    def _segment(self, slug):
        for segment in self.segments:
            if segment.slug == slug:
                return segment
        names = ", ".join(s.slug for s in self.segments) or "none"
        raise PlaceholderError(f"no segment “{slug}”; this report's are: {names}")

    def approved_therapies(self):
        """The report's approved therapies, in its segments' order."""
        return self._approvals()

    def _approvals(self, slug=None):
        segments = [self._segment(slug)] if slug else self.segments
        return [therapy for segment in segments for therapy in segment.therapies.all()]

    def fill(self, name, args):
        report = self.report
        if name == "approvals":
            return str(len(self._approvals(*args)))
        if name == "approved":
            (slug,) = args
            for therapy in self._approvals():
                if therapy.slug == slug:
                    return str(therapy.approved_on.year)
            raise PlaceholderError(f"no approved therapy “{slug}” in this report's segments")
        if name == "approvals_period":
            years = sorted(therapy.approved_on.year for therapy in self._approvals())
            if not years:
                raise PlaceholderError("the report has no approved therapies")
            return f"{years[0]}–{years[-1]}"
        if name in ("size", "value"):
            point = self._point(*args)
            value = point.value
            text = report.amount_text(value) if name == "size" else forecast.value_text(value)
            return f"{text} (computed)" if point.computed else text
        if name == "cagr":
            start, end = (self._point(year) for year in args)
            try:
                rate = forecast.cagr(start.value, end.value, end.year - start.year)
            except forecast.ForecastError as exc:
                raise PlaceholderError(str(exc)) from None
            return forecast.percent_text(rate)
        if name in ("stated_cagr", "implied_cagr"):
            rate = getattr(self.result, name)
            if rate is None:
                raise PlaceholderError(f"the report has no {name.replace('_', ' ')}")
            return forecast.percent_text(rate)
        if name == "forecast_period":
            return f"{report.forecast_start_year}–{report.forecast_end_year}"
        if name == "implied_period":
            if self.result.implied_period is None:
                raise PlaceholderError("the figures imply no CAGR")
            return "–".join(map(str, self.result.implied_period))
        if name == "end_year":
            return str(report.forecast_end_year)
        return str(report.base_year)

    @cached_property
    def known_values(self):
        """``values()``, worked out once for all of a report's texts."""
        return self.values()

    def values(self):
        """Every number a placeholder of this report can show, as typed in prose."""
        numbers = {
            forecast.value_text(p.value)
            for s in (self.result.total, *self.result.segments)
            for p in s.points
        }
        numbers |= {
            str(forecast.as_percent(r))
            for r in (self.result.stated_cagr, self.result.implied_cagr)
            if r is not None
        }
        return numbers


def _fill(match, facts):
    errors = syntax_errors(match.group(0))
    if errors:
        raise PlaceholderError(errors[0])
    if facts is None:
        raise PlaceholderError(f"“{match.group(0)}”: this text belongs to no report")
    name, *args = match.group(1).split()
    try:
        return facts.fill(name, args)
    except PlaceholderError as exc:
        raise PlaceholderError(f"“{match.group(0)}” cannot be filled: {exc}") from None


def render(text, facts):
    """``text`` with every placeholder filled; one that cannot be is left as typed."""

    def replace(match):
        try:
            return _fill(match, facts)
        except PlaceholderError:
            return match.group(0)

    return PLACEHOLDER.sub(replace, text or "")


def typed_numbers(text):
    """The numbers typed by hand in the prose ``text``: not those placeholders show,
    nor those in links, list markers and names."""
    text = PLACEHOLDER.sub("", text or "")
    for pattern in (LINK, LIST_MARKER, NAMED_NUMBERS):
        text = pattern.sub(" ", text)
    return [match.group(0).rstrip(".,") for match in ANY_NUMBER.finditer(text)]


def problems(text, facts, where):
    """(errors, warnings) about the prose ``text`` shown as ``where``: placeholders that
    cannot be filled, and numbers typed by hand."""
    errors, warnings = [], []
    for match in PLACEHOLDER.finditer(text or ""):
        try:
            _fill(match, facts)
        except PlaceholderError as exc:
            errors.append(f"{where}: {exc}")
    known = facts.known_values if facts else set()
    decimals = set()
    for match in TYPED_NUMBER.finditer(PLACEHOLDER.sub("", text or "")):
        decimals.add(match.group(1))
        if (
            match.group(2) in ("million", "billion")
            and facts
            and match.group(2) != facts.report.unit
        ):
            continue  # another unit: a price or a deal, not a market size
        number = match.group(0).strip()
        if match.group(1) in known:
            warnings.append(
                f"{where}: “{number}” is typed; it matches a figure, so write it as a "
                "placeholder to keep it in step."
            )
        else:
            warnings.append(
                f"{where}: “{number}” matches no figure of the report; if it comes from "
                "the figures, write it as a placeholder."
            )
    for number in typed_numbers(text):
        if number not in decimals:
            warnings.append(
                f"{where}: “{number}” is typed; a year, count or amount in prose goes stale, "
                "so take it from a placeholder (such as {{ end_year }} or {{ approved "
                "kymriah }}) or leave it out."
            )
    return errors, warnings


def validate_placeholders(text):
    """Field validator: every placeholder in ``text`` has a known name and arguments."""
    from django.core.exceptions import ValidationError

    errors = syntax_errors(text)
    if errors:
        raise ValidationError(errors)


def refuse_without_report(**texts):
    """Field errors for placeholders in prose that belongs to no report (a company
    profile, a site-wide question): there are no figures to fill them from."""
    from django.core.exceptions import ValidationError

    errors = {
        name: f"“{match.group(0)}” cannot be filled here: this text belongs to no report."
        for name, text in texts.items()
        if (match := PLACEHOLDER.search(text or ""))
    }
    if errors:
        raise ValidationError(errors)
