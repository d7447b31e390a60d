"""Behind the documented proxy set-up (Varnish in front, DJANGO_TRUSTED_PROXIES=1,
as `make serve` runs it): the login lock-out counts the real address of each
client, whatever X-Forwarded-For it sends, and never one shared bucket."""

import http.client
import json
import urllib.parse

from gtmp_site.local_site import _free_port, manage, running_site, varnish_in_front
from tests.services import require_varnish

PASSWORD = "a-long-test-password-2"
TOKEN = "/api/v1/auth/token/"


def token_login(front, password, forwarded, source="127.0.0.1"):
    """Status of a token login through Varnish from the loopback address ``source``."""
    address = urllib.parse.urlsplit(front)
    connection = http.client.HTTPConnection(
        address.hostname, address.port, timeout=20, source_address=(source, 0)
    )
    body = urllib.parse.urlencode({"username": "alice", "password": password})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": forwarded}
    try:
        connection.request("POST", TOKEN, body, headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


def test_through_varnish_the_lock_out_follows_the_real_address(tmp_path):
    require_varnish()
    port = _free_port()
    settings = {"DJANGO_TRUSTED_PROXIES": "1", "VARNISH_URLS": f"http://127.0.0.1:{port}/"}
    with (
        running_site(tmp_path, workers=2, **settings) as (site, _),
        varnish_in_front(tmp_path, site, port=port) as (front, _),
    ):
        manage(tmp_path, "create_editor", "alice", DJANGO_EDITOR_PASSWORD=PASSWORD, **settings)
        # Five wrong passwords from 127.0.0.1, each claiming another address.
        codes = [token_login(front, "wrong", f"203.0.113.{n}")[0] for n in range(5)]
        assert codes[:4] == [401] * 4
        # Locked for 127.0.0.1 whatever it claims next, the right password included.
        status, body = token_login(front, PASSWORD, "198.51.100.1")
        assert status == 429 and "locked" in body["detail"]
        # Another real client (127.0.0.2) is not locked: no bucket is shared.
        status, body = token_login(front, PASSWORD, "203.0.113.1", source="127.0.0.2")
        assert status == 200 and body["token"]
