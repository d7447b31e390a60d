"""A page on another site (another loopback port) reads the forecast and the
downloads with fetch() in Chromium, and cannot read a page, log in or write."""

import http.server
import threading

import pytest

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
