import pytest


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
