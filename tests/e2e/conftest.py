"""Browser tests: Playwright driving Debian's Chromium against a real server.

The site runs as in production (gtmp_site/local_site.py: gunicorn, debug off,
whitenoise) on a fresh SQLite database with the report content loaded.

Without Chromium these tests are skipped and the run says so at the end;
with E2E_REQUIRED=1 (set by .ci/run) a missing browser fails them instead.
"""

import os
from pathlib import Path

import pytest

from gtmp_site.local_site import manage, running_site

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SKIP_REASON = (
    f"Chromium not found at {CHROMIUM}: browser tests skipped. "
    "Enable them with `apt-get install chromium` (or set CHROMIUM_PATH)."
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def chromium_path():
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if os.environ.get("E2E_REQUIRED") == "1":
        pytest.fail(f"E2E_REQUIRED=1 but {SKIP_REASON}")
    pytest.skip(SKIP_REASON)


EDITOR_PASSWORD = "correct-horse-battery-staple-42"


def publish_from_shell(folder, note, **settings):
    """A Publisher's step, from a shell on the site in ``folder``: the report's next
    edition, with every Varnish purged before the shell exits."""
    code = (
        "from datetime import date; from gtmp_site.core.cache import purger; "
        "from market import editions; from market.models import Report; "
        f"editions.publish(Report.objects.get(), note={note!r}, reviewed_on=date.today()); "
        "purger.wait()"
    )
    manage(folder, "shell", "-c", code, **settings)


@pytest.fixture(scope="session")
def site_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("site")


@pytest.fixture(scope="session")
def site_url(chromium_path, site_folder):
    """Base URL of a production-like server with the report content loaded, and two
    editor accounts, alice and bob (password ``EDITOR_PASSWORD``)."""
    with running_site(site_folder) as (url, _server):
        for name in ("alice", "bob"):
            manage(site_folder, "create_editor", name, DJANGO_EDITOR_PASSWORD=EDITOR_PASSWORD)
        yield url


@pytest.fixture(scope="module")
def browser(chromium_path):
    """Chromium, for one module at a time: while Playwright's sync API runs, its
    event loop is this thread's, and Django refuses database access in a thread
    with a running loop. Closed before the worker goes on to another module, it
    never meets the database tests that xdist gives the same worker."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _new_page(browser):
    """A page in a browser context of its own (its own cookies: its own login)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    return page


@pytest.fixture
def page(browser):
    page = _new_page(browser)
    yield page
    page.context.close()


@pytest.fixture
def editors(browser, site_url):
    """Two editors, alice and bob, each logged in in a browser of their own."""
    pages = []
    for name in ("alice", "bob"):
        page = _new_page(browser)
        page.goto(f"{site_url}/admin/login/")
        page.fill("#id_username", name)
        page.fill("#id_password", EDITOR_PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(f"{site_url}/admin/")
        pages.append(page)
    yield pages
    for page in pages:
        page.context.close()
