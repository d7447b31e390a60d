"""Chart and table data for the report pages, built from a forecast series.

The page embeds ``chart_data(...)`` with ``json_script``; static/js/charts.js
draws it. The table rows come from the same points, so the chart and the
table beside it can never disagree.
"""

# (kind, computed) -> legend label; order is the legend's order.
CATEGORIES = {
    ("actual", False): "Actual (sourced)",
    ("estimate", False): "Estimate (sourced)",
    ("forecast", False): "Forecast (sourced)",
    ("estimate", True): "Estimate (computed)",
    ("forecast", True): "Forecast (computed)",
}


def basis(point):
    """How a value came about, in words for the table."""
    if point.method == "interpolated":
        return "Computed: constant growth between sourced figures"
    if point.method == "stated_cagr":
        return "Computed: from the stated CAGR"
    return f"Sourced: {point.source}" if point.source else "Sourced"


def chart_data(series, *, title, unit):
    """Chart.js-ready data for one series.

    Shape: {"title": str, "unit": "USD billion", "labels": [year, ...],
    "datasets": [{"label": str, "category": "forecast-computed", "data":
    [float | None per label]}]}. One dataset per kind of value, so the legend
    tells sourced from computed years and estimates from forecasts.
    """
    labels = [p.year for p in series.points]
    datasets = []
    for (kind, computed), label in CATEGORIES.items():
        data = [
            float(p.value) if (p.kind, p.computed) == (kind, computed) else None
            for p in series.points
        ]
        if any(v is not None for v in data):
            category = f"{kind}-{'computed' if computed else 'sourced'}"
            datasets.append({"label": label, "category": category, "data": data})
    return {"title": title, "unit": unit, "labels": labels, "datasets": datasets}


def table_rows(series):
    return [
        {
            "year": p.year,
            "value": p.value,
            "kind": p.kind,
            "computed": p.computed,
            "basis": basis(p),
        }
        for p in series.points
    ]
