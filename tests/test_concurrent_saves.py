"""Editors saving at once on the embedded default (SQLite) through two gunicorn
workers never see an error page: each save lands, or is refused as a conflict
with the usual message, the form as the admin rendered it."""

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from gtmp_site.local_site import manage, running_site
from tests.admin_forms import _FormReader

PASSWORD = "a-long-test-password-1"
SAVES = 20


class Editor:
    """One logged-in admin session over HTTP, as a browser holds it."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path):
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.read().decode()

    def post(self, path, fields):
        """(status, body) of posting ``fields`` (pairs) to ``path``, redirects not followed."""
        request = urllib.request.Request(
            self.base + path,
            data=urllib.parse.urlencode(fields).encode(),
            headers={"Referer": self.base + path},
        )
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )
        try:
            with opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def form(self, path, form_id=None):
        reader = _FormReader(form_id)
        reader.feed(self.get(path))
        return reader.fields

    def log_in(self, username):
        fields = dict(self.form("/admin/login/"))
        fields.update(username=username, password=PASSWORD)
        status, _ = self.post("/admin/login/", list(fields.items()))
        assert status == 302, "the editor could not log in"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def change_pages(editor, query=""):
    """The change pages the company list links, with each page's form's fields."""
    listing = editor.get(f"/admin/companies/company/{query}")
    paths = sorted(set(re.findall(r'href="(/admin/companies/company/\d+/change/)', listing)))
    return [(path, editor.form(path, "company_form")) for path in paths]


def with_value(fields, name, value):
    return [(n, value if n == name else v) for n, v in fields] + [("_save", "Save")]


def outcome(status, body):
    if status == 302:
        return "saved"
    if status == 200 and "Not saved:" in body:
        return "conflict"
    return f"{status}: {body[:300]}"


@pytest.fixture(scope="module")
def editors(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sqlite-site")
    with running_site(folder, workers=2, gunicorn_args=("--threads", "4")) as (url, _):
        manage(folder, "create_editor", "alice", DJANGO_EDITOR_PASSWORD=PASSWORD)
        manage(folder, "create_editor", "bob", DJANGO_EDITOR_PASSWORD=PASSWORD)
        alice, bob = Editor(url), Editor(url)
        alice.log_in("alice")
        bob.log_in("bob")
        yield alice, bob


def test_twenty_saves_of_different_companies_at_once_all_land(editors):
    # Alice and Bob each open ten companies' pages, then all twenty are saved at once.
    paths = [path for path, _fields in change_pages(editors[0])[:SAVES]]
    assert len(paths) == SAVES
    forms = []
    for i, path in enumerate(paths):
        editor = editors[i % 2]
        forms.append((editor, path, editor.form(path, "company_form")))

    def save(i):
        editor, path, fields = forms[i]
        return outcome(*editor.post(path, with_value(fields, "headquarters", f"Town {i}")))

    with ThreadPoolExecutor(SAVES) as pool:
        outcomes = list(pool.map(save, range(SAVES)))
    assert outcomes == ["saved"] * SAVES


def test_twenty_saves_of_one_company_at_once_land_or_are_refused_as_conflicts(editors):
    # Both open Sarepta's page, then send twenty saves of it at once between them.
    forms = [change_pages(editor, "?q=sarepta")[0] for editor in editors]

    def save(i):
        path, fields = forms[i % 2]
        return outcome(*editors[i % 2].post(path, with_value(fields, "headquarters", f"City {i}")))

    with ThreadPoolExecutor(SAVES) as pool:
        outcomes = list(pool.map(save, range(SAVES)))
    assert set(outcomes) <= {"saved", "conflict"}, outcomes
    # A colleague's save refuses the other's; an editor's own later save may land
    # over their earlier one. What the company holds now is one that landed.
    landed = {f"City {i}" for i, result in enumerate(outcomes) if result == "saved"}
    assert landed
    assert dict(change_pages(editors[0], "?q=sarepta")[0][1])["headquarters"] in landed
