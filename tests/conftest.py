import os
import re

import pytest


def pytest_configure(config):
    """Test-only settings: a fast password hasher (the real one costs over half a second
    per test user), and under pytest-xdist a Redis database per worker (15, 14, ...): a
    test that clears the cache must not clear another worker's."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    worker = os.environ.get("PYTEST_XDIST_WORKER")
    location = settings.CACHES["default"].get("LOCATION")
    if worker and isinstance(location, str) and location.startswith("redis"):
        offset = int(worker.removeprefix("gw"))
        settings.CACHES["default"]["LOCATION"] = re.sub(
            r"/(\d+)$", lambda m: f"/{int(m.group(1)) - offset}", location
        )


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
