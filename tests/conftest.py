import os
import re
import tempfile

import pytest


def pytest_configure(config):
    """Test-only settings: a fast password hasher (the real one costs over half a second
    per test user), and a cache of each worker's own: under pytest-xdist a Redis
    database per worker (15, 14, ...), or without Redis a fresh folder, so a test
    that clears the cache does not clear another worker's and no run sees the
    last one's API budgets."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    worker = os.environ.get("PYTEST_XDIST_WORKER")
    location = settings.CACHES["default"].get("LOCATION")
    if settings.CACHES["default"]["BACKEND"].endswith("FileBasedCache"):
        settings.CACHES["default"]["LOCATION"] = tempfile.mkdtemp(prefix="gtmp-test-cache-")
    elif worker and isinstance(location, str) and location.startswith("redis"):
        offset = int(worker.removeprefix("gw"))
        settings.CACHES["default"]["LOCATION"] = re.sub(
            r"/(\d+)$", lambda m: f"/{int(m.group(1)) - offset}", location
        )


# Modules whose tests start servers, browsers or long walks: `pytest -m "not slow"`
# leaves them out of the inner loop; `make test` runs them all.
SLOW_MODULES = {
    "test_backup", "test_failures", "test_admin_fuzz", "test_fresh", "test_concurrent_saves",
    "test_behind_varnish", "test_serve",
}  # fmt: skip


# Modules whose every test runs on databases of its own (a site it starts on a fresh
# SQLite file, a backup's own pair), whatever DATABASE_URL names. So do the browser
# tests (the ``site_url`` site). Marked own_database: the PostgreSQL pass of .ci/run
# leaves them out, since it would repeat the SQLite pass exactly.
OWN_DATABASE_MODULES = {
    "test_backup", "test_failures", "test_concurrent_saves", "test_behind_varnish", "test_serve",
}  # fmt: skip


# The fixtures through which a test reaches the database (pytest-django's).
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences",
                     "django_db_serialized_rollback"}  # fmt: skip


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "e2e" in item.path.parts or item.path.stem in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
        if item.path.stem in OWN_DATABASE_MODULES or "site_url" in item.fixturenames:
            item.add_marker(pytest.mark.own_database)
    # DATABASE_TESTS_ONLY=1 (the PostgreSQL pass of .ci/run): leave out the tests that
    # never reach the database under test, which would repeat the first pass exactly.
    if os.environ.get("DATABASE_TESTS_ONLY") == "1":
        kept = [item for item in items if item.get_closest_marker("django_db")
                or DATABASE_FIXTURES & set(item.fixturenames)]  # fmt: skip
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache, so no page leaks between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def pytest_unconfigure(config):
    """Say plainly, as the very last lines, when the browser tests did not run."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if any("browser tests skipped" in str(report.longrepr) for report in skipped):
        reporter.write_line(
            "NOTE: the browser tests were SKIPPED because Chromium is missing. Enable them "
            "with `apt-get install chromium`; CI sets E2E_REQUIRED=1 and requires them.",
            yellow=True,
            bold=True,
        )


# Shared fixtures ------------------------------------------------------------------------------

SLUG = "us-gene-therapy-medicinal-products-market"


_loaded_rows = []  # per test process: the rows the first load made, for the next tests


@pytest.fixture
def report(db):
    """The report as `make install` loads it (gtmp_site/content/us_gtmp_market.toml).

    The first test in a process runs the command; later ones insert the same rows
    again (same keys, same history) in one bulk insert per table, which is many
    times faster. Each test starts with an empty cache (_fresh_cache), so nothing
    cached for another test's rows can show."""
    from django.apps import apps
    from django.core.management import call_command

    from gtmp_site.core.editors import CONTENT_APPS
    from market.models import Report

    models = [
        model
        for label in CONTENT_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    ]
    if not _loaded_rows:
        call_command("load_report_content", verbosity=0)
        _loaded_rows.extend((model, list(model._base_manager.all())) for model in models)
    else:
        # Foreign keys are checked at commit, so the order of the tables does not matter.
        for model, rows in _loaded_rows:
            model._base_manager.bulk_create(rows)
    return Report.objects.get(slug=SLUG)


@pytest.fixture
def editor(client, db):
    """A test client logged in as the editor erin."""
    from tests.factories import EditorFactory

    client.force_login(EditorFactory(username="erin"))
    return client


@pytest.fixture
def api():
    """An anonymous API client."""
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def editor_api(db):
    """An API client authenticated as an editor, with a token in the Authorization
    header as a script sends it."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from tests.factories import EditorFactory

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=EditorFactory())}")
    return client
