"""The forecast chart as an image drawn on the server, from the same data as the
page's chart (``market.charts.for_page``): for downloads, link previews
(og:image) and the PDF. Title, units, source, edition and licence are drawn in,
so the image carries them wherever it goes.

matplotlib's object API (``Figure``, no pyplot) keeps no global state, so a
render is safe in any thread. The SVG keeps its text as text and is the same
bytes for the same data (fixed hash salt, no date), so its ETag is stable.
"""

import io
from datetime import date

from matplotlib import rc_context
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Patch

# 1200 by 630 px: the size link previews (Open Graph) expect.
SIZE_INCHES, DPI = (12, 6.3), 100
FORMATS = {"png": "image/png", "svg": "image/svg+xml"}
INK, MUTED = "#1a1a1a", "#333333"
RC = {"svg.fonttype": "none", "svg.hashsalt": "gtmp", "font.family": "DejaVu Sans"}


def forecast_image(shown, *, licence, fmt):
    """``shown`` (``charts.for_page``) as PNG or SVG bytes, with ``licence`` (a
    snapshot's {"id", "name", "url"}) in its footer."""
    with rc_context(RC):
        figure = Figure(figsize=SIZE_INCHES, dpi=DPI, facecolor="white")
        axes = figure.add_axes((0.07, 0.2, 0.9, 0.6))
        years = [point["year"] for point in shown["points"]]
        positions = range(len(years))
        for dataset in shown["datasets"]:
            fill = to_rgba(dataset["colour"], shown["pale"] if dataset["computed"] else 1)
            values = [v if v is not None else 0 for v in dataset["values"]]
            axes.bar(positions, values, color=fill, edgecolor=dataset["colour"], linewidth=1.2)
        _marks(axes, shown["marks"], years)
        axes.set_xticks(list(positions), [str(year) for year in years])
        axes.set_xlabel("Year", color=MUTED)
        axes.set_ylabel(shown["unit"], color=MUTED)
        axes.spines[["top", "right"]].set_visible(False)
        axes.grid(axis="y", color="#dddddd", linewidth=0.6)
        axes.set_axisbelow(True)
        figure.text(0.07, 0.93, shown["title"], fontsize=15, fontweight="bold", color=INK)
        figure.text(0.07, 0.875, f"{shown['unit']}. {shown['source']}", fontsize=11, color=MUTED)
        handles = [
            Patch(facecolor=to_rgba(d["colour"], shown["pale"] if d["computed"] else 1),
                  edgecolor=d["colour"], label=d["label"])
            for d in shown["datasets"]
        ]  # fmt: skip
        figure.legend(handles=handles, loc="lower center", ncols=len(handles), frameon=False,
                      bbox_to_anchor=(0.5, 0.06), fontsize=10)  # fmt: skip
        footer = f"{shown['edition']} · Licence: {licence['name']} ({licence['url']})"
        figure.text(0.07, 0.02, footer, fontsize=9, color=MUTED)
        out = io.BytesIO()
        metadata = {"Date": None} if fmt == "svg" else {"Title": shown["title"]}
        figure.savefig(out, format=fmt, metadata=metadata)
    return out.getvalue()


def _marks(axes, marks, years):
    """Dashed lines at the base year, the start of the forecast period and today,
    as the page's chart draws them (static/js/charts.js ``marks``)."""
    top = axes.get_ylim()[1]
    found = []
    if marks["base_year"] in years:
        found.append((years.index(marks["base_year"]), f"Base year {marks['base_year']}"))
    if marks["forecast_start_year"] in years:
        at = years.index(marks["forecast_start_year"]) - 0.5
        found.append((at, f"Forecast from {marks['forecast_start_year']}"))
    today = date.fromisoformat(marks["today"])
    if today.year in years:
        first, following = date(today.year, 1, 1), date(today.year + 1, 1, 1)
        share = (today - first).days / (following - first).days
        found.append((years.index(today.year) - 0.5 + share, "Today"))
    for row, (at, text) in enumerate(found):
        axes.axvline(at, color=INK, linestyle=(0, (4, 3)), linewidth=1.2)
        box = {"facecolor": "white", "edgecolor": "none", "alpha": 0.9, "pad": 2}
        axes.text(at, top * (0.97 - 0.08 * row), text, ha="center", va="top", fontsize=9,
                  fontweight="bold", color=INK, bbox=box)  # fmt: skip
