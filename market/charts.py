"""The report pages' charts: the forecast series, the approvals per year and the
other publishers' estimates, as data for the page's script and the server's
images (market/chart_images.py), with each chart's summary in words and the key
numbers shown beside it.

A snapshot keeps ``chart_data(...)``: the series in the one shape it has in the
API and the downloads (``forecast.series_as_dict``), plus a title and the unit.
``for_page``, ``approvals_for_page`` and ``estimates_for_page`` add what is drawn
in and around each chart when a page renders; the page embeds that with
``json_script`` and static/js/charts.js draws it. The table under each chart
lists the same numbers, so the two can never disagree.
"""

from collections import Counter
from decimal import Decimal

from market import forecast


def chart_data(series, *, title, unit):
    """{"title": str, "unit": "USD billion", "segment": ..., "points": [...]}."""
    return {"title": title, "unit": unit, **forecast.series_as_dict(series)}


# What each point is, for the legend, the table and the screen reader: a forecast
# for a year already past is not told apart by its source, so the page does.
KIND_LABELS = {
    "actual": "Actual",
    "estimate": "Estimate",
    "past": "Past year, forecast (no actual yet)",
    "forecast": "Forecast",
}
# The charts' colours: Okabe and Ito's colour-blind-safe hues, darkened to at least
# 3:1 on white, and near-black. Every palette below stays told apart under
# simulated deuteranomaly, protanomaly and tritanomaly (tests/test_chart_colours.py).
BLACK, BLUE, VERMILLION, PURPLE, GREY = "#1a1a1a", "#0072b2", "#d55e00", "#c675a2", "#666666"
# Each kind's colour, for the page's chart and the server's image alike: sourced
# values solid, computed ones pale with a solid outline. In legend order.
KIND_COLOURS = {"actual": BLACK, "estimate": BLUE, "past": PURPLE, "forecast": VERMILLION}
LEGEND = {"actual": "Actual", "estimate": "Estimate", "past": "Past year, forecast",
          "forecast": "Forecast"}  # fmt: skip
PALE = 0.25  # the opacity of a computed value's fill


def _datasets(points):
    """One dataset per kind of value that ``points`` have (sourced kinds first):
    {"label", "colour", "computed", "values": [value or None, one per point]}."""
    found = []
    for computed in (False, True):
        for kind, colour in KIND_COLOURS.items():
            values = [float(p["value"]) if (p["category"], p["computed"]) == (kind, computed)
                      else None for p in points]  # fmt: skip
            if any(v is not None for v in values):
                label = f"{LEGEND[kind]} ({'computed' if computed else 'sourced'})"
                found.append({"label": label, "colour": colour, "computed": computed,
                              "values": values})  # fmt: skip
    return found


def edition_label(edition):
    """How a chart names what it shows: "Edition 3", or the working copy."""
    return f"Edition {edition.label}" if edition else "Working copy, not an edition"


def for_page(chart, *, report, edition_label, today):
    """``chart`` (a snapshot's, as ``chart_data`` made it) with what the page draws
    in and around it: each point's ``category`` (a key of KIND_LABELS; a forecast
    for a year before ``today``'s is "past") and ``label``; the ``marks`` (base
    year, start of the forecast period, today as an ISO date); and the ``source``
    and ``edition`` lines drawn into the chart. ``report`` is a snapshot's report."""
    points = []
    for point in chart["points"]:
        category = point["kind"]
        if category == "forecast" and point["year"] < today.year:
            category = "past"
        label = KIND_LABELS.get(category, category.capitalize())
        points.append({**point, "category": category, "label": label})
    sources = sorted({p["source"] for p in points if not p["computed"] and p["source"]})
    return {
        **chart,
        "points": points,
        "datasets": _datasets(points),
        "pale": PALE,
        "summary": series_summary(points, chart["unit"]),
        "key_numbers": series_key_numbers(points, chart["unit"]),
        "marks": {
            "base_year": report["base_year"],
            "forecast_start_year": report["forecast_start_year"],
            "today": today.isoformat(),
        },
        "source": f"Source: {', '.join(sources)}; years between them computed."
        if sources
        else "Computed years only.",
        "edition": edition_label,
    }


def _how(point):
    return "computed" if point["computed"] else "sourced"


def _growth(first, last):
    """The growth a year from ``first`` to ``last`` as text ("17.36 %"), or None."""
    if first is last or Decimal(first["value"]) <= 0:
        return None
    rate = forecast.cagr(first["value"], last["value"], last["year"] - first["year"])
    return forecast.percent_text(rate)


