"""`make serve` is production-like and production-safe: never the development
secret key, a Varnish that dies is started again, and when gunicorn dies both
stop with a message (gtmp_site/local_site.py serve)."""

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from gtmp_site.local_site import DEVELOPMENT_SECRET_KEY, ROOT, _free_port
from tests.services import require_varnish


def children(pid, name):
    """The child processes of ``pid`` whose command line holds ``name``."""
    found = []
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        if name in Path(f"/proc/{child}/cmdline").read_bytes().decode(errors="replace"):
            found.append(int(child))
    return found


def wait_for(condition, what, output, timeout=60):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}: {output[-20:]}"
        time.sleep(0.2)


def answers(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except OSError:
        return None


def test_make_serve_uses_a_real_key_restarts_varnish_and_stops_with_gunicorn():
    require_varnish()
    port = _free_port()
    env = {**os.environ, "PORT": str(port), "DJANGO_SECRET_KEY": DEVELOPMENT_SECRET_KEY}
    serve = subprocess.Popen(
        [sys.executable, "-m", "gtmp_site.local_site"], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    output = []
    reader = threading.Thread(target=lambda: output.extend(serve.stdout), daemon=True)
    reader.start()
    site = f"http://127.0.0.1:{port}/healthz"
    try:
        wait_for(lambda: any("Serving on" in line for line in output), "the start", output)
        wait_for(lambda: answers(site) == 200, "the site through Varnish", output)
        [gunicorn] = children(serve.pid, "gunicorn")
        environ = Path(f"/proc/{gunicorn}/environ").read_bytes().split(b"\0")
        key = next(v for v in environ if v.startswith(b"DJANGO_SECRET_KEY=")).split(b"=", 1)[1]
        assert key and key.decode() != DEVELOPMENT_SECRET_KEY

        [varnishd] = children(serve.pid, "varnishd")
        os.kill(varnishd, signal.SIGKILL)
        wait_for(lambda: any("starting it again" in line for line in output), "the restart", output)
        wait_for(lambda: answers(site) == 200, "Varnish started again", output)

        os.kill(gunicorn, signal.SIGKILL)
        assert serve.wait(timeout=60) == 1
        wait_for(lambda: any("gunicorn stopped" in line for line in output), "the message", output)
        assert answers(site) is None  # Varnish stopped with it
    finally:
        if serve.poll() is None:
            serve.send_signal(signal.SIGTERM)
            serve.wait(timeout=30)
        reader.join(timeout=30)  # the output ends with the process (and its servers)
        serve.stdout.close()
