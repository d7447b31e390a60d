"""Helpers of the freshness property (tests/test_fresh.py): every content model
from the app registry, a generic edit of a row of each, and every public URL
found by following the site's own links and the API's, none typed in.

Imported by the test and by the editor process of its two-server run
(``python -m tests.fresh``), so both make the same edits.
"""

import json
import re
import sys
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

# Not followed: the admin, static files, the API's docs and token login, previews,
# and chart images, workbooks, data packages and PDFs: each is made from one edition,
# whose freshness the walk checks through its pages and text downloads (the
# latest follows a new edition, an old edition's stays: tests/test_chart_images.py,
# tests/test_downloads.py, tests/test_datapackage.py, tests/test_pdf.py).
NOT_FOLLOWED = re.compile(
    r"^/(admin|static|api/v1/(docs|redoc|schema|auth))|/preview/|/charts/|\.(xlsx|zip|pdf)$"
)
EDIT_KINDS = ("change", "delete", "m2m")
MARK = " (fresh)"


def content_models():
    from django.apps import apps

    from gtmp_site.core.models import ContentModel

    return sorted(
        (m for m in apps.get_models() if issubclass(m, ContentModel)),
        key=lambda m: m._meta.label_lower,
    )


def cases():
    """(model label, kind of edit) for every content model: a change and a delete
    of each, a many-to-many change of each model that has one."""
    return [
        (model._meta.label_lower, kind)
        for model in content_models()
        for kind in EDIT_KINDS
        if kind != "m2m" or model._meta.many_to_many
    ]


def sample(model):
    """The last row of ``model`` the public sees (the last row, if none is public):
    last, so that moving it first is a change."""
    rows = model.objects.order_by("-pk")
    public = getattr(rows, "published", None)
    return (public and public().first()) or rows.first()


def _shown_text_fields(model):
    from django.db import models

    for field in model._meta.concrete_fields:
        if (
            isinstance(field, models.CharField | models.TextField)
            and field.editable
            and not field.choices
            and not isinstance(field, models.SlugField | models.URLField)
            and (field.max_length or 1000) > 20
        ):
            yield field


def edit(label, kind):
    """Make the edit ``kind`` to the sample row of the model ``label`` through the
    model's own save, delete or many-to-many manager (the path every admin, API
    and import write takes). Returns a description, for failure messages."""
    from django.apps import apps
    from django.db import transaction
    from django.db.models import ProtectedError, RestrictedError

    from gtmp_site.core.gate import PublishRefused

    model = apps.get_model(label)
    row = sample(model)
    if kind == "delete":
        for candidate in model.objects.order_by("-pk"):
            try:
                with transaction.atomic():
                    candidate.delete()
            except (ProtectedError, RestrictedError, PublishRefused):
                continue  # kept by a foreign key, or by the publish gate
            return f"deleted {label} {candidate}"
        return f"every {label} is protected from deletion: nothing deleted"
    if kind == "m2m":
        field = model._meta.many_to_many[0]
        manager = getattr(row, field.name)
        linked = list(manager.all())
        others = field.related_model.objects.exclude(pk__in=[r.pk for r in linked])
        if linked:
            manager.remove(linked[0])
        if others.exists():
            manager.add(others.first())
        return f"{label} {row.pk}: {field.name} changed"
    changed = []
    for field in _shown_text_fields(model):
        value = getattr(row, field.attname) or ""
        setattr(row, field.attname, (value[: field.max_length - len(MARK)] if field.max_length
                                     else value) + MARK)  # fmt: skip
        changed.append(field.name)
    if hasattr(row, "position"):
        row.position = 0
        changed.append("position")
    row.save()
    return f"{label} {row.pk}: {', '.join(changed)} changed"


# An edition's pages and downloads, and the API's reads pinned to one (``?edition=1``).
EDITION_URL = re.compile(r"/editions/\d|[?&]edition=\d")


