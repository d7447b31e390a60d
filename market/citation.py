"""How to cite an edition: plain text, BibTeX, RIS and CSL-JSON, from its document.

Each names the edition, its date and permanent address, credits the publisher
of the forecast figures, and states the data licence.
"""

import json
import re

from django.utils.dateformat import format as format_date

SITE = "GTMP Market Insights"
# What BibTeX reads as commands or grouping, escaped in the text it is given.
_BIBTEX_SPECIAL = re.compile(r"([\\{}&%$#_~^])")
_BIBTEX_ESCAPES = {"\\": r"\textbackslash{}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def formats(document, edition, url):
    """{"text", "bibtex", "ris", "csl_json"} citing ``edition`` (whose ``document``
    it is) at its absolute ``url``."""
    report = document["report"]
    title = report["title"]
    day = edition.published_at
    sources = report["forecast_sources"]
    licence = report["licence"]
    credit = f"Forecast figures: {', '.join(sources)}." if sources else ""
    note = " ".join(
        part
        for part in (f"Edition {edition.label}.", credit, f"Data licence: {licence['id']}.")
        if part
    )
    key = re.sub(r"\W+", "_", f"gtmp_{report['slug']}_edition_{edition.label}")
    return {
        "text": (
            f"{SITE} ({day.year}). {title}, edition {edition.label}. Published "
            f"{format_date(day, 'j F Y')}. {url}. {credit} Data licence: {licence['name']} "
            f"({licence['id']})."
        ).replace("  ", " "),
        "bibtex": "\n".join([
            f"@misc{{{key},",
            # Quoted, the inner braces keep the capitals and one corporate author.
            f'  title = "{{{_bibtex(title)}}}",',
            f'  author = "{{{SITE}}}",',
            f"  year = {{{day.year}}},",
            f"  month = {{{day.month}}},",
            f"  edition = {{{edition.label}}},",
            f"  url = {{{url}}},",
            f"  note = {{{_bibtex(note)}}},",
            "}",
        ]),
        "ris": "\r\n".join([
            "TY  - DATA",
            f"TI  - {title}",
            f"AU  - {SITE}",
            f"PB  - {SITE}",
            f"PY  - {day.year}",
            f"DA  - {day:%Y/%m/%d}",
            f"ET  - {edition.label}",
            f"UR  - {url}",
            f"N1  - {note}",
            "ER  - ",
            "",
        ]),
        "csl_json": json.dumps(
            [{
                "id": key,
                "type": "dataset",
                "title": title,
                "author": [{"literal": SITE}],
                "publisher": SITE,
                "issued": {"date-parts": [[day.year, day.month, day.day]]},
                "version": edition.label,
                "URL": url,
                "note": note,
            }],
            ensure_ascii=False,
            indent=2,
        ),
    }  # fmt: skip


def _bibtex(text):
    return _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX_ESCAPES.get(m[1], "\\" + m[1]), text)
