"""The report's charts as images drawn on the server, from the same data as the
page's charts (``market.charts``: ``for_page``, ``approvals_for_page``,
``estimates_for_page``): for downloads, link previews (og:image) and the PDF.
Title, units, source, edition and licence are drawn in, so an image carries
them wherever it goes.

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
WIDTH_INCHES, HEIGHT_INCHES, DPI = 12, 6.3, 100
FORMATS = {"png": "image/png", "svg": "image/svg+xml"}
INK, MUTED = "#1a1a1a", "#333333"
RC = {"svg.fonttype": "none", "svg.hashsalt": "gtmp", "font.family": "DejaVu Sans"}


def render(draw, shown, *, licence, fmt, height=HEIGHT_INCHES):
    """PNG or SVG bytes of the chart ``draw(figure, axes, shown)`` draws, under
    its title and units and source, over its legend and a footer naming its
    edition and ``licence`` (a snapshot's {"id", "name", "url"})."""
    with rc_context(RC):
        figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI, facecolor="white")
        top = 1 - 1.3 / height  # room for the title and the source line, in inches
        axes = figure.add_axes((0.07, 1.25 / height, 0.9, top - 1.3 / height))
        handles = draw(figure, axes, shown)
        axes.spines[["top", "right"]].set_visible(False)
        axes.set_axisbelow(True)
        title = shown["title"]
        figure.text(0.07, 1 - 0.45 / height, title, fontsize=15 if len(title) <= 70 else 13,
                    fontweight="bold", color=INK)  # fmt: skip
        unit = shown["unit"][:1].upper() + shown["unit"][1:]
        figure.text(0.07, 1 - 0.8 / height, f"{unit}. {shown['source']}", fontsize=11,
                    color=MUTED)  # fmt: skip
        figure.legend(handles=handles, loc="lower center", ncols=min(len(handles), 5),
                      frameon=False, bbox_to_anchor=(0.5, 0.35 / height), fontsize=10)  # fmt: skip
        footer = f"{shown['edition']} · Licence: {licence['name']} ({licence['url']})"
        figure.text(0.07, 0.12 / height, footer, fontsize=9, color=MUTED)
        out = io.BytesIO()
        metadata = {"Date": None} if fmt == "svg" else {"Title": shown["title"]}
        figure.savefig(out, format=fmt, metadata=metadata)
    return out.getvalue()


def draw_forecast(figure, axes, shown):
    """The yearly series as bars, computed years pale, with the page's marks."""
    years = [point["year"] for point in shown["points"]]
    positions = range(len(years))
    handles = []
    for dataset in shown["datasets"]:
        fill = to_rgba(dataset["colour"], shown["pale"] if dataset["computed"] else 1)
        values = [v if v is not None else 0 for v in dataset["values"]]
        axes.bar(positions, values, color=fill, edgecolor=dataset["colour"], linewidth=1.2)
        handles.append(Patch(facecolor=fill, edgecolor=dataset["colour"], label=dataset["label"]))
    _marks(axes, shown["marks"], years)
    axes.set_xticks(list(positions), [str(year) for year in years])
    axes.set_xlabel("Year", color=MUTED)
    axes.set_ylabel(shown["unit"], color=MUTED)
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    return handles


def draw_approvals(figure, axes, shown):
    """Approvals per year, stacked by segment."""
    positions = range(len(shown["years"]))
    below = [0] * len(shown["years"])
    handles = []
    for stack, colour in zip(shown["stacks"], shown["colours"], strict=True):
        axes.bar(positions, stack["counts"], bottom=below, color=colour)
        below = [b + c for b, c in zip(below, stack["counts"], strict=True)]
        handles.append(Patch(facecolor=colour, label=stack["label"]))
    axes.set_xticks(list(positions), [str(year) for year in shown["years"]])
    axes.set_xlabel("Year", color=MUTED)
    axes.set_ylabel(shown["unit"], color=MUTED)
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    return handles


def draw_estimates(figure, axes, shown):
    """Each estimate's stated growth a year as a bar on a row of its own, named,
    this report on top with a dashed line at its rate."""
    bars = shown["bars"]
    rows = range(len(bars))
    _, bottom, _, tall = axes.get_position().bounds
    axes.set_position((0.3, bottom, 0.67, tall))  # room for the names
    axes.barh(rows, [bar["cagr"] for bar in bars],
              color=[shown["colours"][bar["group"]] for bar in bars])  # fmt: skip
    axes.set_yticks(list(rows), [f"{bar['label']} ({bar['where']})" for bar in bars], fontsize=9)
    axes.invert_yaxis()
    for tick, bar in zip(axes.get_yticklabels(), bars, strict=True):
        tick.set_fontweight("bold" if bar["group"] == "ours" else "normal")
    if bars and bars[0]["group"] == "ours":
        axes.axvline(bars[0]["cagr"], color=INK, linestyle=(0, (4, 3)), linewidth=1.2)
    axes.xaxis.set_major_formatter(lambda value, _: f"{value:g} %")
    axes.set_xlabel(shown["unit"], color=MUTED)
    axes.grid(axis="x", color="#dddddd", linewidth=0.6)
    groups = dict.fromkeys(bar["group"] for bar in bars)
    return [Patch(facecolor=shown["colours"][g], label=shown["groups"][g]) for g in groups]


def estimates_height(shown):
    """Inches the estimates image needs: a row per estimate, and the frame."""
    return max(HEIGHT_INCHES, 0.3 * len(shown["bars"]) + 2.6)


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
