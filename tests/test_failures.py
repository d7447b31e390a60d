"""The site as deployed (gunicorn, debug off) when a backing service fails: the
cache down, the database unreachable or hanging. No 5xx but a 503 with
Retry-After for the database, no traceback or setting in any body, and
recovery on the next request once the fault clears."""

import contextlib
import json
import shutil
import socket
import threading
import time
import urllib.error
import urllib.request

import pytest

from gtmp_site.local_site import _free_port, manage, prepare_database, running_site, serving
from tests.services import require_redis

REPORT = "/reports/us-gene-therapy-medicinal-products-market/"
LEAKS = ("Traceback", 'File "', "/work/", "site-packages", "DATABASE", "SECRET")


def fetch(url):
    """(status, headers, body) of a GET, whatever the status."""
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def assert_no_leak(body):
    for leak in LEAKS:
        assert leak not in body


@contextlib.contextmanager
def silent_listener():
    """A TCP port that accepts connections and never answers: a hanging server."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                held.append(server.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        server.close()


def test_with_the_cache_down_pages_and_api_answer_and_health_says_degraded(tmp_path):
    closed = f"redis://127.0.0.1:{_free_port()}/0"
    with running_site(tmp_path, workers=1, REDIS_URL=closed) as (url, _server):
        for path in ("/", REPORT, "/api/v1/reports/", "/api/v1/figures/?year=2030"):
            status, _headers, body = fetch(url + path)
            assert status == 200, (path, body[:200])
        status, _headers, body = fetch(url + "/healthz")
        assert status == 200
        assert json.loads(body) == {"status": "degraded", "database default": "ok",
                                    "cache": "not answering"}  # fmt: skip


def check_unavailable(url):
    started = time.monotonic()
    status, headers, body = fetch(url + REPORT)
    assert time.monotonic() - started < 10
    assert status == 503
    assert int(headers["Retry-After"]) > 0
    assert "Briefly unavailable" in body
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert_no_leak(body)
    status, headers, body = fetch(url + "/api/v1/reports/")
    assert status == 503
    assert int(headers["Retry-After"]) > 0
    assert "unavailable" in json.loads(body)["detail"]
    assert_no_leak(body)
    status, _headers, body = fetch(url + "/healthz")
    assert status == 503
    assert json.loads(body)["database default"] == "not answering"


def test_an_unreachable_postgresql_gives_503_with_retry_after(tmp_path):
    database = f"postgres://postgres@127.0.0.1:{_free_port()}/gtmp"
    with serving(tmp_path, workers=1, DATABASE_URL=database) as (url, _server):
        check_unavailable(url)


def test_a_hanging_postgresql_gives_503_within_seconds(tmp_path):
    with silent_listener() as port:
        database = f"postgres://postgres@127.0.0.1:{port}/gtmp"
        with serving(tmp_path, workers=1, DATABASE_URL=database, DB_CONNECT_TIMEOUT="2") as (
            url,
            _server,
        ):
            check_unavailable(url)


def test_the_site_recovers_on_the_next_request_once_the_database_is_back(tmp_path):
    good = tmp_path / "good"
    good.mkdir()
    prepare_database(good)
    missing = tmp_path / "later"
    database = f"sqlite:///{missing / 'db.sqlite3'}"
    with serving(tmp_path, workers=1, DATABASE_URL=database) as (url, _server):
        check_unavailable(url)
        shutil.copytree(good, missing)
        assert fetch(url + REPORT)[0] == 200
        assert fetch(url + "/healthz")[0] == 200


@pytest.mark.parametrize("cache", ["files", "redis"])
def test_two_workers_count_one_budget_together(tmp_path, cache):
    settings = {"API_ANON_RATE": "10/minute"}
    if cache == "redis":
        require_redis("the shared-budget test on it")
        settings["REDIS_URL"] = "redis://127.0.0.1:6379/12"
    else:
        settings["REDIS_URL"] = ""
    with running_site(tmp_path, workers=2, **settings) as (url, _server):
        if cache == "redis":
            manage(tmp_path, "shell", "-c", "from django.core.cache import cache; cache.clear()",
                   **settings)  # fmt: skip
        codes = [fetch(url + "/api/v1/companies/")[0] for _ in range(20)]
    assert codes.count(200) == 10
    assert set(codes[10:]) == {429}


class FreezingProxy:
    """A TCP proxy to PostgreSQL that can freeze: after ``freeze()`` it forwards
    nothing more and answers no new connection, while keeping every socket open,
    as a hung server or host does. TCP notices nothing."""

    def __init__(self, target=("127.0.0.1", 5432)):
        self.target = target
        self.frozen = threading.Event()
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.sockets = [self.server]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        with contextlib.suppress(OSError):
            while True:
                client, _ = self.server.accept()
                self.sockets.append(client)
                if self.frozen.is_set():
                    continue  # accepted, never answered
                upstream = socket.create_connection(self.target)
                self.sockets.append(upstream)
                for a, b in ((client, upstream), (upstream, client)):
                    threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source, sink):
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                if self.frozen.is_set():
                    threading.Event().wait()  # holds the data, and the sockets, for good
                sink.sendall(data)

    def freeze(self):
        self.frozen.set()

    def close(self):
        for sock in self.sockets:
            sock.close()


def test_a_postgresql_that_hangs_mid_connection_cannot_hold_a_request(tmp_path):
    """The probe's finding: a worker already connected hung 31 s on /healthz."""
    proxy = FreezingProxy()
    try:
        database = f"postgres://postgres@127.0.0.1:{proxy.port}/postgres"
        # One thread: the request after the freeze reuses the connection made before.
        with serving(tmp_path, workers=1, gunicorn_args=("--threads", "1"),
                     DATABASE_URL=database) as (url, _server):  # fmt: skip
            assert fetch(url + "/healthz")[0] == 200
            proxy.freeze()
            for path in ("/healthz", REPORT, "/sitemap.xml", "/api/v1/reports/"):
                started = time.monotonic()
                status, headers, body = fetch(url + path)
                took = time.monotonic() - started
                print(path, status, f"{took:.2f} s")
                assert status == 503 and took < 5, (path, status, took)
                assert path == "/healthz" or int(headers["Retry-After"]) > 0
                assert_no_leak(body)
    finally:
        proxy.close()


def raw_request(url, head, body):
    """The status line gunicorn answers to ``head`` and ``body``, sent as is, after
    which the client stops sending (a body shorter than its Content-Length)."""
    port = int(url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(head.encode() + body)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer.decode(errors="replace")


def test_a_content_length_longer_than_the_body_is_a_client_error(tmp_path):
    with serving(tmp_path, workers=1) as (url, _server):
        for path, kind in [("/api/v1/auth/token/", "application/json"),
                           ("/api/v1/figures/", "application/x-www-form-urlencoded"),
                           ("/api/v1/figures/", "multipart/form-data; boundary=zz"),
                           ("/admin/login/", "multipart/form-data; boundary=zz"),
                           ("/admin/login/", "application/x-www-form-urlencoded")]:  # fmt: skip
            head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {kind}\r\n"
                    "Content-Length: 1000\r\nConnection: close\r\n\r\n")  # fmt: skip
            answer = raw_request(url, head, b'--zz\r\nContent-Disposition: form-data; name="a')
            status = int(answer.split()[1])
            # A client error (the token endpoint reads it: 400; the others first
            # refuse an anonymous write or a missing CSRF token), never a 5xx.
            assert 400 <= status < 500 and (status == 400 or "token" not in path), answer[:300]
            assert_no_leak(answer)