def series_summary(points, unit):
    """What a series shows, in a sentence for every reader (screen readers read it
    beside the chart): its range, and the growth a year between its ends, which is
    computed here and says so."""
    if not points:
        return "No figures yet."
    first, last = points[0], points[-1]

    def at(point):
        return f"{forecast.value_text(Decimal(point['value']))} in {point['year']} ({_how(point)})"

    if first is last:
        return f"One figure: {at(first)}, in {unit}."
    growth = _growth(first, last)
    growth = f", {growth} a year (computed from the two)" if growth else ""
    largest = max(points, key=lambda p: Decimal(p["value"]))
    peak = "" if largest is last else f"; the largest value is {at(largest)}"
    return f"From {at(first)} to {at(last)}, in {unit}{growth}{peak}."


def series_key_numbers(points, unit):
    """The numbers shown beside a series' chart: its first and last values and the
    growth a year between them (computed here, and labelled so)."""
    if not points:
        return []
    first, last = points[0], points[-1]
    numbers = [
        {"label": f"{point['label']}, {point['year']}",
         "value": forecast.value_text(Decimal(point["value"])),
         "note": f"{unit}, {_how(point)}"}
        for point in ([first] if first is last else [first, last])
    ]  # fmt: skip
    growth = _growth(first, last)
    if growth:
        numbers.append({"label": f"Growth a year, {first['year']}–{last['year']}",
                        "value": growth, "note": "computed from the two"})  # fmt: skip
    return numbers


def spark(chart, width=240, height=64):
    """A series' bars as a small picture for a report's card (drawn as inline SVG,
    with no script): {"bars": [{"x", "y", "width", "height", "computed"}], "first",
    "last", "width", "height", "label"} in SVG user units, the tallest bar full height."""
    points = chart["points"]
    if not points:
        return None
    top = max(Decimal(p["value"]) for p in points) or 1
    slot = width / len(points)
    bars = []
    for n, point in enumerate(points):
        tall = float(Decimal(point["value"]) / top) * (height - 2)
        bars.append({"x": round(n * slot + slot * 0.15, 1), "width": round(slot * 0.7, 1),
                     "y": round(height - tall, 1), "height": round(tall, 1),
                     "computed": point["computed"]})  # fmt: skip
    return {"bars": bars, "first": points[0]["year"], "last": points[-1]["year"],
            "width": width, "height": height,
            "label": f"{chart['title']}: {series_summary(points, chart['unit'])}"}  # fmt: skip


def basis(point):
    """How a value came about, in words for the table (``point``: a point of
    ``forecast.series_as_dict``)."""
    if point["method"] == forecast.INTERPOLATED:
        return "Computed: constant growth between sourced figures"
    if point["method"] == forecast.STATED_CAGR:
        return "Computed: from the stated CAGR"
    return f"Sourced: {point['source']}" if point["source"] else "Sourced"


def approvals_data(report):
    """US approvals per year, stacked by the report's segments, for the chart and
    its table: {"title", "unit", "years": [...], "stacks": [{"label", "counts"}],
    "rows": [{"year", "counts", "total"}]}. Every year from the first approval to
    the last is a row, years without one included. No query after ``for_page()``."""
    segments = list(report.segments.all())
    counts = {s: Counter(t.approved_on.year for t in s.therapies.all()) for s in segments}
    years = sorted(set().union(*counts.values()))
    years = list(range(years[0], years[-1] + 1)) if years else []
    stacks = [{"label": s.name, "counts": [counts[s][year] for year in years]} for s in segments]
    return {
        "title": f"{report.title}: US approvals of gene therapies per year",
        "unit": "approvals",
        "years": years,
        "stacks": stacks,
        "rows": [
            {"year": year, "counts": (c := [counts[s][year] for s in segments]), "total": sum(c)}
            for year in years
        ],
    }


def _approvals_facts(chart):
    """(total, busiest row, [(segment, count)] largest first) of ``approvals_data``."""
    rows = chart["rows"]
    total = sum(row["total"] for row in rows)
    busiest = max(rows, key=lambda row: row["total"]) if rows else None
    segments = sorted(
        ((stack["label"], sum(stack["counts"])) for stack in chart["stacks"]),
        key=lambda item: -item[1],
    )
    return total, busiest, segments


def approvals_summary(chart):
    """What the approvals chart (``approvals_data``) shows, in a sentence: the total
    and years, the busiest year, and the count per segment, largest first."""
    total, busiest, segments = _approvals_facts(chart)
    if not total:
        return "No approvals yet."
    rows = chart["rows"]
    split = ", ".join(f"{name} {count}" for name, count in segments if count)
    return (
        f"{total} approvals from {rows[0]['year']} to {rows[-1]['year']}; the most in one "
        f"year: {busiest['total']} in {busiest['year']}. By segment: {split}."
    )


def approvals_key_numbers(chart):
    """The numbers beside the approvals chart: the total, the busiest year and the
    segment with the most approvals."""
    total, busiest, segments = _approvals_facts(chart)
    if not total:
        return []
    rows = chart["rows"]
    return [
        {"label": f"Approvals, {rows[0]['year']}–{rows[-1]['year']}", "value": str(total),
         "note": "first US approvals, counted from the table"},
        {"label": "The most in one year", "value": str(busiest["total"]),
         "note": f"in {busiest['year']}"},
        {"label": "Largest segment", "value": segments[0][0],
         "note": f"{segments[0][1]} of the {total} approvals"},
    ]  # fmt: skip


