"""The public pages in a real browser: charts drawn, no errors, narrow screens, accessibility."""

import pytest

from tests.e2e.axe import serious_violations
from tests.e2e.charts import DRAWN_PIXELS, scrolled_to_chart

REPORT = "/reports/us-gene-therapy-medicinal-products-market/"
PUBLIC_PAGES = [
    "/",
    REPORT,
    f"{REPORT}segments/cancer/",
    "/companies/",
    "/companies/spark-therapeutics/",
    "/therapies/",
    "/faq/",
    "/reports/no-such-report/",
]


def test_report_page_draws_the_forecast_chart_without_errors(page, site_url):
    page.goto(site_url + REPORT)
    canvas = scrolled_to_chart(page, "chart-total")
    assert canvas.evaluate(DRAWN_PIXELS) > 0.02
    assert canvas.get_attribute("aria-label")
    rows = page.locator("#forecast table.data-table tbody tr")
    assert rows.count() == 9
    assert page.console_errors == []


def test_the_forecast_chart_marks_base_year_forecast_start_and_today_and_draws_its_source(
    page, site_url
):
    from datetime import date

    page.goto(site_url + REPORT)
    scrolled_to_chart(page, "chart-total")
    drawn = page.evaluate("""() => {
      const chart = Chart.getChart('chart-total-canvas');
      const x = chart.scales.x;
      const marks = Object.values(chart.options.plugins.annotation.annotations).map(
        (m) => [m.label.content, String(x.getLabelForValue(Math.round(m.xMin + 0.01))), m.xMin]);
      return {marks, title: chart.options.plugins.title.text,
              subtitle: chart.options.plugins.subtitle.text, xTitle: x.options.title.text,
              legend: chart.data.datasets.map((d) => d.label)};
    }""")
    today = date.today()
    at = {label: (year, where) for label, year, where in drawn["marks"]}
    assert at["Base year 2022"][0] == "2022"
    assert at["Forecast from 2024"][0] == "2024" and at["Forecast from 2024"][1] % 1 == 0.5
    assert at["Today"][0] in (str(today.year), str(today.year + 1))  # late in the year rounds up
    assert "market size" in str(drawn["title"]) and drawn["xTitle"] == "Year"
    assert "Source: Verified Market Reports" in " ".join(drawn["subtitle"])
    assert "Edition 1" in drawn["subtitle"]
    assert "Past year, forecast (computed)" in drawn["legend"]
    kinds = page.locator("#forecast table.data-table tbody td:nth-child(3)").all_inner_texts()
    assert kinds[1] == "Past year, forecast (no actual yet)"  # 2023, before today


@pytest.mark.parametrize("width", [1280, 390])
def test_every_estimate_in_the_chart_is_named_on_its_row_and_its_group_in_the_legend(
    browser, site_url, width
):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(site_url + REPORT)
    scrolled_to_chart(page, "chart-estimates")
    drawn = page.evaluate("""() => {
      const chart = Chart.getChart('chart-estimates-canvas');
      const data = JSON.parse(document.getElementById('chart-estimates').textContent);
      const y = chart.scales.y;
      const tops = y.ticks.map((t, i) => y.getPixelForTick(i));
      return {bars: data.bars.length, ticks: y.ticks.length, tops,
              legend: chart.legend.legendItems.map((i) => i.text),
              groups: [...new Set(data.bars.map((b) => data.groups[b.group]))],
              first: y.getLabelForValue(0), left: chart.chartArea.left,
              // Chart.js's own measure of its tick labels (private; Chart.js is pinned).
              widest: Math.max(...y._labelSizes.widths)};
    }""")
    context.close()
    assert drawn["ticks"] == drawn["bars"] > 10  # every bar has a label of its own
    gaps = [b - a for a, b in zip(drawn["tops"], drawn["tops"][1:], strict=False)]
    assert min(gaps) >= 20  # rows far enough apart that labels never overlap
    assert drawn["widest"] <= drawn["left"]  # no label cut at the left edge
    assert drawn["legend"] == drawn["groups"] and drawn["legend"][0] == "This report"
    assert "This report" in str(drawn["first"])


def test_a_keyboard_user_reaches_each_chart_and_hears_its_values(page, site_url):
    page.goto(site_url + REPORT)
    reached = []
    for _ in range(120):  # Tab only, from the top of the page
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.id")
        if focused.endswith("-canvas") and focused not in reached:
            reached.append(focused)
        if focused == "chart-total-canvas" and len(reached) == 1:
            page.keyboard.press("ArrowRight")
            first = page.inner_text("#chart-total-readout")
            page.keyboard.press("End")
            last = page.inner_text("#chart-total-readout")
    assert reached[:3] == ["chart-total-canvas", "chart-approvals-canvas", "chart-estimates-canvas"]
    assert first == "2022: 4.00 USD billion, Estimate, sourced."
    assert last == "2030: 14.40 USD billion, Forecast, sourced."
    assert page.get_attribute("#chart-total-readout", "aria-live") == "polite"
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-estimates-canvas')")
    for chart in ("chart-total", "chart-approvals", "chart-estimates"):
        summary = page.get_attribute(f"#{chart}-canvas", "aria-describedby")
        assert summary == f"{chart}-summary" and page.text_content(f"#{summary}").strip()


