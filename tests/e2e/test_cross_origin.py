"""A page on another site (another loopback port) reads the forecast and the
downloads with fetch() in Chromium, and cannot read a page, log in or write."""

import http.server
import re
import threading

import pytest
from playwright.sync_api import expect

from gtmp_site.local_site import _free_port

REPORT = "/reports/us-gene-therapy-medicinal-products-market/"


@pytest.fixture
def other_site(tmp_path):
    """The base URL of a plain static site on another port: another origin."""
    (tmp_path / "index.html").write_text("<!doctype html><title>Another site</title>")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(tmp_path), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", _free_port()), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


READ = """async ([url, init]) => {
  try {
    const response = await fetch(url, init);
    return {status: response.status, text: (await response.text()).slice(0, 2000),
            licence: response.headers.get("Link")};
  } catch (error) { return {error: String(error)}; }
}"""


def test_another_site_reads_the_forecast_and_downloads_but_nothing_else(page, site_url,
                                                                        other_site):  # fmt: skip
    page.goto(f"{other_site}/")

    def read(path, **init):
        return page.evaluate(READ, [site_url + path, init])

    forecast = read(f"/api/v1{REPORT}forecast/")
    assert forecast["status"] == 200 and '"series"' in forecast["text"], forecast
    csv = read(f"{REPORT}data.csv")
    assert csv["status"] == 200 and csv["text"].startswith("scope,segment,segment_name,year"), csv
    assert "license" in csv["licence"]  # an exposed header
    assert read(f"{REPORT}charts/forecast.svg")["status"] == 200
    # Refused by the browser: a page, the token login, a write, the admin.
    assert "error" in read(REPORT)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert "error" in read("/api/v1/auth/token/", method="POST", body="username=a", headers=form)
    assert "error" in read("/api/v1/figures/", method="POST", body="{}",
                           headers={"Content-Type": "application/json"})  # fmt: skip
    assert "error" in read("/admin/login/")


def test_the_share_panel_copies_an_embed_that_another_site_frames(page, site_url, other_site,
                                                                   tmp_path):  # fmt: skip
    """A reader copies the embed code from the Share panel with its button and pastes
    it into a page of another site: the chart shows there, with its table and
    edition. The same site cannot frame the report page itself."""
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site_url)
    page.goto(f"{site_url}{REPORT}")
    page.get_by_role("button", name="Copy link").click()
    assert page.evaluate("navigator.clipboard.readText()") == f"{site_url}{REPORT}"
    page.locator("#embed-forecast-pinned + button").click()
    code = page.evaluate("navigator.clipboard.readText()")
    expect(page.locator("#share-status")).to_have_text("Copied to the clipboard.")
    assert code == page.locator("#embed-forecast-pinned").input_value()
    # Kept to the latest edition (other tests of the session publish more).
    label = re.search(rf'src="{site_url}{REPORT}editions/([\d.]+)/embed/forecast/"', code)[1]

    report_frame = f'<iframe name="report" src="{site_url}{REPORT}" title="The report"></iframe>'
    (tmp_path / "post.html").write_text(
        f"<!doctype html><title>A post on another site</title>{code}{report_frame}"
    )
    refused = []
    page.on("console", lambda msg: "frame-ancestors" in msg.text and refused.append(msg.text))
    page.goto(f"{other_site}/post.html")
    embed = page.frame_locator("iframe[src*='/embed/']")
    assert "Gene Therapy" in embed.locator("h1").inner_text()
    assert f"Edition {label}, published" in embed.locator(".embed-about").inner_text()
    assert embed.locator("table tbody tr").count() >= 2
    # The chart is drawn: Chart.js is loaded and has filled the canvas.
    embed.locator("canvas").wait_for()
    drawn = page.frame(url=lambda url: "/embed/" in url).wait_for_function(
        "() => window.Chart && Chart.getChart(document.querySelector('canvas'))"
    )
    assert drawn
    page.wait_for_timeout(200)
    report = page.frame(name="report")
    assert report.url != f"{site_url}{REPORT}" or report.locator("h1").count() == 0
    assert refused, "Chromium did not report the report page's frame-ancestors refusal"