def edition_urls(urls):
    """The URLs of published editions, their downloads and the API's reads of them:
    they never change."""
    return [url for url in urls if EDITION_URL.search(url)]


def _neighbours(row):
    for field in row._meta.get_fields():
        if field.many_to_one or field.one_to_one:
            related = getattr(row, field.name, None)
            if related is not None:
                yield related
        elif field.one_to_many or field.many_to_many:
            accessor = field.get_accessor_name() if field.auto_created else field.name
            yield from getattr(row, accessor).all()[:100]


def identifiers(row, hops=2):
    """The slugs and keys of ``row`` and of the rows within ``hops`` relations of it:
    what the URLs that show it are named by."""
    seen, names, frontier = set(), set(), [row]
    for _ in range(hops + 1):
        reached = []
        for obj in frontier:
            if (type(obj), obj.pk) in seen:
                continue
            seen.add((type(obj), obj.pk))
            names.update(str(value) for value in (obj.pk, getattr(obj, "slug", None)) if value)
            reached.extend(_neighbours(obj))
        frontier = reached
    return names


def urls_showing(urls, names, others=2):
    """The URLs of ``urls`` that may show a row known by ``names`` (its
    ``identifiers``): every URL of a route with few (lists, the report's pages),
    and of a route with many (a detail per company) those named by the row or a
    row near it, and ``others`` more."""
    from django.urls import resolve

    routes = {}
    for url in urls:
        routes.setdefault(resolve(url.split("?")[0]).route, []).append(url)
    chosen = []
    for members in routes.values():
        for i, url in enumerate(members):
            few = len(members) <= 5
            if few or i < others or names & set(url.split("?")[0].split("/")):
                chosen.append(url)
    return chosen


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag == "a" and (href := dict(attrs).get("href")):
            self.links.append(href)


def _json_urls(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _json_urls(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_urls(item)
    elif isinstance(value, str) and value.startswith("http"):
        yield value


def public_urls(get, start=("/", "/api/v1/")):
    """Every URL of the site reached from ``start`` by its links: pages by their
    ``<a href>``, the API by the URLs in its bodies (lists, their pages, details,
    related resources). ``get(path)`` returns (status, content type, text)."""
    seen, queue = set(), list(start)
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        status, kind, text = get(path)
        if status != 200:
            continue
        if "html" in kind:
            parser = _Links()
            parser.feed(text)
            found = [urljoin(path, href) for href in parser.links]
        elif "json" in kind:
            found = list(_json_urls(json.loads(text)))
        else:
            continue
        for url in found:
            parts = urlsplit(url)
            if parts.netloc not in ("", "testserver") and not parts.netloc.startswith("127.0.0.1"):
                continue
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            # The API's own links are all followed (its pages, a report's companies);
            # a page's links with a query are its filters and sorts of the same list.
            followed = parts.path.startswith("/api/v1/") or "?" not in local
            if local not in seen and followed and not NOT_FOLLOWED.search(parts.path):
                queue.append(local)
    return sorted(seen)


if __name__ == "__main__":
    # The editor process of the two-server run. Each line of standard input is
    # "names LABEL" (answered with the identifiers of the sample row and of the
    # rows one relation from it, as JSON) or
    # "edit LABEL KIND" (answered with what it did, once committed).
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gtmp_site.settings")
    import django

    django.setup()
    print("ready", flush=True)
    from django.apps import apps

    from gtmp_site.core.cache import purger
    from tests.factories import publish_changed

    for line in sys.stdin:
        command, label, *kind = line.split()
        if command == "names":
            names = identifiers(sample(apps.get_model(label)), hops=1)
            print(json.dumps(sorted(names)), flush=True)
        else:
            done = edit(label, *kind)
            if publish_changed():  # the report's pages show it once published
                done += ", then published"
            purger.wait()  # the test reads through Varnish next
            print(done, flush=True)
