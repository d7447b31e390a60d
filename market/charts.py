"""Chart and table data for the report pages, built from a forecast series.

The page embeds ``chart_data(...)`` with ``json_script``: the series in the one
shape it has in the API and the downloads (``forecast.series_as_dict``), plus a
title and the unit. static/js/charts.js draws it; the table beside the chart
lists the same points, so the two can never disagree.
"""

from collections import Counter

from market import forecast


def chart_data(series, *, title, unit):
    """{"title": str, "unit": "USD billion", "segment": ..., "points": [...]}."""
    return {"title": title, "unit": unit, **forecast.series_as_dict(series)}


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


def estimates_data(report, result):
    """This report's forecast beside other publishers' estimates, for the chart:
    {"title", "unit", "lines": [{"label", "ours", "points": [{"x", "y"}]}]}, one
    line per estimate that gives both a base and a forecast value. The table
    beside it lists every estimate, with or without them."""
    points = {p.year: p for p in result.total.points}
    ours = [points[y] for y in (report.base_year, report.forecast_end_year) if y in points]
    lines = [{
        "label": f"This report ({report.region.name if report.region else 'its scope'})",
        "ours": True,
        "points": [{"x": p.year, "y": float(p.value)} for p in ours],
    }]  # fmt: skip
    for estimate in report.estimates.all():
        if estimate.base_value is None or estimate.forecast_value is None:
            continue
        lines.append({
            "label": f"{estimate.publisher}: {estimate.scope}",
            "ours": False,
            "points": [
                {"x": estimate.base_year, "y": float(estimate.base_value)},
                {"x": estimate.forecast_year, "y": float(estimate.forecast_value)},
            ],
        })  # fmt: skip
    return {
        "title": f"{report.title} beside other publishers' estimates",
        "unit": f"{report.currency} billion",
        "lines": lines,
    }
