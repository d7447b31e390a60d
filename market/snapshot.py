"""What a report's public pages show, as one JSON document: the snapshot.

``build(report)`` reads a report fetched with ``for_page()`` (and its segments'
companies) and returns plain JSON data: every number as the pages write it,
every piece of prose already rendered to sanitised HTML with its placeholders
filled, every company with the status it has now. The report page and its
segment pages render from ``load(document)`` and nothing else, so a document
stored today renders the same page tomorrow, whatever the rows say by then
([editions] stores it; decisions.md says why).

Prose is stored as HTML under keys ending in ``_html``; ``load`` marks those, and
only those, safe: they were sanitised by nh3 when the document was built.
"""

import json
from datetime import date

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import mark_safe

from gtmp_site.core.prose import plain_text, render_markdown
from gtmp_site.views import plain_summary
from market import charts, forecast, placeholders

# Bumped when the shape changes, so a stored document says how to read it.
# 2 (2026-12-02) added what the API's report, segment and figure resources show:
# prose as Markdown with its placeholders filled, slugs and positions, the
# estimates' geography and breadth, and ``figures``, the rows as entered.
VERSION = 2


def document(report):
    """``build(report)`` exactly as it is stored and read back: plain JSON."""
    return json.loads(json.dumps(build(report), cls=DjangoJSONEncoder))


def build(report):
    """The JSON-ready snapshot of ``report``'s public pages."""
    facts = report.facts
    result = facts.result

    def markdown(text):
        return placeholders.render(text, facts)

    def html(text):
        return str(render_markdown(markdown(text)))

    sections = list(report.sections.all())
    by_segment = {series.segment: series for series in result.segments}
    segments = [
        _segment(report, segment, by_segment.get(segment.name), html, markdown)
        for segment in report.segments.all()
    ]
    therapies = sorted(
        (t for segment in report.segments.all() for t in segment.therapies.all()),
        key=lambda t: (t.approved_on, t.brand_name),
    )
    questions = list(report.questions.all())
    region = report.region
    return {
        "version": VERSION,
        "report": {
            "title": report.title,
            "slug": report.slug,
            "url": report.get_absolute_url(),
            "description": plain_summary(placeholders.render(report.summary, facts)),
            "summary_html": html(report.summary),
            "methodology_html": html(report.methodology),
            "sources_html": html(report.sources),
            # The API's form of the prose: Markdown, placeholders filled.
            "summary": markdown(report.summary),
            "methodology": markdown(report.methodology),
            "sources": markdown(report.sources),
            "currency": report.currency,
            "unit": report.unit,
            "value_label": report.value_label,
            "base_year": report.base_year,
            "forecast_start_year": report.forecast_start_year,
            "forecast_end_year": report.forecast_end_year,
            "region": region
            and {
                "name": region.name,
                "slug": region.slug,
                "countries": [c.name for c in region.countries.all()],
            },
            "licence": report.licence,
            "forecast_sources": sorted(
                {p.source for p in result.total.points if not p.computed and p.source}
            ),
            "listed_count": report.listed_count,
            "facts_checked": report.facts_checked(),
            "companies_shown": report.TOP_COMPANIES_SHOWN,
        },
        "headline": headline(report, result),
        "total": {
            "chart": charts.chart_data(
                result.total, title=f"{report.title}: market size", unit=report.value_label
            ),
        },
        "segments": segments,
        "sections": [
            {"id": s.pk, "kind": s.kind, "title": s.title, "body_html": html(s.body)}
            for s in sections
        ],
        "questions": [_question(q, html, facts) for q in questions],
        "approvals": charts.approvals_data(report),
        "therapies": [_therapy(t) for t in therapies],
        "estimates": {"rows": [_estimate(e) for e in report.estimates.all()]},
        "listings": [_listing(listing) for listing in report.shown_listings()],
        "figures": [_figure(f) for f in report.figures.all()],
        "forecast": forecast.forecast_as_dict(result, checks=report.checks()),
        # Every piece of prose as the editor wrote it and as a reader reads it, for
        # "what changed" (market/changes.py).
        "prose": [_prose(where, text, facts) for where, text in report.prose()],
    }


