"""`make backup` and `make restore`, as an operator runs them: a restore into an
empty database gives the same objects, content and history alike."""

import collections
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432"


def env_for(database_url, backup_dir):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))}
    return {**env, "DATABASE_URL": database_url, "BACKUP_DIR": str(backup_dir), "REDIS_URL": ""}


def run(env, *command):
    return subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True)


def manage(env, *command):
    return run(env, sys.executable, "manage.py", *command)


def canonical_dump(env):
    """Every row of every table Django knows, in primary-key order."""
    return manage(env, "dumpdata", "--indent", "0").stdout


def round_trip(source_url, empty_url, backup_dir):
    source = env_for(source_url, backup_dir)
    manage(source, "migrate", "-v0")
    manage(source, "load_report_content")
    run({**source, "DJANGO_EDITOR_PASSWORD": "a long editor passphrase"},
        sys.executable, "manage.py", "create_editor", "alice")  # fmt: skip
    run(source, "make", "-s", "backup")
    assert any(backup_dir.iterdir())

    target = env_for(empty_url, backup_dir)
    run(target, "make", "-s", "restore")

    before, after = canonical_dump(source), canonical_dump(target)
    counts = collections.Counter(row["model"] for row in json.loads(before))
    assert counts["market.historicalmarketfigure"] > 0  # history is in the backup
    assert counts["auth.user"] == 1
    assert collections.Counter(row["model"] for row in json.loads(after)) == counts
    assert after == before


def test_backup_and_restore_round_trip_on_sqlite(tmp_path):
    round_trip(
        f"sqlite:///{tmp_path / 'site.sqlite3'}",
        f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        tmp_path / "backups",
    )


@pytest.fixture
def two_postgresql_databases():
    psycopg = pytest.importorskip("psycopg")
    names = [f"gtmp_backup_{uuid.uuid4().hex[:8]}_{n}" for n in ("site", "empty")]
    try:
        admin = psycopg.connect(f"{PG}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        if os.environ.get("SERVICES_REQUIRED") == "1":
            pytest.fail("SERVICES_REQUIRED=1 but PostgreSQL does not answer at 127.0.0.1:5432")
        pytest.skip("PostgreSQL does not answer at 127.0.0.1:5432: its backup test is skipped")
    if not shutil.which("pg_dump"):
        pytest.fail("pg_dump is missing: apt-get install postgresql-client")
    with admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
        yield [f"{PG}/{name}" for name in names]
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_and_restore_round_trip_on_postgresql(tmp_path, two_postgresql_databases):
    site, empty = two_postgresql_databases
    round_trip(site, empty, tmp_path / "backups")
