"""An edit in the admin, made in a real browser, shows on the very next request
to every URL that shows it: through Varnish (purged by key, and nothing else
purged), and with Redis shared by two separate server processes."""

import os
import shutil
import urllib.request

import pytest

from gtmp_site.local_site import _free_port, manage, running_site, serving, varnish_in_front
from tests.e2e.conftest import EDITOR_PASSWORD
from tests.services import require_redis

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


@pytest.fixture
def varnishd():
    if not shutil.which("varnishd"):
        if os.environ.get("SERVICES_REQUIRED") == "1":
            pytest.fail("SERVICES_REQUIRED=1 but varnishd is missing")
        pytest.skip("varnishd not found: the Varnish tests are skipped (apt-get install varnish "
                    "varnish-modules)")  # fmt: skip


def test_through_varnish_an_admin_edit_purges_exactly_the_pages_that_show_it(
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

        rename_in_the_admin(browser, front, "spark", "Spark Renamed Therapeutics")

        for path in (REPORT, company, "/companies/"):
            assert "Spark Renamed Therapeutics" in get(front + path)[1], path
        assert get(front + other)[0] == "hit"  # shows nothing of Spark: not purged


def test_with_redis_an_edit_on_one_server_shows_on_the_other(browser, tmp_path):
    require_redis("its two-server test")
    redis = {"REDIS_URL": "redis://127.0.0.1:6379/11"}
    with running_site(tmp_path, workers=1, **redis) as (first, _):
        manage(tmp_path, "shell", "-c", "from django.core.cache import cache; cache.clear()",
               **redis)  # fmt: skip
        manage(tmp_path, "create_editor", "alice", DJANGO_EDITOR_PASSWORD=EDITOR_PASSWORD)
        with serving(tmp_path, workers=1, **redis) as (second, _):
            get(first + REPORT)
            rename_in_the_admin(browser, second, "spark", "Spark Across Servers")
            assert "Spark Across Servers" in get(first + REPORT)[1]