def headline(report, result):
    """The headline figures: base-year size, end-year forecast, stated and implied CAGR."""
    points = {p.year: p for p in result.total.points}

    def stat(year):
        point = points.get(year)
        if point is None:
            return None
        return {
            "year": year,
            "value": str(point.value),
            "amount": report.amount_text(point.value),
            "kind": point.kind,
            "source": point.source,
            "computed": point.computed,
        }

    return {
        "base": stat(report.base_year),
        "end": stat(report.forecast_end_year),
        "stated_cagr": forecast._str(forecast.as_percent(result.stated_cagr)),
        "implied_cagr": forecast._str(forecast.as_percent(result.implied_cagr)),
    }


def _segment(report, segment, series, html, markdown):
    chart = None
    if series and series.points:
        chart = charts.chart_data(
            series, title=f"{segment.name}: market size", unit=report.value_label
        )
    return {
        "name": segment.name,
        "id": segment.pk,
        "slug": segment.slug,
        "position": segment.position,
        "updated_at": segment.updated_at.isoformat(),  # to the microsecond, as the API
        "url": segment.get_absolute_url(),
        "description": plain_summary(placeholders.render(segment.overview, report.facts)),
        "overview_html": html(segment.overview),
        "outlook_html": html(segment.outlook),
        "overview": markdown(segment.overview),
        "outlook": markdown(segment.outlook),
        "chart": chart,
        "companies": [_company(c) for c in segment.companies.all()],
    }


def _prose(where, text, facts):
    return {"where": where, "source": text, "text": plain_text(placeholders.render(text, facts))}


def _question(question, html, facts):
    return {
        "id": question.pk,
        "question": question.question,
        "answer_html": html(question.answer),
        "answer_text": plain_text(placeholders.render(question.answer, facts)),
    }


def _company(company):
    return {
        "name": company.name,
        "url": company.get_absolute_url(),
        "status": company.status,
        "status_summary": company.status_summary,
        "independent": company.independent,
    }


def _listing(listing):
    company = listing.company
    return {
        **_company(company),
        "slug": company.slug,
        "position": listing.position,
        "products": [
            {"brand_name": t.brand_name, "holder": t.holder.name if t.changed_hands else None}
            for t in company.therapies_sponsored.all()
        ],
    }


def _therapy(therapy):
    # The keys are the attribute names therapies/_table.html reads, so the one
    # table renders both a snapshot and the live therapies list.
    return {
        "slug": therapy.slug,
        "brand_name": therapy.brand_name,
        "proper_name": therapy.proper_name,
        "holder": {"name": therapy.holder.name},
        "sponsor": {"name": therapy.sponsor.name},
        "changed_hands": therapy.changed_hands,
        "segment": {"name": therapy.segment.name},
        "get_modality_display": therapy.get_modality_display(),
        "approved_on": therapy.approved_on.isoformat(),
        "get_status_display": therapy.get_status_display(),
        "source_urls": therapy.source_urls[:1],
    }


def _estimate(estimate):
    def text(value):
        return None if value is None else str(value)

    return {
        "id": estimate.pk,  # since 2026-12-07 (the API's estimates resource)
        "publisher": estimate.publisher,
        "scope": estimate.scope,
        "geography": estimate.geography,
        "breadth": estimate.breadth,
        "scope_label": estimate.scope_label,
        "base_value": text(estimate.base_value),
        "base_year": estimate.base_year,
        "forecast_value": text(estimate.forecast_value),
        "forecast_year": estimate.forecast_year,
        "cagr": text(estimate.cagr),
        "cagr_period": estimate.cagr_period,
        "notes": estimate.notes,
        "source_url": estimate.source_url,
        "checked_on": estimate.checked_on,
    }


def _figure(figure):
    """A figure row as entered, for the API's figures resource (MarketFigureSerializer)."""
    return {
        "id": figure.pk,
        "segment": figure.segment and figure.segment.slug,
        "year": figure.year,
        "value": str(figure.value),
        "kind": figure.kind,
        "source": figure.source,
        "source_url": figure.source_url,
        "note": figure.note,
        "checked_on": figure.checked_on,
        "updated_at": figure.updated_at.isoformat(),  # to the microsecond, as the API
    }


def load(document):
    """``document`` ready for the templates: its ``*_html`` strings marked safe and
    its ``*_on`` dates (ISO strings) dates again."""
    if isinstance(document, dict):
        return {key: _loaded(key, value) for key, value in document.items()}
    if isinstance(document, list):
        return [load(item) for item in document]
    return document


def _loaded(key, value):
    if isinstance(value, str) and key.endswith("_html"):
        return mark_safe(value)  # sanitised by nh3 when the document was built
    if isinstance(value, str) and key.endswith("_on"):
        return date.fromisoformat(value)
    return load(value)
