"""The ground every other feature stands on: settings, health check, static files."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.db import connections

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_home_page_answers(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"GTMP Market Insights" in response.content


@pytest.mark.django_db
def test_healthz_reports_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database default": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.fixture
def unreachable_database(django_db_blocker, tmp_path):
    """A second configured database whose file cannot be opened: a real failure, no mock."""
    connections.settings["unreachable"] = {
        **connections.settings["default"],
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(tmp_path / "missing-dir" / "db.sqlite3"),
        "OPTIONS": {},  # the default's may be PostgreSQL's
    }
    with django_db_blocker.unblock():
        yield
    connections["unreachable"].close()
    del connections["unreachable"]
    del connections.settings["unreachable"]


@pytest.mark.django_db
def test_healthz_answers_503_with_a_reason_when_a_database_is_unreachable(
    client, unreachable_database
):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database unreachable"] == "not answering"
    assert body["database default"] == "ok"


def _manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_settings_refuse_to_start_without_a_secret_key_when_debug_is_off():
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SECRET_KEY", "DJANGO_DEBUG"}}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_settings_start_without_a_secret_key_when_debug_is_on():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    result = _manage("check", env={**env, "DJANGO_DEBUG": "1"})
    assert result.returncode == 0, result.stderr


def test_chartjs_is_found_by_the_static_finders():
    path = finders.find("vendor/chart.js/chart.umd.min.js")
    assert path, "Chart.js is missing: run `npm ci` (make install does)"
    assert "Chart.js v4" in Path(path).read_text()[:300]


def test_chartjs_is_collected_with_a_hashed_name():
    from django.templatetags.static import static

    url = static("vendor/chart.js/chart.umd.min.js")
    assert url.startswith("/static/vendor/chart.js/chart.umd.min.")
    assert url != "/static/vendor/chart.js/chart.umd.min.js"


@pytest.mark.django_db
def test_whitenoise_serves_chartjs_with_far_future_cache_headers(client):
    from django.templatetags.static import static

    response = client.get(static("vendor/chart.js/chart.umd.min.js"))
    body = b"".join(response.streaming_content)
    response.close()
    assert response.status_code == 200
    assert b"Chart.js v4" in body[:300]
    assert "immutable" in response["Cache-Control"]
    assert "max-age=315360000" in response["Cache-Control"]
