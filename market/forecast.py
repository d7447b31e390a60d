"""The forecast engine: yearly series, CAGRs and consistency checks.

Pure functions on ``Decimal`` with no database access. The report page, the
CSV/JSON downloads, the API and the admin all call ``build_forecast`` (through
``Report.forecast()``), so they can never show different numbers.

Rules (docs/architecture.md has the longer story):

- Figures editors entered keep their value, kind and source.
- Years between two entered figures are filled by constant growth (geometric
  interpolation) and marked ``computed`` with method ``interpolated``.
- Nothing is extrapolated outside the entered years, except inside the period
  a report states a CAGR for: there, years beyond the nearest entered figure are
  computed from the stated CAGR (method ``stated_cagr``).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from itertools import pairwise

# Values are stored with three decimals (MarketFigure.value); computed ones match.
VALUE_QUANTUM = Decimal("0.001")
PERCENT_QUANTUM = Decimal("0.01")
# A stated CAGR may differ from the one the figures imply by rounding in the
# source, or because the two cover different periods; beyond this many percentage
# points the editor is warned.
CAGR_TOLERANCE_POINTS = Decimal("0.25")

ENTERED = "entered"
INTERPOLATED = "interpolated"
STATED_CAGR = "stated_cagr"

ERROR = "error"
WARNING = "warning"
INFO = "info"


class ForecastError(ValueError):
    """Input the engine cannot compute with; the message is for an editor."""


@dataclass(frozen=True)
class Figure:
    """One entered figure. ``segment`` is None for the whole market."""

    year: int
    value: Decimal
    kind: str
    source: str = ""
    segment: str | None = None


@dataclass(frozen=True)
class Point:
    year: int
    value: Decimal
    kind: str
    method: str  # ENTERED, INTERPOLATED or STATED_CAGR
    source: str = ""

    @property
    def computed(self):
        return self.method != ENTERED


@dataclass(frozen=True)
class Check:
    level: str  # ERROR, WARNING or INFO
    code: str
    message: str


@dataclass(frozen=True)
class ReportFigures:
    """What the engine needs to know of a report."""

    base_year: int
    forecast_start_year: int
    forecast_end_year: int
    stated_cagr: Decimal | None  # percent, e.g. Decimal("17.50")
    figures: tuple[Figure, ...]
    segments: tuple[str, ...] = ()  # segment names in page order


@dataclass(frozen=True)
class Series:
    segment: str | None
    points: tuple[Point, ...]

    def value_in(self, year):
        return next((p.value for p in self.points if p.year == year), None)


@dataclass(frozen=True)
class Forecast:
    """The result of ``build_forecast``.

    ``total`` is the whole-market series; ``segments`` holds one series per
    segment that has figures, in page order; CAGRs are fractions (0.175), see
    ``as_percent``.
    """

    total: Series
    segments: tuple[Series, ...]
    stated_cagr: Decimal | None
    implied_cagr: Decimal | None
    checks: tuple[Check, ...] = field(default=())
    # The years the implied rate is computed between: from the last entered figure
    # at or before the forecast start (a start year between two figures is only
    # their interpolation) to the forecast end.
    implied_period: tuple[int, int] | None = None


def cagr(start_value, end_value, years):
    """Compound annual growth rate as a fraction: (end / start) ** (1 / years) - 1."""
    start_value, end_value = Decimal(start_value), Decimal(end_value)
    if years <= 0:
        raise ForecastError("A growth rate needs two different years.")
    if start_value <= 0:
        raise ForecastError("A growth rate needs a starting value above zero.")
    if end_value < 0:
        raise ForecastError("A growth rate needs an end value of zero or more.")
    if end_value == 0:
        return Decimal(-1)
    return (end_value / start_value) ** (Decimal(1) / Decimal(years)) - 1


def grow(value, rate, years):
    """``value`` after ``years`` of growth at ``rate`` (negative years go back in time)."""
    return _quantize(Decimal(value) * (1 + Decimal(rate)) ** years)


def as_percent(rate):
    """A fraction as a percentage with two decimals: 0.17357 -> Decimal('17.36')."""
    return None if rate is None else (rate * 100).quantize(PERCENT_QUANTUM, ROUND_HALF_EVEN)


def value_text(value):
    """A market size as every page, placeholder and table shows it: '14.40'."""
    return f"{value:.2f}"


def percent_text(rate):
    """A rate (a fraction) as every page, placeholder and message shows it: '17.36 %'."""
    return f"{as_percent(rate)} %"


def build_series(figures, *, base_year, stated_cagr=None, cagr_period=None):
    """The yearly series through ``figures`` (one scope), as a list of ``Point``.

    ``stated_cagr`` is a fraction valid for the years ``cagr_period`` (start,
    end). Raises ForecastError when two figures share a year.
    """
    anchors = sorted(figures, key=lambda f: f.year)
    years = [f.year for f in anchors]
    if len(set(years)) != len(years):
        duplicate = next(y for y in years if years.count(y) > 1)
        raise ForecastError(f"Two figures are given for {duplicate}.")

    def grown(anchor, rate, years, method):
        return [
            Point(
                year, grow(anchor.value, rate, year - anchor.year), _kind(year, base_year), method
            )
            for year in years
        ]

    points = [_entered(anchors[0])] if anchors else []
    for left, right in pairwise(anchors):
        if left.value > 0 and right.value > 0:
            rate = cagr(left.value, right.value, right.year - left.year)
            points += grown(left, rate, range(left.year + 1, right.year), INTERPOLATED)
        points.append(_entered(right))

    if anchors and stated_cagr is not None and cagr_period is not None:
        start, end = cagr_period
        first, last = anchors[0], anchors[-1]
        if start <= last.year < end and last.value > 0:
            points += grown(last, stated_cagr, range(last.year + 1, end + 1), STATED_CAGR)
        if start < first.year <= end and first.value > 0:
            points += grown(first, stated_cagr, range(start, first.year), STATED_CAGR)
    return sorted(points, key=lambda p: p.year)


def build_forecast(report):
    """Series, implied CAGR and consistency checks for a ``ReportFigures``.

    Pure, and its input and result immutable, so one save that asks for the same
    report's forecast several times (the form's check, the publish gate, the
    editor's messages) builds it once. The key is the input's repr, not its value:
    Decimal("4.00") equals Decimal("4.000"), but the result shows the digits."""
    return _build_forecast(repr(report), report)


@functools.lru_cache(maxsize=32)
def _build_forecast(key, report):
    stated = report.stated_cagr / 100 if report.stated_cagr is not None else None
    period = (report.forecast_start_year, report.forecast_end_year)
    by_scope = defaultdict(list)
    for figure in report.figures:
        by_scope[figure.segment].append(figure)

    checks = []
    series = {}
    for scope, figures in by_scope.items():
        try:
            points = build_series(
                figures, base_year=report.base_year, stated_cagr=stated, cagr_period=period
            )
        except ForecastError as exc:
            checks.append(Check(ERROR, "duplicate-year", f"{_scope_name(scope)}: {exc}"))
            points = []
        series[scope] = Series(scope, tuple(points))

    total = series.pop(None, Series(None, ()))
    order = {name: index for index, name in enumerate(report.segments)}
    segments = tuple(sorted(series.values(), key=lambda s: order.get(s.segment, len(order))))
    implied, implied_period, cagr_checks = _implied_cagr(total, report, stated)
    checks += cagr_checks
    checks += _segment_sum_checks(total, segments)
    checks += _coverage_checks(report)
    checks += _gap_checks(total, *segments)
    return Forecast(total, segments, stated, implied, tuple(checks), implied_period)


def _implied_cagr(total, report, stated):
    """The CAGR the entered figures imply up to the forecast end, its period (see
    ``Forecast.implied_period``), and checks about it."""
    start, end = report.forecast_start_year, report.forecast_end_year
    if start == end:
        return (
            None,
            None,
            [
                Check(
                    WARNING,
                    "empty-period",
                    f"The forecast period {start}–{end} has no length, "
                    "so no growth rate can be computed over it.",
                )
            ],
        )
    # Values derived from the stated CAGR would only confirm themselves.
    own = {p.year: p.value for p in total.points if p.method != STATED_CAGR}
    if start not in own or end not in own:
        return None, None, []
    entered = [p.year for p in total.points if p.method == ENTERED and p.year <= start]
    first = max(entered, default=start)
    try:
        implied = cagr(own[first], own[end], end - first)
    except ForecastError as exc:
        return (
            None,
            None,
            [Check(WARNING, "implied-cagr", f"No implied CAGR for {first}–{end}: {exc}")],
        )
    if stated is None:
        return implied, (first, end), []
    difference = abs(as_percent(implied) - as_percent(stated))
    wording = (
        f"The stated CAGR of {as_percent(stated)} % for {start}–{end} differs from the "
        f"{as_percent(implied)} % a year that the figures imply for {first}–{end} by "
        f"{difference} percentage points"
    )
    # Over the same period only rounding in the source separates the two rates; over
    # different periods (the figures give no value for the stated rate's first year)
    # the gap also comes from the periods, and the message says so.
    cause = "rounding" if first == start else "different periods"
    if first != start:
        wording += (
            f" (different periods: {start} lies between entered figures, so the implied "
            f"rate runs from {first})"
        )
    if difference > CAGR_TOLERANCE_POINTS:
        check = Check(
            WARNING,
            "cagr-mismatch",
            f"{wording}, more than the {CAGR_TOLERANCE_POINTS} points that {cause} can "
            "explain. Check the figures and the stated CAGR.",
        )
    else:
        check = Check(
            INFO,
            "cagr-mismatch",
            f"{wording}, within the {CAGR_TOLERANCE_POINTS} points that {cause} can explain.",
        )
    return implied, (first, end), [check]


def _segment_sum_checks(total, segments):
    checks = []
    entered = defaultdict(list)
    for series in segments:
        for point in series.points:
            if point.method == ENTERED:
                entered[point.year].append(point.value)
    for year, values in sorted(entered.items()):
        whole = total.value_in(year)
        if whole is not None and sum(values) > whole:
            checks.append(
                Check(
                    ERROR,
                    "segments-exceed-total",
                    f"In {year} the segment figures add up to {value_text(sum(values))}, more "
                    f"than the whole market's {value_text(whole)}.",
                )
            )
    return checks


def _coverage_checks(report):
    first_year = min(report.base_year, report.forecast_start_year)
    last_year = report.forecast_end_year
    checks = [
        Check(
            WARNING,
            "year-outside-report",
            f"{_scope_name(f.segment)} has a figure for {f.year}, outside the report's years "
            f"{first_year}–{last_year}.",
        )
        for f in sorted(report.figures, key=lambda f: (f.segment or "", f.year))
        if not first_year <= f.year <= last_year
    ]
    totals = {f.year for f in report.figures if f.segment is None}
    start, end = report.forecast_start_year, report.forecast_end_year
    if not any(start <= year <= end for year in totals):
        checks.append(
            Check(
                WARNING,
                "empty-forecast-period",
                f"The whole market has no figure in the forecast period {start}–{end}.",
            )
        )
    if report.base_year not in totals:
        checks.append(
            Check(
                WARNING,
                "no-base-year-figure",
                f"The whole market has no figure for the base year {report.base_year}.",
            )
        )
    return checks


def _gap_checks(*all_series):
    checks = []
    for series in all_series:
        years = [p.year for p in series.points]
        missing = sorted(set(range(years[0], years[-1] + 1)) - set(years)) if years else []
        if missing:
            checks.append(
                Check(
                    WARNING,
                    "gap",
                    f"{_scope_name(series.segment)} has no value for "
                    f"{', '.join(map(str, missing))}: growth cannot be computed from or to zero.",
                )
            )
    return checks


def _entered(figure):
    return Point(figure.year, figure.value, figure.kind, ENTERED, figure.source)


def _kind(year, base_year):
    return "forecast" if year > base_year else "estimate"


def _quantize(value):
    try:
        return value.quantize(VALUE_QUANTUM, ROUND_HALF_EVEN)
    except InvalidOperation as exc:  # a value too large for the context
        raise ForecastError("The computed value is too large.") from exc


def _scope_name(segment):
    return segment or "The whole market"


def forecast_as_dict(result, checks=None):
    """JSON-ready form of a ``Forecast``, shared by the downloads and the API;
    ``checks`` replaces the forecast's own (e.g. with the report's prose checks added).

    Shape: {"stated_cagr": "17.50" | None, "implied_cagr": "17.36" | None (percent),
    "implied_cagr_period": "2022-2030" (an en dash) | None, "series":
    [``series_as_dict`` shape, whole market first], "checks": [{"level", "code",
    "message"}]}.
    Decimals are strings so no precision is lost.
    """
    period = result.implied_period
    return {
        "stated_cagr": _str(as_percent(result.stated_cagr)),
        "implied_cagr": _str(as_percent(result.implied_cagr)),
        "implied_cagr_period": period and f"{period[0]}–{period[1]}",
        "series": [series_as_dict(series) for series in (result.total, *result.segments)],
        "checks": [
            {"level": c.level, "code": c.code, "message": c.message}
            for c in (result.checks if checks is None else checks)
        ],
    }


def series_as_dict(series):
    """JSON-ready form of one ``Series``: the one shape a series has outside Python,
    in the API, the downloads and the page's chart data.

    Shape: {"segment": None | name, "points": [{"year", "value" (a decimal string),
    "kind", "method", "computed", "source"}]}.
    """
    return {
        "segment": series.segment,
        "points": [
            {
                "year": p.year,
                "value": str(p.value),
                "kind": p.kind,
                "method": p.method,
                "computed": p.computed,
                "source": p.source,
            }
            for p in series.points
        ],
    }


def provenance(points, stated_cagr=None):
    """Where each point of a ``series_as_dict`` series comes from, in words, in
    order: an entered figure's source; for a computed one, the figures it is
    computed from ("computed by constant growth from 4.000 in 2022 (Verified
    Market Reports) to 14.400 in 2030 (…)", "computed at the stated CAGR of
    17.50 % from 14.400 in 2030 (…)"). ``stated_cagr``: percent, a string."""
    entered = [p for p in points if p["method"] == ENTERED]

    def named(point):
        return f"{point['value']} in {point['year']} ({point['source'] or 'no source given'})"

    found = []
    for point in points:
        before = [e for e in entered if e["year"] < point["year"]]
        after = [e for e in entered if e["year"] > point["year"]]
        if point["method"] == ENTERED:
            found.append(point["source"])
        elif point["method"] == INTERPOLATED:
            found.append(
                f"computed by constant growth from {named(before[-1])} to {named(after[0])}"
            )
        else:
            anchor = before[-1] if before else after[0]
            found.append(f"computed at the stated CAGR of {stated_cagr} % from {named(anchor)}")
    return found


def _str(value):
    return None if value is None else str(value)
