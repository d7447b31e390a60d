"""The OpenAPI schema: it validates, documents every endpoint, and the API keeps to it."""

import io
import itertools
import json
import os
import re
import sys

import pytest
import schemathesis
from django.apps import apps
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import positive_data_acceptance

from gtmp_site.core.editors import CONTENT_APPS
from gtmp_site.local_site import ROOT
from gtmp_site.wsgi import application
from tests.factories import EditorFactory

pytestmark = pytest.mark.django_db

# The coverage phase crashes inside hypothesis on Python 3.11 (a known schemathesis
# issue), so the in-suite run uses examples and fuzzing, bounded to stay quick.
CONFIG = schemathesis.Config.from_dict(
    {
        "phases": {
            "coverage": {"enabled": sys.version_info >= (3, 12)},
            "examples": {"enabled": True},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
        # DRF refuses NUL characters in text (a 400 the schema cannot express).
        "generation": {
            "max-examples": int(os.environ.get("API_FUZZ_EXAMPLES", "8")),
            "allow-x00": False,
        },
    }
)


def test_schema_validates_without_warnings(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )
    assert (tmp_path / "schema.yml").read_text().startswith("openapi: 3.0")


def test_schema_and_docs_are_served_offline(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    paths = set(schema["paths"])
    for path in ["/api/v1/reports/", "/api/v1/reports/{slug}/forecast/", "/api/v1/figures/",
                 "/api/v1/segments/", "/api/v1/companies/", "/api/v1/faqs/"]:  # fmt: skip
        assert path in paths
    for url in ("/api/v1/docs/explorer/", "/api/v1/redoc/"):
        html = client.get(url).content.decode()
        assert "/static/drf_spectacular_sidecar/" in html
        # Nothing is loaded from another host (CDN scripts, web fonts).
        assert not re.search(r'(src|href)="(https?:)?//', html), url


def test_every_field_and_operation_is_described(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    undescribed = [
        f"{name}.{field}"
        for name, component in schema["components"]["schemas"].items()
        for field, prop in component.get("properties", {}).items()
        if not prop.get("description")
    ]
    assert undescribed == []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("description") and operation.get("summary"), (method, path)
            for parameter in operation.get("parameters", []):
                assert parameter.get("description"), (method, path, parameter["name"])
    described = {tag["name"] for tag in schema["tags"] if tag.get("description")}
    used = {op["tags"][0] for ops in schema["paths"].values() for op in ops.values()}
    assert used <= described  # every resource described, therapies included
    assert "estimates" in next(t for t in schema["tags"] if t["name"] == "reports")["description"]
    # The description names and links every resource, and the docs by their URLs.
    description = schema["info"]["description"]
    for tag in schema["tags"]:
        assert f"[{tag['name']}](/api/v1/docs/#{tag['name']})" in description
    for url in ("/api/v1/docs/", "/api/v1/docs/guide/", "/api/v1/docs/explorer/",
                "/api/v1/redoc/", "/api/v1/schema/"):  # fmt: skip
        assert f"]({url})" in description and client.get(url).status_code == 200


def test_the_docs_page_lists_every_operation_and_its_links_work(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    html = client.get("/api/v1/docs/").content.decode()
    for operations in schema["paths"].values():
        for operation in operations.values():
            article = html.split(f'id="{operation["operationId"]}"')[1].split("</article>")[0]
            assert f"<h3>{operation['summary']}</h3>".replace("'", "&#x27;") in article
    for tag in schema["tags"]:
        assert f'<section id="{tag["name"]}"' in html
    guide = client.get("/api/v1/docs/guide/").content.decode()
    assert "<h1>API guide</h1>" in guide and "Readers read editions" in guide
    # Every section of docs/api.md is a heading, one level under the page's h1.
    source = (ROOT / "docs" / "api.md").read_text()
    for hashes, title in re.findall(r"^(##+) (.+)$", source, re.M):
        assert f"<h{len(hashes)}>{title}</h{len(hashes)}>" in guide, title
    links = {page: set(re.findall(r'<a href="(/[^"#]*)', page)) for page in (html, guide)}
    assert {"/api/v1/docs/guide/", "/api/v1/docs/explorer/", "/api/v1/schema/"} <= links[html]
    for found in links.values():
        assert "/" in found  # back to the site
        assert [url for url in found if client.get(url).status_code != 200] == []


def test_public_reads_and_the_login_need_no_credentials_in_the_schema(client):
    """A read the API answers without credentials shows no lock in the docs, and one
    that asks for them (401) does; every write asks for them."""
    schema = client.get("/api/v1/schema/?format=json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method == "get":
                anonymous = client.get(re.sub(r"\{\w+\}", "x", path)).status_code
                assert ("security" in operation) is (anonymous == 401), (path, anonymous)
            elif path == "/api/v1/auth/token/":
                assert "security" not in operation, path  # no lock in the docs
            else:
                assert operation["security"] and {} not in operation["security"], (method, path)


def load_schema():
    """The schema as the API serves it, loaded without a request (at collection time)."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    document = SchemaGenerator().get_schema(request=None, public=True)
    raw = json.loads(OpenApiJsonRenderer().render(document))
    loaded = schemathesis.openapi.from_dict(raw, config=CONFIG)
    loaded.app = application  # calls go in-process through the WSGI app
    return loaded


schema = load_schema()


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Calls go straight to the WSGI app, whose request signals would close the
    test's database connection (and its transaction); Django's test client
    disconnects them the same way."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture(scope="module")
def _loaded(django_db_setup, django_db_blocker):
    """The report, loaded once for the module's many operations (each test's own
    writes are rolled back), and removed again so later modules start empty."""
    with django_db_blocker.unblock():
        call_command("load_report_content", stdout=io.StringIO())
        yield
        tables = [
            model._meta.db_table
            for label in CONTENT_APPS
            for model in apps.get_app_config(label).get_models()
        ]
        with connection.constraint_checks_disabled(), connection.cursor() as cursor:
            for sql in connection.ops.sql_flush(no_style(), tables, allow_cascade=True):
                cursor.execute(sql)
        cache.clear()  # the rows went without signals: no cached response may outlive them


@pytest.fixture(autouse=True)
def _content(_loaded, db, settings):
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]  # schemathesis calls in as localhost


def _slug_filters():
    """{query parameter: model} of every slug filter of the API's lists."""
    from gtmp_site.api.filtersets import SlugFilter
    from gtmp_site.api.urls import router

    found = {}
    for _prefix, viewset, _basename in router.registry:
        filterset = getattr(viewset, "filterset_class", None)
        for name, f in filterset.base_filters.items() if filterset else ():
            if isinstance(f, SlugFilter):
                found[name] = f.of
    return found


@schemathesis.hook
def map_query(context, query):
    """A slug filter's value is a slug that exists: an unknown one is a 400 naming
    the known ones (tests/test_api_strict.py), which a schema cannot express."""
    for name, model in _slug_filters().items():
        if query and query.get(name):
            slugs = sorted(model.objects.values_list("slug", flat=True))
            query[name] = slugs[len(str(query[name])) % len(slugs)]
    return query


@schema.parametrize()
@hypothesis_settings(suppress_health_check=list(HealthCheck), deadline=None, derandomize=True)
def test_anonymous_requests_conform_to_the_schema(case):
    case.call_and_validate()


@schema.parametrize()
@hypothesis_settings(suppress_health_check=list(HealthCheck), deadline=None, derandomize=True)
def test_editor_requests_conform_to_the_schema(case):
    token, _ = Token.objects.get_or_create(user=EditorFactory())
    # Random but schema-valid bodies name reports that do not exist, so a 400 is
    # right there: positive-data acceptance cannot hold for writes by design.
    case.call_and_validate(
        headers={"Authorization": f"Token {token.key}"},
        excluded_checks=[positive_data_acceptance],
    )


def test_the_docs_show_realistic_numbers(client):
    schema = client.get("/api/v1/schema/?format=json").json()["components"]["schemas"]
    assert schema["Report"]["properties"]["implied_cagr"]["example"] == "17.36"
    assert schema["MarketFigure"]["properties"]["value"]["example"] == "14.400"


def test_every_download_is_documented_and_answers_as_documented(client):
    """Each route of market.openapi.DOWNLOADS is an operation of the schema; each
    value its parameters allow, with the report's slug, edition 1 and a segment's
    slug, answers with a status and media type the schema gives (a 404 page where
    a segment has no such chart), and each operation with a file at least once."""
    from market.models import Report, Segment
    from market.openapi import DOWNLOADS

    schema = client.get("/api/v1/schema/?format=json").json()
    downloads = {path: ops["get"] for path, ops in schema["paths"].items()
                 if ops.get("get", {}).get("tags") == ["downloads"]}  # fmt: skip
    assert len(downloads) == len(DOWNLOADS)
    real = {"slug": [Report.objects.get().slug], "label": ["1"],
            "segment": [Segment.objects.order_by("position").first().slug]}  # fmt: skip
    for path, operation in downloads.items():
        names = [p["name"] for p in operation["parameters"]]
        choices = [p["schema"].get("enum") or real[p["name"]] for p in operation["parameters"]]
        answered = set()
        for values in itertools.product(*choices):
            url = path.format(**dict(zip(names, values, strict=True)))
            response = client.get(url)
            documented = operation["responses"][str(response.status_code)]["content"]
            assert response["Content-Type"].split(";")[0] in documented, url
            answered.add(response.status_code)
        assert 200 in answered, path
