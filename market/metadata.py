"""schema.org Dataset metadata of an edition, for search engines and data
catalogues (JSON-LD on report and edition pages), from the same snapshot as the
page: its headline numbers, years, licence, downloads and citation.

https://schema.org/Dataset and Google's dataset guidelines name these properties.
"""

from market.citation import SITE

ORGANISATION = {"@type": "Organization", "name": SITE}


def _number(text):
    """A decimal string as a JSON number, as the page shows it (two places)."""
    return None if text is None else round(float(text), 2)


def dataset(document, edition, *, page_url, edition_url, downloads, citation_text):
    """The Dataset of ``edition`` (its snapshot ``document``) shown at ``page_url``:
    ``downloads`` is [(absolute URL, media type)]. Returns a dict for JSON-LD."""
    report, headline = document["report"], document["headline"]
    points = document["total"]["chart"]["points"]
    unit = report["value_label"]
    measured = [
        {"@type": "PropertyValue", "name": f"Market size in {stat['year']}",
         "value": _number(stat["value"]), "unitText": unit}
        for stat in (headline["base"], headline["end"]) if stat
    ]  # fmt: skip
    if headline["stated_cagr"] is not None:
        period = f"{report['forecast_start_year']}–{report['forecast_end_year']}"
        rate = _number(headline["stated_cagr"])
        measured.append({"@type": "PropertyValue", "name": f"Stated CAGR {period}",
                         "value": rate, "unitText": "percent"})  # fmt: skip
    region = report.get("region")
    return {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": f"{report['title']}, edition {edition.label}",
        "description": report["description"],
        "url": page_url,
        "identifier": edition_url,
        "version": edition.label,
        "datePublished": edition.published_at.date().isoformat(),
        "dateModified": edition.published_at.date().isoformat(),
        "creator": ORGANISATION,
        "publisher": ORGANISATION,
        "license": report["licence"]["url"],
        "isAccessibleForFree": True,
        "temporalCoverage": points and f"{points[0]['year']}/{points[-1]['year']}",
        "spatialCoverage": {"@type": "Place", "name": region["name"]} if region else None,
        "variableMeasured": measured,
        "distribution": [
            {"@type": "DataDownload", "contentUrl": url, "encodingFormat": mediatype}
            for url, mediatype in downloads
        ],
        "citation": citation_text,
    }
