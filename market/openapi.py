"""The downloads of a report in the API's OpenAPI schema (a drf-spectacular
postprocessing hook): its data files, data package and chart images are plain
pages of the site, not API views, so drf-spectacular does not find them. Each is
described here from its route in the URL configuration: its path, and each
parameter's values from the route's own pattern, so the schema follows the routes."""

import re

from django.urls import URLResolver, get_resolver
from django.utils.regex_helper import normalize

from market.views import XLSX

TAG = "downloads"
LATEST = (
    "The latest edition's, at an address that follows each new edition; the same "
    "under `/editions/{label}/` is that edition's for good."
)
# Each route described, by name: (summary, what it holds).
DOWNLOADS = {
    "data": (
        "The yearly series of the latest edition, as a file",
        "One row per value (CSV, Excel) with where it counts, its unit, kind, method, "
        "source and edition; or the series and checks as JSON, as the forecast "
        "operation gives them, with the report's title, licence and edition. " + LATEST,
    ),
    "edition-data": (
        "The yearly series of one edition, as a file",
        "As the latest's (`/reports/{slug}/data.{fmt}`), as edition `label` published it.",
    ),
    "datapackage": (
        "Every table of the latest edition, as a data package",
        "A ZIP holding a Frictionless Data Package (v2): `datapackage.json`, CSV files "
        "of the market size, segment sizes, other estimates, listed companies and "
        "approvals, and a README with the edition, licence and citation. " + LATEST,
    ),
    "edition-datapackage": (
        "Every table of one edition, as a data package",
        "As the latest's (`/reports/{slug}/datapackage.zip`), as edition `label` published it.",
    ),
    "chart-image": (
        "A chart of the latest edition, as an image",
        "The chart drawn on the server, with its title, units, source, edition and "
        "licence in the picture. " + LATEST,
    ),
    "edition-chart-image": (
        "A chart of one edition, as an image",
        "As the latest's (`/reports/{slug}/charts/{name}.{fmt}`), as edition `label` published it.",
    ),
    "segment-chart-image": (
        "A segment's chart of the latest edition, as an image",
        "The segment's market size (`forecast`, where a source gives segment figures) "
        "or its approvals per year. " + LATEST,
    ),
    "edition-segment-chart-image": (
        "A segment's chart of one edition, as an image",
        "As the latest's (`/reports/{slug}/segments/{segment}/charts/{name}.{fmt}`), as "
        "edition `label` published it.",
    ),
}
DOWNLOADS.update(
    {
        "pdf": (
            "The latest edition as a PDF",
            "The report as a tagged PDF (PDF/UA-1): every section, the charts and their "
            "tables, the sources and the citation; made once per edition. " + LATEST,
        ),
        "edition-pdf": (
            "One edition as a PDF",
            "As the latest's (`/reports/{slug}/report.pdf`), as edition `label` published it.",
        ),
    }
)
PARAMETERS = {
    "slug": "The report's slug.",
    "label": "The edition: `1`, `2`, or `2.1` for a correction of edition 2.",
    "segment": "The segment's slug.",
    "name": "The chart.",
    "fmt": "The file's format.",
}
MEDIA_TYPES = {
    "csv": "text/csv",
    "json": "application/json",
    "xlsx": XLSX,
    "png": "image/png",
    "svg": "image/svg+xml",
    "zip": "application/zip",
    "pdf": "application/pdf",
}
HEADERS = {
    "Link": 'The data licence: `<url>; rel="license"`.',
    "Content-Disposition": "The file name, naming the report and the edition.",
    "ETag": "Changes when the file does; send it back in If-None-Match.",
}


def routes(resolver=None, prefix="", namespace=None):
    """(view name, regular expression from the site's root) of every named route."""
    for pattern in (resolver or get_resolver()).url_patterns:
        regex = prefix + pattern.pattern.regex.pattern.lstrip("^")
        if isinstance(pattern, URLResolver):
            yield from routes(pattern, regex, pattern.namespace or namespace)
        elif pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name, regex


def group(regex, name):
    """The regular expression of the named group ``name`` in ``regex``."""
    start = regex.index(f"(?P<{name}>") + len(f"(?P<{name}>")
    depth, end = 1, start
    while depth:
        depth += {"(": 1, ")": -1}.get(regex[end], 0) if regex[end - 1] != "\\" else 0
        end += 1
    return regex[start : end - 1]


def parameter(regex, name):
    """The OpenAPI path parameter ``name`` of a route: an enum where the route lists
    the values (``csv|json|xlsx``), otherwise a pattern."""
    values = group(regex, name)
    schema = (
        {"type": "string", "enum": values.split("|")}
        if re.fullmatch(r"[\w|]+", values)
        else {"type": "string", "pattern": f"^(?:{values})$"}
    )
    return {"name": name, "in": "path", "required": True, "schema": schema,
            "description": PARAMETERS[name]}  # fmt: skip


def operation(name, regex, path_template, params):
    summary, description = DOWNLOADS[name]
    formats = parameter(regex, "fmt")["schema"]["enum"] if "fmt" in params else [path_template[-3:]]
    body = {"schema": {"type": "string", "format": "binary"}}
    headers = {header: {"schema": {"type": "string"}, "description": text}
               for header, text in HEADERS.items()}  # fmt: skip
    return {
        "operationId": f"download_{name.replace('-', '_')}",
        "summary": summary,
        "description": description + " Any site may read it (CORS).",
        "tags": [TAG],
        "parameters": [parameter(regex, param) for param in params],
        "responses": {
            "200": {
                "description": "The file: " + ", ".join(formats) + ".",
                "headers": headers,
                "content": {MEDIA_TYPES[fmt]: body for fmt in formats},
            },
            "404": {
                "description": "No such report, edition, segment or chart (a page of the site).",
                "content": {"text/html": {"schema": {"type": "string"}}},
            },
        },
    }


def describe_downloads(result, generator, request, public):
    """drf-spectacular postprocessing hook: add a report's downloads (DOWNLOADS)."""
    for view_name, regex in routes():
        namespace, _, name = view_name.rpartition(":")
        if namespace != "market" or name not in DOWNLOADS:
            continue
        ((template, params),) = normalize(regex)
        path = "/" + template % {param: f"{{{param}}}" for param in params}
        result["paths"][path] = {"get": operation(name, regex, path, params)}
    return result
