"""A production-like site on this machine, for the browser tests and the benchmark.

gunicorn with debug off and whitenoise serving the collected static files, on
a fresh SQLite database in ``folder`` with the report content loaded by the
command `make install` runs.
"""

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def site_env(folder, **settings):
    """The environment of a production-like site whose database lives in ``folder``."""
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{Path(folder) / 'db.sqlite3'}",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "local-test-server-only",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_COOKIES": "0",
        "REDIS_URL": "",
        "CACHE_DIR": str(Path(folder) / "cache"),  # its own, not the checkout's
        **settings,
    }


def manage(folder, *command, **settings):
    """Run a manage.py command against the site's database in ``folder``: its output."""
    return subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=site_env(folder, **settings),
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@contextlib.contextmanager
def running_site(folder, workers=2, gunicorn_args=(), cpu=None, **settings):
    """Yield (base URL, gunicorn process) of a site serving the loaded report.

    Keyword arguments are extra environment settings, e.g. API_ANON_RATE.
    """
    prepare_database(folder, **settings)
    with serving(folder, workers, gunicorn_args=gunicorn_args, cpu=cpu, **settings) as site:
        yield site


_prepared = {}


def prepare_database(folder, **settings):
    """Migrate ``folder``'s database and load the report into it. The first call in
    a process runs the commands; later ones copy the database it made, which
    saves the tests that start several sites a few seconds each."""
    database = Path(folder) / "db.sqlite3"
    template = _prepared.get("database")
    if template is not None and template.exists():
        shutil.copyfile(template, database)
        return
    for command in (["migrate", "-v0"], ["load_report_content"]):
        manage(folder, *command, **settings)
    template = Path(tempfile.mkdtemp(prefix="gtmp-site-")) / "db.sqlite3"
    shutil.copyfile(database, template)
    _prepared["database"] = template


def pinned(command, cpu):
    """``command`` run on the CPU core ``cpu`` only (taskset), or anywhere for None."""
    return ["taskset", "-c", str(cpu), *command] if cpu is not None else command


@contextlib.contextmanager
def serving(folder, workers=2, health="/healthz", gunicorn_args=(), cpu=None, **settings):
    """Yield (base URL, gunicorn process) of gunicorn serving the site as it is,
    once ``health`` answers (with any status: a site whose database is down
    still answers)."""
    env = site_env(folder, **settings)
    port = _free_port()
    command = [sys.executable, "-m", "gunicorn", "gtmp_site.wsgi", "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--log-level", "warning", *gunicorn_args]  # fmt: skip
    server = subprocess.Popen(pinned(command, cpu), cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url + health, server)
        yield url, server
    finally:
        server.terminate()
        server.wait(timeout=10)


VCL = ROOT / "gtmp_site" / "varnish.vcl"


@contextlib.contextmanager
def varnish_in_front(folder, backend_url, port=None, cpu=None):
    """Yield (URL, varnishd process) of Varnish with the site's VCL in front of
    ``backend_url``, keeping its state in ``folder``; stopped on exit."""
    backend = urllib.parse.urlsplit(backend_url)
    vcl = Path(folder) / "varnish.vcl"
    purgers = os.environ.get("VARNISH_PURGERS", "127.0.0.1,::1").split(",")
    vcl.write_text(
        VCL.read_text()
        .replace("{backend_host}", backend.hostname)
        .replace("{backend_port}", str(backend.port))
        .replace("{purgers}", "\n".join(f'    "{p.strip()}";' for p in purgers if p.strip()))
    )
    port = port or _free_port()
    command = ["varnishd", "-F", "-j", "none", "-n", str(Path(folder) / "varnish"), "-T", "none",
               "-a", f"127.0.0.1:{port}", "-f", str(vcl), "-s", "malloc,64m"]  # fmt: skip
    varnishd = subprocess.Popen(pinned(command, cpu), stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url + "/healthz", varnishd)
        yield url, varnishd
    finally:
        varnishd.terminate()
        varnishd.wait(timeout=10)


def _wait_until_up(url, server, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server exited; see its output above")
        try:
            with urllib.request.urlopen(url, timeout=10):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer {url} within {timeout} s")


def stop_on_sigterm():
    """Let SIGTERM (kill, a supervisor) stop this process as Ctrl-C does, so the
    servers it started are stopped by the ``finally`` blocks above, not orphaned."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


# The Makefile's key for development and tests; never the key of a served site.
DEVELOPMENT_SECRET_KEY = "dev-only-secret-key-not-for-production"
# Varnish started again at most this many times a minute before `make serve` gives up.
VARNISH_RESTARTS_PER_MINUTE = 3


def served_secret_key():
    """DJANGO_SECRET_KEY if it is a real one; else this checkout's own, made once
    in var/secret-key (readable by its owner only)."""
    given = os.environ.get("DJANGO_SECRET_KEY", "")
    if given and given != DEVELOPMENT_SECRET_KEY:
        return given
    path = ROOT / "var" / "secret-key"
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(50))
        print(f"Made a secret key for this checkout in {path.relative_to(ROOT)}.", flush=True)
    return path.read_text().strip()


def serve(port=8080):
    """`make serve`: gunicorn with production-like settings (gtmp_site/gunicorn.conf.py)
    on the checkout's database, Varnish in front on 127.0.0.1:``port``, never with
    the development secret key. Varnish is started again if it dies (up to
    VARNISH_RESTARTS_PER_MINUTE times a minute); if gunicorn dies, or Varnish
    keeps dying, both stop with a message. Ctrl-C or SIGTERM stops both.
    Returns the exit status."""
    stop_on_sigterm()
    backend_port = _free_port()
    folder = ROOT / "var" / "serve"
    folder.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SECRET_KEY": served_secret_key(),
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_COOKIES": "0",
        "VARNISH_URLS": f"http://127.0.0.1:{port}/",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "gtmp_site.wsgi", "-c", "gtmp_site/gunicorn.conf.py",
         "--bind", f"127.0.0.1:{backend_port}"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    restarts = []
    try:
        backend = f"http://127.0.0.1:{backend_port}"
        _wait_until_up(backend + "/healthz", server)
        while True:
            try:
                with varnish_in_front(folder, backend, port=port) as (_, varnishd):
                    print(f"Serving on http://127.0.0.1:{port}/ (Varnish) from gunicorn at "
                          f"{backend}. Ctrl-C stops both.", flush=True)  # fmt: skip
                    while server.poll() is None and varnishd.poll() is None:
                        time.sleep(0.5)
            except RuntimeError as error:  # Varnish died while starting
                print(f"Varnish did not start: {error}", flush=True)
            if server.poll() is not None:
                print(f"gunicorn stopped (exit status {server.returncode}): Varnish is "
                      "stopped too.", flush=True)  # fmt: skip
                return 1
            now = time.monotonic()
            restarts = [t for t in restarts if now - t < 60] + [now]
            if len(restarts) > VARNISH_RESTARTS_PER_MINUTE:
                print(f"Varnish stopped {len(restarts)} times within a minute: gunicorn is "
                      "stopped too.", flush=True)  # fmt: skip
                return 1
            print("Varnish stopped: starting it again.", flush=True)
    except KeyboardInterrupt:
        return 0
    finally:
        server.terminate()
        server.wait(timeout=15)


if __name__ == "__main__":
    sys.exit(serve(int(os.environ.get("PORT", "8080"))))
