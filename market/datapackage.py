"""An edition as a Frictionless Data Package (v2): a ZIP of CSV tables, each
described with a Table Schema in ``datapackage.json``, and a README.

https://datapackage.org/standard/data-package/ — the suite validates every
package with the ``frictionless`` library (tests/test_datapackage.py).

``build`` is pure: it takes the edition's snapshot and addresses and returns
bytes, the same bytes for the same edition (fixed ZIP dates), so a package is
made once per edition and cached like its pages.
"""

import csv
import hashlib
import io
import json
import zipfile

from gtmp_site.core.cells import safe_cell
from market import downloads

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
SIZE_FIELDS = {"year": "integer", "value": "number", "computed": "boolean"}
BOOLEAN = {"trueValues": ["true"], "falseValues": ["false"]}


def _field(name, description, kind="string", **extra):
    return {"name": name, "type": kind, "description": description, **extra}


def _size_schema(key):
    fields = [
        _field(name, text, SIZE_FIELDS.get(name, "string"),
               **(BOOLEAN if name == "computed" else {}))
        for name, text in downloads.COLUMNS.items()
    ]  # fmt: skip
    return {"fields": fields, "primaryKey": key}


ESTIMATE_FIELDS = [
    _field("publisher", "Who published the estimate."),
    _field("scope", "The market as the publisher names it."),
    _field("counts", "Where and what the estimate counts."),
    _field("base_year", "The year of its base value.", "integer"),
    _field("base_value", "Its market size in the base year, in USD billion.", "number"),
    _field("forecast_year", "The year of its forecast value.", "integer"),
    _field("forecast_value", "Its forecast market size, in USD billion.", "number"),
    _field("cagr", "The growth a year it states, in percent.", "number"),
    _field("cagr_period", "The years its CAGR covers."),
    _field("notes", "What to know before comparing it."),
    _field("source_url", "Where it is published.", "string", format="uri"),
]
COMPANY_FIELDS = [
    _field("position", "Its rank in the report's list of top companies.", "integer"),
    _field("slug", "Its slug, as in the API and on its page."),
    _field("name", "Its name."),
    _field("status", "active, acquired, merged, reverse-merged, renamed or defunct."),
    _field("status_summary", "Its status in words (by whom and when)."),
    _field("products", "Its approved gene therapies, by brand name, separated by ';'."),
]
APPROVAL_FIELDS = [
    _field("slug", "The therapy's slug, as in the API."),
    _field("brand_name", "Its brand name."),
    _field("proper_name", "Its proper (nonproprietary) name."),
    _field("segment", "The report's segment it counts under."),
    _field("modality", "How it works."),
    _field("first_approved_on", "The date of its first US approval.", "date"),
    _field("sponsor", "Who won the approval."),
    _field("holder", "Who holds it now."),
    _field("status", "Its market status."),
    _field("source_url", "Where its approval is recorded.", "string", format="uri"),
]


def _tables(document, edition_label):
    """[(name, title, description, schema, rows as lists)] of the package's tables."""
    sizes = downloads.rows(document, edition_label)
    columns = list(downloads.COLUMNS)

    def size_rows(keep):
        return [[row[name] for name in columns] for row in sizes if keep(row)]

    report = document["report"]
    return [
        ("market-size", "Market size by year",
         f"The {report['title']} by year, the whole market.",
         _size_schema(["year"]), size_rows(lambda row: not row["segment"])),
        ("segment-sizes", "Market size by segment and year",
         "The same for each segment with figures (none when no source splits the total).",
         _size_schema(["segment", "year"]), size_rows(lambda row: row["segment"])),
        ("estimates", "Other publishers' estimates",
         "Estimates of related markets by other publishers, shown beside this forecast.",
         {"fields": ESTIMATE_FIELDS, "primaryKey": ["publisher", "scope"]},
         [[e["publisher"], e["scope"], e["scope_label"], e["base_year"], e["base_value"],
           e["forecast_year"], e["forecast_value"], e["cagr"], e["cagr_period"], e["notes"],
           e["source_url"]] for e in document["estimates"]["rows"]]),
        ("companies", "Top companies",
         "The companies the report lists, in its order, as they stood in this edition.",
         {"fields": COMPANY_FIELDS, "primaryKey": ["slug"]},
         [[c["position"], c["slug"], c["name"], c["status"], c["status_summary"],
           "; ".join(p["brand_name"] for p in c["products"])] for c in document["listings"]]),
        ("approvals", "US approvals of gene therapies",
         "Each FDA-approved gene therapy the report counts, by date of first approval.",
         {"fields": APPROVAL_FIELDS, "primaryKey": ["slug"]},
         [[t["slug"], t["brand_name"], t["proper_name"], t["segment"]["name"],
           t["get_modality_display"], t["approved_on"], t["sponsor"]["name"],
           t["holder"]["name"], t["get_status_display"],
           (t["source_urls"] or [""])[0]] for t in document["therapies"]]),
    ]  # fmt: skip


