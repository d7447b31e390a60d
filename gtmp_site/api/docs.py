"""The API's documentation pages on the site: the reference, made from the
OpenAPI schema drf-spectacular generates (so it lists every operation the
schema has, and nothing else), and the guide, docs/api.md. Both are plain
pages of the site, with its header, footer and style and no script; Swagger UI
and Redoc stay as the interactive explorers."""

from functools import cache
from pathlib import Path

from django.conf import settings
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView
from drf_spectacular.generators import SchemaGenerator

from gtmp_site.core.prose import render_markdown
from gtmp_site.views import PageMetaMixin

GUIDE = Path(settings.BASE_DIR) / "docs" / "api.md"
METHODS = ("get", "post", "put", "patch", "delete")


@cache
def schema():
    """The public OpenAPI schema, made once per process (it changes with the code only)."""
    return SchemaGenerator().get_schema(request=None, public=True)


def _type(parameter):
    kind = parameter.get("schema", {})
    if "enum" in kind:
        return "one of " + ", ".join(str(value) for value in kind["enum"])
    return kind.get("format") or kind.get("type", "")


def resources():
    """The schema's operations grouped by resource (tag), in the tags' order:
    [{"name", "description", "operations": [{"id", "method", "path", "summary",
    "description", "parameters", "responses"}]}]."""
    found = {tag["name"]: {**tag, "operations": []} for tag in schema().get("tags", [])}
    for path, operations in schema()["paths"].items():
        for method in METHODS:
            operation = operations.get(method)
            if operation is None:
                continue
            tag = operation.get("tags", ["other"])[0]
            found.setdefault(tag, {"name": tag, "description": "", "operations": []})
            found[tag]["operations"].append({
                "id": operation["operationId"],
                "method": method.upper(),
                "path": path,
                "summary": operation.get("summary", ""),
                "description": render_markdown(operation.get("description", "")),
                "parameters": [
                    {"name": p["name"], "in": p["in"], "type": _type(p),
                     "required": p.get("required", False),
                     "description": p.get("description", "")}
                    for p in operation.get("parameters", [])
                ],
                "responses": sorted(
                    (code, answer.get("description", ""))
                    for code, answer in operation.get("responses", {}).items()
                ),
                "public": operation.get("security") in (None, []),
            })  # fmt: skip
    return [tag for tag in found.values() if tag["operations"]]


class ReferenceView(PageMetaMixin, TemplateView):
    template_name = "api/reference.html"
    page_title = "API documentation"
    page_description = (
        "The GTMP Market Insights API: every resource and operation, with its parameters "
        "and answers, from the OpenAPI schema."
    )

    def get_context_data(self, **kwargs):
        info = schema()["info"]
        return super().get_context_data(
            info=info, introduction=render_markdown(info.get("description", "")),
            resources=resources(), **kwargs,
        )  # fmt: skip


class GuideView(PageMetaMixin, TemplateView):
    template_name = "api/guide.html"
    page_title = "API guide"
    page_description = (
        "How to read the GTMP Market Insights API: editions, filters, pages, errors, "
        "tokens, with examples."
    )

    def get_context_data(self, **kwargs):
        # The page's own heading replaces the file's first line ("# API v1").
        text = GUIDE.read_text().split("\n", 1)[1]
        return super().get_context_data(guide=render_markdown(text, sections=True), **kwargs)


reference = require_safe(ReferenceView.as_view())
guide = require_safe(GuideView.as_view())
