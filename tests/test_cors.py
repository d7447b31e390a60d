"""Cross-origin reads: any site may read the API and every download a report
page offers (GET and HEAD), never write, log in, open the admin or read a page;
every answer of those paths says ``Vary: Origin``, so a cache in front never
hands a copy made without CORS headers to a page on another site."""

import re

import pytest
from django.test import Client

from gtmp_site.api.urls import router

pytestmark = pytest.mark.django_db

REPORT = "/reports/us-gene-therapy-medicinal-products-market/"
ORIGIN = "http://127.0.0.1:9999"
PAGES = (REPORT, f"{REPORT}editions/1/", f"{REPORT}segments/cancer/")


def downloads(client):
    """Every link in the downloads of the report, edition and segment pages."""
    found = set()
    for page in PAGES:
        html = client.get(page).content.decode()
        for block in re.findall(r'<p class="downloads">(.*?)</p>', html, re.S):
            found.update(re.findall(r'href="(/[^"]+)"', block))
    return sorted(found)


def read_paths(client):
    """Every API list from the router, a report's detail and forecast, the schema,
    and every download the pages offer."""
    api = [f"/api/v1/{prefix}/" for prefix, _viewset, _basename in router.registry]
    report = f"/api/v1/reports/{REPORT.split('/')[2]}/"
    return [*api, report, f"{report}forecast/", "/api/v1/schema/", *downloads(client)]


def test_any_origin_reads_the_api_and_every_download(report):
    client = Client()
    paths = read_paths(client)
    assert any("/charts/" in p for p in paths) and any("/data." in p for p in paths)
    for path in paths:
        plain = client.get(path)  # as a server or a cache filling itself asks
        assert "origin" in plain.get("Vary", "").lower(), path
        response = client.get(path, HTTP_ORIGIN=ORIGIN)
        assert response["Access-Control-Allow-Origin"] == "*", path
        assert "Link" in response.get("Access-Control-Expose-Headers", ""), path
        assert response["Cross-Origin-Resource-Policy"] == "cross-origin", path
        assert "Access-Control-Allow-Credentials" not in response, path


def test_a_preflight_allows_reads_only():
    response = Client().options(
        "/api/v1/figures/", HTTP_ORIGIN=ORIGIN, HTTP_ACCESS_CONTROL_REQUEST_METHOD="PUT"
    )
    allowed = {m.strip() for m in response["Access-Control-Allow-Methods"].split(",")}
    assert allowed == {"GET", "HEAD", "OPTIONS"}
    assert "authorization" not in response["Access-Control-Allow-Headers"]


def test_no_origin_may_write_log_in_or_read_pages_and_the_admin(report, editor_api):
    client = Client()
    writes = [
        (editor_api.post, "/api/v1/figures/", {}),
        (editor_api.patch, f"/api/v1/reports/{report.slug}/", {"title": "x"}),
        (client.post, "/api/v1/auth/token/", {"username": "a", "password": "b"}),
    ]
    for send, path, data in writes:
        response = send(path, data, HTTP_ORIGIN=ORIGIN)
        assert "Access-Control-Allow-Origin" not in response, path
    for path in [*PAGES, "/", "/companies/", "/admin/login/", "/api/v1/auth/token/"]:
        response = client.get(path, HTTP_ORIGIN=ORIGIN)
        assert "Access-Control-Allow-Origin" not in response, path
        assert response["Cross-Origin-Resource-Policy"] == "same-origin", path