def _csv(schema, rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([field["name"] for field in schema["fields"]])
    for row in rows:
        writer.writerow([_cell(v, f["type"]) for v, f in zip(row, schema["fields"], strict=True)])
    return out.getvalue().encode()


def _cell(value, kind):
    """A CSV cell: true/false, a plain number, empty for none, text that a
    spreadsheet would run as a formula with a leading apostrophe."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return safe_cell(value) if kind == "string" else value


def build(document, edition, *, edition_url, report_url, citation_text):
    """The ZIP (bytes) of ``edition``'s data package: datapackage.json, README.md
    and data/<table>.csv, named ``<report slug>-edition-<label>/``."""
    report = document["report"]
    folder = f"{report['slug']}-edition-{edition.label}"
    files, resources = {}, []
    for name, title, description, schema, rows in _tables(document, edition.label):
        body = _csv(schema, rows)
        path = f"data/{name}.csv"
        files[path] = body
        resources.append({
            "name": name, "type": "table", "path": path, "title": title,
            "description": description, "format": "csv", "mediatype": "text/csv",
            "encoding": "utf-8", "bytes": len(body),
            "hash": f"sha256:{hashlib.sha256(body).hexdigest()}", "schema": schema,
        })  # fmt: skip
    licence = report["licence"]
    descriptor = {
        "$schema": PROFILE,
        "name": folder,
        "id": edition_url,
        "version": f"{edition.label}.0" if "." in edition.label else f"{edition.label}.0.0",
        "title": f"{report['title']}, edition {edition.label}",
        "description": document["report"]["description"],
        "homepage": report_url,
        "created": edition.published_at.isoformat(),
        "keywords": ["gene therapy", "market size", "forecast", "United States", "FDA approvals"],
        "licenses": [{"name": licence["id"], "path": licence["url"], "title": licence["name"]}],
        "contributors": [
            {"title": "GTMP Market Insights", "roles": ["publisher"], "path": report_url}
        ],
        "sources": [{"title": source} for source in report["forecast_sources"]],
        "resources": resources,
    }
    readme = _readme(report, edition, edition_url, citation_text, resources)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, body in {"datapackage.json": json.dumps(descriptor, indent=2,
                                                          ensure_ascii=False).encode(),
                           "README.md": readme.encode(), **files}.items():  # fmt: skip
            info = zipfile.ZipInfo(f"{folder}/{path}", date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, body)
    return out.getvalue()


def _readme(report, edition, edition_url, citation_text, resources):
    licence = report["licence"]
    tables = "\n".join(f"- `{r['path']}`: {r['title']}. {r['description']}" for r in resources)
    return f"""# {report["title"]}, edition {edition.label}

The data of edition {edition.label} of this report, published
{edition.published_at:%Y-%m-%d}: {edition_url}

{tables}

`datapackage.json` describes every table and column (a Frictionless Data
Package, v2: https://datapackage.org/).

## How computed values are made

Market sizes that a source gives are entered as given (`method` entered). The
years between two of them are computed by constant growth from the two
(`interpolated`); years beyond the last one, within the period the report
states a CAGR for, are grown from it at that rate (`stated_cagr`). Each
computed row says so (`computed` true) and names the values it comes from in
`source`. No segment split is computed: segment rows exist only where a
source gives them.

## Licence

{licence["name"]} ({licence["id"]}): {licence["url"]}

## Cite as

{citation_text}
"""