def test_the_tab_order_passes_a_table_of_therapies_in_one_step(page, site_url):
    page.goto(site_url + REPORT)
    table = page.locator("#therapies table.therapies")
    assert table.locator("tbody tr").count() > 20
    assert table.locator("tbody a, tbody button, tbody [tabindex]").count() == 0  # none per row
    sources = page.locator("#therapies .table-sources")
    assert sources.locator("a").count() == table.locator("tbody tr").count()
    assert not sources.locator("a").first.is_visible()  # behind one summary until opened
    sources.locator("summary").click()
    assert sources.locator("a").first.is_visible()


@pytest.mark.parametrize("width, stays", [(1280, True), (390, False)])
def test_the_contents_stay_beside_the_report_on_wide_screens_only(browser, site_url, width, stays):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(site_url + REPORT)
    page.evaluate("window.scrollTo(0, document.querySelector('#companies').offsetTop)")
    top = page.evaluate("document.querySelector('nav.toc').getBoundingClientRect().top")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    context.close()
    assert (0 <= top < 900) is stays
    assert overflow <= 0


def test_approvals_chart_stacks_the_table_counts_and_the_list_sorts(page, site_url):
    page.goto(site_url + REPORT)
    scrolled_to_chart(page, "chart-approvals")
    # The chart's bars, per year, add up to the table's "All" column.
    drawn = page.evaluate("""() => {
      const chart = Chart.getChart('chart-approvals-canvas');
      return chart.data.labels.map((year, n) =>
        [String(year), chart.data.datasets.reduce((sum, d) => sum + d.data[n], 0)]);
    }""")
    rows = page.locator("#therapies table").first.locator("tbody tr")
    table = [
        [row.locator("th").inner_text(), int(row.locator("td").last.inner_text())]
        for row in rows.all()
    ]
    listing = page.locator("#therapies table[data-sortable]")
    # ... and to the list of approved therapies beside it.
    assert (
        drawn == table and sum(count for _, count in table) == listing.locator("tbody tr").count()
    )
    first_brand = "#therapies table[data-sortable] tbody tr:first-child th"
    assert page.locator(first_brand).inner_text().startswith("Imlygic")  # by date
    listing.get_by_role("button", name="Product").click()
    assert page.locator(first_brand).inner_text().startswith("Abecma")
    assert listing.locator("th[aria-sort=ascending]").count() == 1
    assert page.console_errors == []


def test_report_reads_without_javascript(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + REPORT)
    text = page.locator("main").inner_text()
    for number in ("USD 4.00 billion", "USD 14.40 billion", "17.50", "17.36", "5.51", "12.27"):
        assert number in text
    context.close()


def test_faq_expands_on_click(page, site_url):
    page.goto(site_url + REPORT + "#faq")
    first = page.locator("#faq details").first
    assert first.get_attribute("open") is None
    first.locator("summary").click()
    assert first.get_attribute("open") is not None
    assert first.locator(".prose").is_visible()


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_no_horizontal_scroll_at_360_pixels(browser, site_url, path):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(site_url + path)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    context.close()
    assert overflow <= 0


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_axe_finds_no_serious_accessibility_violation(page, site_url, path):
    page.goto(site_url + path)
    assert serious_violations(page) == []


def test_benchmark_harness_measures_a_case_with_wrk(site_url, site_folder):
    """A one-second run of `make bench`'s measurement: wrk answers with numbers and no
    errors against the production-like site (no target is asserted here), also
    while an editor renames a listed company four times a second, and the page
    shows the last edit right after; and three edit-to-fresh admin saves."""
    import shutil

    from bench.bench import REPORT as BENCH_REPORT
    from bench.bench import Editor, edit_to_fresh, wrk
    from gtmp_site.local_site import site_env
    from tests.admin_forms import AdminSession
    from tests.e2e.conftest import EDITOR_PASSWORD

    lags = edit_to_fresh(AdminSession(site_url, "alice", EDITOR_PASSWORD), site_url, edits=3)
    assert len(lags["stale_ms"]) == 3
    assert all(0 <= stale <= shown for stale, shown in zip(*lags.values(), strict=True))

    if not shutil.which("wrk"):
        pytest.skip("wrk not found: apt-get install wrk")
    result = wrk(site_url + BENCH_REPORT, 1)
    assert result["rps"] > 0 and result["errors"] == 0
    assert 0 < result["p50_ms"] <= result["p99_ms"]
    editor = Editor(site_env(site_folder))
    try:
        with editor.editing(site_url + BENCH_REPORT) as stale:
            edited = wrk(site_url + BENCH_REPORT, 1)
    finally:
        editor.close()
    assert stale == [] and edited["errors"] == 0 and edited["rps"] > 0


def test_chart_js_loads_only_once_a_chart_nears_the_view(browser, site_url):
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    loaded = []
    page.on("request", lambda request: "chart.umd" in request.url and loaded.append(request.url))
    page.goto(site_url + REPORT, wait_until="networkidle")
    before = (loaded[:], page.evaluate("typeof window.Chart"))
    scrolled_to_chart(page, "chart-total")
    context.close()
    assert before == ([], "undefined")  # the page starts without it
    assert len(loaded) == 1  # fetched once, for every chart