# What an estimate counts against this report's market (MarketEstimate.Breadth),
# in the estimates chart's legend and order.
ESTIMATE_GROUPS = {
    "ours": "This report",
    "same": "Gene therapy, as here",
    "wider": "A wider market",
    "narrower": "A narrower market",
    "other": "Another measure",
}
# This report in black.
GROUP_COLOURS = {"ours": BLACK, "same": BLUE, "wider": VERMILLION, "narrower": PURPLE,
                 "other": GREY}  # fmt: skip
# One colour per segment of a stacked count, in the segments' order (the legend's
# order and the table tell them apart without colour too).
SEGMENT_COLOURS = [BLUE, VERMILLION, PURPLE, BLACK, GREY]


def approvals_for_page(chart, *, edition_label, segment=None):
    """The approvals chart (``approvals_data``, from a snapshot) as the page and its
    image draw it: each segment's colour, a summary in words, source and edition.
    With ``segment`` (a segment's name), that segment's approvals alone, in the
    colour it has in the report's chart; None if it has none."""
    colours = [SEGMENT_COLOURS[n % len(SEGMENT_COLOURS)] for n in range(len(chart["stacks"]))]
    if segment is not None:
        found = [(s, c) for s, c in zip(chart["stacks"], colours, strict=True)
                 if s["label"] == segment and sum(s["counts"])]  # fmt: skip
        if not found:
            return None
        stack, colour = found[0]
        rows = [{"year": year, "counts": [count], "total": count}
                for year, count in zip(chart["years"], stack["counts"], strict=True)]  # fmt: skip
        title = f"{segment}: US approvals of gene therapies per year"
        chart, colours = {**chart, "title": title, "stacks": [stack], "rows": rows}, [colour]
    return {
        **chart,
        "colours": colours,
        "summary": approvals_summary(chart),
        "key_numbers": approvals_key_numbers(chart),
        "source": "Source: FDA approval pages and the other sources the table lists.",
        "edition": edition_label,
    }


def estimates_for_page(rows, *, report, headline, edition_label):
    """The estimates chart from a snapshot's estimate ``rows``: each stated CAGR as
    a bar on a row of its own, named after its publisher and where it counts,
    grouped by what it counts (ESTIMATE_GROUPS), fastest first; this report on
    top. Growth a year compares estimates of different sizes, years and scopes,
    where their sizes would not. Estimates without a CAGR are in the table only."""
    order = list(ESTIMATE_GROUPS)
    others = sorted(
        (row for row in rows if row["cagr"] is not None),
        key=lambda row: (order.index(row["breadth"]) if row["breadth"] in order else len(order),
                         -float(row["cagr"])),
    )  # fmt: skip
    bars = [{
        "label": row["publisher"],
        "where": row["scope_label"].split(";")[0],
        "group": row["breadth"],
        "cagr": float(row["cagr"]),
        "period": row["cagr_period"],
    } for row in others]  # fmt: skip
    if headline["stated_cagr"] is not None:
        period = f"{report['forecast_start_year']}–{report['forecast_end_year']}"
        where = report["region"]["name"] if report.get("region") else "its scope"
        bars.insert(0, {"label": "This report", "where": where, "group": "ours",
                        "cagr": float(headline["stated_cagr"]), "period": period})  # fmt: skip
    rates = [bar["cagr"] for bar in bars if bar["group"] != "ours"]
    summary = f"{len(rates)} other estimates state a growth rate"
    numbers = [{"label": "Other estimates with a growth rate", "value": str(len(rates)),
                "note": f"of {len(rows)} in the table"}]  # fmt: skip
    if rates:
        summary += f", from {min(rates):g} % to {max(rates):g} % a year"
        numbers.append({"label": "Their range", "value": f"{min(rates):g}–{max(rates):g} %",
                        "note": "a year, each over its own period"})  # fmt: skip
    if bars and bars[0]["group"] == "ours":
        ours = bars[0]["cagr"]
        faster = sum(rate > ours for rate in rates)
        summary += f"; this report's {ours:g} % is below {faster} of them"
        note = f"a year, {bars[0]['period']}; below {faster} of them"
        numbers.append({"label": "This report", "value": f"{ours:g} %", "note": note})
    return {
        "key_numbers": numbers,
        "title": "Growth a year: this report beside other publishers' estimates",
        "summary": summary + ".",
        "unit": "% a year (stated CAGR)",
        "groups": ESTIMATE_GROUPS,
        "colours": GROUP_COLOURS,
        "bars": bars,
        "source": "Sources: each publisher, as the table below lists; each rate over its own "
        "period.",
        "edition": edition_label,
    }
