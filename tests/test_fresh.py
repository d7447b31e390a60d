"""Every edit shows on the next request to every URL that shows it: a property
over every content model in the app registry and every public URL the site
links to (tests/fresh.py finds both; none is typed in here).

For each model: warm the cache on the URLs that may show a row of it (every URL
of a short route such as the lists and the report's pages, and those of a long
route named by the row or a row next to it), change (or delete, or relink) the
row through the model, then each must answer from the cache exactly what a
fresh render answers (a request with a session cookie is never served
from the cache), once after the edit and again after the report is published
as a new edition (its own pages show its latest edition). So a response that
shows the row but does not depend on it is caught, whichever page, API
resource or download it is, and a new model, relation or template is covered
without editing this file.
"""

import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.apps import apps
from django.test import Client

from gtmp_site.local_site import ROOT, _free_port, running_site, serving, site_env, varnish_in_front
from tests import fresh
from tests.factories import publish_changed
from tests.services import redis_db, require_redis, require_varnish

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _unthrottled(monkeypatch):
    """The walk reads each API resource several times a minute."""
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "100000/minute"})


# A form's CSRF token is masked anew in every response (the enquiry form, never
# cached): not content, so two renders are compared without it.
CSRF_TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*')


def without_token(text):
    return CSRF_TOKEN.sub(r"\1", text)


def fetch(client, **headers):
    def get(path):
        response = client.get(path, **headers)
        content = response.content.decode() if response.status_code == 200 else ""
        return response.status_code, response.get("Content-Type", ""), without_token(content)

    return get


def answers(get, urls):
    return {url: get(url)[::2] for url in urls}


_site_urls = []  # per test process: every public URL of the loaded content


def check_fresh_after(label, kind):
    public = fetch(Client())
    uncached = fetch(Client(), HTTP_COOKIE="sessionid=none")
    if not _site_urls:
        _site_urls.extend(fresh.public_urls(public))
    urls = fresh.urls_showing(_site_urls, fresh.identifiers(fresh.sample(apps.get_model(label))))
    editions = fresh.edition_urls(_site_urls)
    assert editions, "the site links no edition: the loaded report has none"
    before, editions_before = answers(public, urls), answers(uncached, editions)
    what = fresh.edit(label, kind)
    assert_fresh(public, uncached, urls, f"{what}: stale after the edit")
    # The complement: a published edition's pages and downloads never change.
    moved = [url for url, answer in answers(uncached, editions).items()
             if answer != editions_before[url]]  # fmt: skip
    assert not moved, f"{what}: changed a published edition: {moved}"
    # The report's own pages show it once it is published, as a new edition.
    if publish_changed():
        what += ", then published"
    rendered = assert_fresh(public, uncached, urls, f"{what}: stale after publishing")
    return what, [url for url in urls if rendered[url] != before[url]]


def assert_fresh(public, uncached, urls, message):
    """Each of ``urls`` answers from the cache what a fresh render answers."""
    cached, rendered = answers(public, urls), answers(uncached, urls)
    stale = [url for url in urls if cached[url] != rendered[url]]
    assert not stale, f"{message}: {stale}"
    return rendered


@pytest.mark.parametrize(("label", "kind"), fresh.cases())
def test_every_edit_shows_on_every_url_that_shows_it(report, label, kind):
    what, changed = check_fresh_after(label, kind)
    # A change of a row shows somewhere (else it would test nothing); a row can
    # be deleted or relinked without a trace (a region's only country is not
    # listed), or be protected from deletion.
    assert changed or kind != "change", f"{what}: shows nowhere, so the edit tests nothing"


def http(base, **headers):
    def get(path):
        request = urllib.request.Request(base + path, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                body = without_token(response.read().decode())
                return response.status, response.headers["Content-Type"], body
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.headers.get("Content-Type", ""), ""

    return get


@pytest.mark.slow
@pytest.mark.own_database  # its servers' SQLite file
def test_with_redis_shared_by_two_servers_and_varnish_every_change_shows_on_each(tmp_path):
    """The same walk against two gunicorn servers sharing Redis and a Varnish in
    front of the first, the edits made by a third process (which purges Varnish
    before it answers): a change read on either server or through Varnish is the
    change."""
    require_redis("the two-server run")
    require_varnish()
    port = _free_port()
    settings = {"REDIS_URL": redis_db(9), "API_ANON_RATE": "100000/minute",
                "VARNISH_URLS": f"http://127.0.0.1:{port}/"}  # fmt: skip
    with (
        running_site(tmp_path, workers=1, **settings) as (first, _),
        serving(tmp_path, workers=1, **settings) as (second, _),
        varnish_in_front(tmp_path, first, port=port) as (front, _),
        subprocess.Popen(
            [sys.executable, "-m", "tests.fresh"], cwd=ROOT, env=site_env(tmp_path, **settings),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        ) as editor,
    ):  # fmt: skip

        def ask(line):
            editor.stdin.write(line + "\n")
            editor.stdin.flush()
            return editor.stdout.readline().strip()

        assert editor.stdout.readline().strip() == "ready"
        readers = (first, second, front)
        servers = [http(reader) for reader in readers]
        every_url = fresh.public_urls(servers[0])
        for label, kind in [c for c in fresh.cases() if c[1] == "change"]:
            names = set(json.loads(ask(f"names {label}")))
            urls = fresh.urls_showing(every_url, names, others=0)
            with ThreadPoolExecutor(len(readers)) as pool:  # the three read at once
                before = list(pool.map(answers, servers, [urls] * len(servers)))
                what = ask(f"edit {label} {kind}")
                served = list(pool.map(answers, servers, [urls] * len(servers)))
                # Each one's own render (Varnish passes a session): API links name it.
                fresh_gets = [http(reader, Cookie="sessionid=none") for reader in readers]
                rendered = list(pool.map(answers, fresh_gets, [urls] * len(servers)))
            for reader, *answered in zip(readers, before, served, rendered, strict=True):
                old, now, new = answered
                stale = [url for url in urls if now[url] != new[url]]
                assert not stale, f"{what}: stale on {reader}: {stale}"
                assert new != old, f"{what}: shows nowhere"
        editor.stdin.close()
