"""An edit in the admin, made in a real browser, shows on the very next request
to every URL that shows it: through Varnish (purged by key, and nothing else
purged), and with Redis shared by two separate server processes."""

import gzip
import os
import signal
import time
import urllib.request
from pathlib import Path

import pytest

from gtmp_site.local_site import _free_port, manage, running_site, serving, varnish_in_front
from tests.admin_forms import AdminSession
from tests.e2e.conftest import EDITOR_PASSWORD, publish_from_shell
from tests.services import require_redis, require_varnish
from tests.test_concurrent_saves import PASSWORD, change_pages, with_value

REPORT = "/reports/us-gene-therapy-medicinal-products-market/"


def get(url):
    with urllib.request.urlopen(url, timeout=20) as response:
        return response.headers.get("X-Cache"), response.read().decode()


def rename_in_the_admin(browser, admin_url, slug, name):
    """Log in as alice and rename the company ``slug`` through its change form."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{admin_url}/admin/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", EDITOR_PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{admin_url}/admin/companies/company/?q={slug}")
    page.locator("#result_list tbody th a").first.click()
    page.fill("#id_name", name)
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    context.close()


def gzipped(url, accept):
    """(Content-Encoding, body as a reader gets it) of ``url`` asked with the
    Accept-Encoding ``accept``."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": accept})
    with urllib.request.urlopen(request, timeout=20) as response:
        body = response.read()
        encoding = response.headers.get("Content-Encoding")
    return encoding, gzip.decompress(body) if encoding == "gzip" else body


@pytest.fixture
def varnishd():
    require_varnish()


def test_varnish_keeps_pages_gzipped_for_any_origin_and_an_edit_purges_exactly_its_pages(
    browser, tmp_path, varnishd
):
    port = _free_port()
    with (
        running_site(tmp_path, workers=2, VARNISH_URLS=f"http://127.0.0.1:{port}/") as (site, _),
        varnish_in_front(tmp_path, site, port=port) as (front, _),
    ):
        manage(tmp_path, "create_editor", "alice", DJANGO_EDITOR_PASSWORD=EDITOR_PASSWORD)
        company = "/companies/spark-therapeutics/"
        other = "/companies/bluebird-bio/"
        for path in (REPORT, company, other):
            get(front + path)
            assert get(front + path)[0] == "hit", path
        # Varnish keeps pages gzipped and unzips them for a client that cannot take
        # it; images, compressed already, go out as they are.
        zipped, plain = gzipped(front + REPORT, "gzip"), gzipped(front + REPORT, "identity")
        assert zipped[0] == "gzip" and plain[0] is None and zipped[1] == plain[1]
        assert gzipped(f"{front}{REPORT}charts/forecast.png", "gzip")[0] is None
        # A copy kept for a request without an Origin is not handed to another site's.
        forecast = f"{front}/api/v1{REPORT}forecast/"
        get(forecast), get(forecast)
        request = urllib.request.Request(forecast, headers={"Origin": "http://127.0.0.1:9"})
        with urllib.request.urlopen(request, timeout=20) as response:
            assert response.headers["Access-Control-Allow-Origin"] == "*"

        rename_in_the_admin(browser, front, "spark", "Spark Renamed Therapeutics")

        for path in (company, "/companies/"):
            assert "Spark Renamed Therapeutics" in get(front + path)[1], path
        assert get(front + other)[0] == "hit"  # shows nothing of Spark: not purged
        # The report page shows its edition, which the rename did not change, until
        # the next edition is published.
        cached, page = get(front + REPORT)
        assert cached == "hit" and "Spark Renamed Therapeutics" not in page
        publish_from_shell(tmp_path, "Spark renamed.", VARNISH_URLS=f"http://127.0.0.1:{port}/")
        assert "Spark Renamed Therapeutics" in get(front + REPORT)[1]


def test_with_redis_an_edit_on_one_server_shows_on_the_other(browser, tmp_path):
    require_redis("its two-server test")
    redis = {"REDIS_URL": "redis://127.0.0.1:6379/11"}
    with running_site(tmp_path, workers=1, **redis) as (first, _):
        manage(tmp_path, "shell", "-c", "from django.core.cache import cache; cache.clear()",
               **redis)  # fmt: skip
        manage(tmp_path, "create_editor", "alice", DJANGO_EDITOR_PASSWORD=EDITOR_PASSWORD)
        with serving(tmp_path, workers=1, **redis) as (second, _):
            company = "/companies/spark-therapeutics/"
            get(first + company)
            rename_in_the_admin(browser, second, "spark", "Spark Across Servers")
            assert "Spark Across Servers" in get(first + company)[1]


def processes_of(parent):
    """``parent`` and its children (varnishd's manager and its cache process)."""
    children = Path(f"/proc/{parent.pid}/task/{parent.pid}/children").read_text().split()
    return [parent.pid, *map(int, children)]


def test_a_varnish_that_hangs_during_an_edit_costs_the_editor_nothing_and_is_purged_after(
    tmp_path, varnishd
):
    """A purge is sent after the save's response, from a thread of its own: with
    Varnish frozen (SIGSTOP) the admin save still answers at once; the purge
    times out, is tried again, and lands once Varnish answers again."""
    port = _free_port()
    settings = {"VARNISH_URLS": f"http://127.0.0.1:{port}/", "VARNISH_PURGE_TIMEOUT": "5"}
    with (
        running_site(tmp_path, workers=1, **settings) as (site, _),
        varnish_in_front(tmp_path, site, port=port) as (front, varnish),
    ):
        manage(tmp_path, "create_editor", "alice", DJANGO_EDITOR_PASSWORD=PASSWORD)
        alice = AdminSession(site, "alice", PASSWORD)
        [(path, fields)] = change_pages(alice, "?q=sarepta")
        page = "/api/v1/companies/sarepta/"
        get(front + page)
        assert get(front + page)[0] == "hit"

        frozen = processes_of(varnish)
        for pid in frozen:
            os.kill(pid, signal.SIGSTOP)
        try:
            started = time.monotonic()
            status, _ = alice.post(path, with_value(fields, "headquarters", "Frozen Falls"))
            took = time.monotonic() - started
            time.sleep(6)  # the first PURGE times out (5 s) while Varnish is frozen
        finally:
            for pid in frozen:
                os.kill(pid, signal.SIGCONT)
        assert status == 302
        assert took < 4, f"the save waited {took:.1f} s for a frozen Varnish"
        deadline = time.monotonic() + 20
        while "Frozen Falls" not in get(front + page)[1]:
            assert time.monotonic() < deadline, "Varnish kept the old copy after it answered again"
            time.sleep(0.5)
