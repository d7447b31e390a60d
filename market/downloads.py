"""The yearly series of an edition as a table a reader's tools read as it is:
one row per value, with where it counts, its unit, how it was made and where it
comes from, for the CSV and the XLSX downloads alike (``rows``)."""

import csv
import io
from decimal import Decimal

from django.urls import reverse
from openpyxl import Workbook
from openpyxl.styles import Font

from gtmp_site.core.cells import safe_cell
from market import forecast

# Each column and what it holds, in order: the CSV's header, the XLSX's first row
# and the field descriptions of the data package.
COLUMNS = {
    "scope": "Where the value counts: the report's region, and the segment if any.",
    "segment": "The segment's slug (as in the API); empty for the whole market.",
    "segment_name": "The segment's name; empty for the whole market.",
    "year": "The calendar year.",
    "value": "The market size in that year, in `unit`.",
    "unit": "The unit of `value`.",
    "currency": "The currency of `value` (ISO 4217).",
    "kind": "actual, estimate or forecast, as the source gives it.",
    "method": "entered (an editor typed it from its source), interpolated (constant "
    "growth between two entered values) or stated_cagr (grown at the stated CAGR).",
    "computed": "true when this site computed the value (method other than entered).",
    "source": "The source of an entered value; for a computed one, the values it is "
    "computed from and how.",
    "edition": "The edition of the report the value is from.",
}


FORMATS = ("csv", "xlsx", "json")


def address(route, report_slug, edition, live, **kwargs):
    """The address of ``route`` ("data", "chart-image", "embed", ...) for a page
    showing ``edition`` of the report ``report_slug``: the latest edition's address
    on a live page (or a preview, with no edition), which follows each new edition;
    the edition's own ("edition-" + route) elsewhere, which never changes."""
    if edition is None or live:
        return reverse(f"market:{route}", kwargs={"slug": report_slug, **kwargs})
    kwargs = {"slug": report_slug, "label": edition.label, **kwargs}
    return reverse(f"market:edition-{route}", kwargs=kwargs)


def addresses(report_slug, edition, live):
    """{"csv", "xlsx", "json", "package", "pdf"}: the addresses of the yearly series,
    the data package (market/datapackage.py) and the PDF of ``edition`` (``address``)."""
    found = {fmt: address("data", report_slug, edition, live, fmt=fmt) for fmt in FORMATS}
    return {**found, "package": address("datapackage", report_slug, edition, live),
            "pdf": address("pdf", report_slug, edition, live)}  # fmt: skip


def snippets(urls):
    """Ready-to-run code that reads the CSV at ``urls["csv"]`` (absolute), in the
    order the page shows it: [{"label", "language", "code"}]."""
    csv = urls["csv"]
    return [
        {"label": "With curl, in a shell", "language": "shell",
         "code": f'curl -fsS -o data.csv "{csv}"'},
        {"label": "With pandas, in Python", "language": "python",
         "code": "import pandas as pd\n\n"
                 f'df = pd.read_csv("{csv}")\n'
                 'print(df[df["segment"].isna()][["year", "value", "unit", "kind", "computed"]])'},
        {"label": "In R", "language": "r",
         "code": f'df <- read.csv("{csv}", na.strings = "")\n'
                 'print(df[is.na(df$segment), c("year", "value", "unit", "kind", "computed")])'},
    ]  # fmt: skip


def rows(document, edition_label):
    """The values of a snapshot ``document``'s forecast as dicts with COLUMNS as keys:
    year an int, value a Decimal, computed a bool; whole market first."""
    report = document["report"]
    region = (report.get("region") or {}).get("name") or "Whole market"
    slugs = {s["name"]: s["slug"] for s in document["segments"]}
    data = document["forecast"]
    found = []
    for series in data["series"]:
        name = series["segment"] or ""
        sources = forecast.provenance(series["points"], data["stated_cagr"])
        for point, source in zip(series["points"], sources, strict=True):
            found.append({
                "scope": f"{region}: {name}" if name else region,
                "segment": slugs.get(name, ""),
                "segment_name": name,
                "year": point["year"],
                "value": Decimal(point["value"]),
                "unit": report["value_label"],
                "currency": report["currency"],
                "kind": point["kind"],
                "method": point["method"],
                "computed": point["computed"],
                "source": source,
                "edition": edition_label,
            })  # fmt: skip
    return found


def _text(value):
    """A cell as the CSV writes it: true/false, plain numbers, inert text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return safe_cell(value)


def as_csv(table):
    """``rows`` as CSV text with a header row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in table:
        writer.writerow([_text(row[name]) for name in COLUMNS])
    return out.getvalue()


def as_xlsx(table, about):
    """``rows`` as an XLSX workbook (bytes): a "Data" sheet with typed cells (numbers
    as numbers, computed as TRUE/FALSE, text that looks like a formula stored as
    text) and an "About" sheet of ``about``, a list of (label, text) pairs (title,
    edition, licence, citation), and the columns."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Data"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table:
        sheet.append([row[name] for name in COLUMNS])
        sheet.cell(sheet.max_row, list(COLUMNS).index("value") + 1).number_format = "0.000"
    sheet.freeze_panes = "A2"
    meta = book.create_sheet("About")
    for label, text in [*about, *(("Column: " + name, text) for name, text in COLUMNS.items())]:
        meta.append([label, text])
    for cells in (*sheet.iter_rows(), *meta.iter_rows()):
        for cell in cells:
            if cell.data_type == "f":  # text that starts with "=": kept as text, inert
                cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
