"""Chart and table data for the report pages, built from a forecast series.

The page embeds ``chart_data(...)`` with ``json_script``: the series in the one
shape it has in the API and the downloads (``forecast.series_as_dict``), plus a
title and the unit. static/js/charts.js draws it; the table beside the chart
lists the same points, so the two can never disagree.
"""

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
