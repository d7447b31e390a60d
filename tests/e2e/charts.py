"""Charts as a reader meets them: Chart.js draws each one as it nears the view."""

# Counts pixels the chart drew (anything not fully transparent).
DRAWN_PIXELS = """canvas => {
  const {width, height} = canvas;
  const pixels = canvas.getContext("2d").getImageData(0, 0, width, height).data;
  let drawn = 0;
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) drawn++; }
  return drawn / (width * height);
}"""


def scrolled_to_chart(page, chart_id):
    """Scroll ``page`` to the chart ``chart_id`` (e.g. "chart-total") as a reader
    would, and wait until Chart.js has drawn it: its canvas."""
    canvas = page.locator(f"#{chart_id}-canvas")
    canvas.scroll_into_view_if_needed()
    page.wait_for_function(f"() => window.Chart && Chart.getChart('{chart_id}-canvas')")
    return canvas
