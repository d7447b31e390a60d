"""Services the tests use when they are there: each test that needs one skips with
a clear reason without it, and fails instead when CI says it is required
(SERVICES_REQUIRED=1)."""

import contextlib
import os
import shutil
import socket

import pytest


def redis_answers():
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", 6379), 1):
        return True
    return False


def require_redis(what):
    """Skip (or, in CI, fail) unless Redis answers at 127.0.0.1:6379."""
    if redis_answers():
        return
    if os.environ.get("SERVICES_REQUIRED") == "1":
        pytest.fail("SERVICES_REQUIRED=1 but Redis does not answer at 127.0.0.1:6379")
    pytest.skip(f"Redis does not answer at 127.0.0.1:6379: {what} is skipped")


def require_varnish():
    """Skip (or, in CI, fail) unless Debian's varnishd is installed."""
    if shutil.which("varnishd"):
        return
    if os.environ.get("SERVICES_REQUIRED") == "1":
        pytest.fail("SERVICES_REQUIRED=1 but varnishd is missing")
    pytest.skip("varnishd not found: the Varnish tests are skipped (apt-get install varnish "
                "varnish-modules)")  # fmt: skip


def redis_db(number):
    """A Redis database of this test process's own: ``number`` less the xdist worker's
    index, so two workers never clear each other's."""
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    return f"redis://127.0.0.1:6379/{number - worker}"
