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
    """How a value came about, in words for the table."""
    if point.method == forecast.INTERPOLATED:
        return "Computed: constant growth between sourced figures"
    if point.method == forecast.STATED_CAGR:
        return "Computed: from the stated CAGR"
    return f"Sourced: {point.source}" if point.source else "Sourced"


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
