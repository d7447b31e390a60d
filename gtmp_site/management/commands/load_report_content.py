"""Load the report's starting content from gtmp_site/content/*.toml.

Idempotent: a report whose slug already exists is left exactly as editors
made it, and companies are matched by slug, so running the command again
creates nothing twice and overwrites nothing. ``--reset`` replaces the
report (and the loaded companies' facts) with the file's version.
"""

import csv
import tomllib
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from companies.models import Company, CompanyEvent, ReportCompany
from faq.models import Question
from gtmp_site.core import gate
from gtmp_site.core.cache import changes_batched
from gtmp_site.core.models import LOADED
from market import editions
from market.models import (
    Country,
    Edition,
    MarketEstimate,
    MarketFigure,
    Region,
    Report,
    ReportSection,
    Segment,
)
from therapies.models import Therapy, TherapyEvent

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"  # gtmp_site/content
# The first history version of every loaded row says where it came from; no user made it.


def _text(value):
    return value.strip()


class Command(BaseCommand):
    help = "Load the starting report content; safe to run again (see --reset)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Replace existing reports and company facts with the content files' version.",
        )

    def handle(self, *args, reset=False, **options):
        for path in sorted(CONTENT_DIR.glob("*.toml")):
            with path.open("rb") as fh:
                content = tomllib.load(fh)
            with gate.guard(), changes_batched():  # judged and purged as one change
                last_row = Company.history.aggregate(last=Max("history_id"))["last"] or 0
                created = load_report(content, reset=reset)
                _one_history_row_each(Company, after=last_row)
            title = content["report"]["title"]
            if created:
                self.stdout.write(self.style.SUCCESS(f"Loaded '{title}'."))
            else:
                self.stdout.write(
                    f"'{title}' is already loaded; kept as edited (--reset replaces)."
                )
            edition = publish_first_edition(content)
            if edition:
                self.stdout.write(f"Published edition {edition.label} of '{title}'.")


def _one_history_row_each(model, after):
    """Leave one history row per ``model`` row for what this load did to it (rows
    past history id ``after``): the last, which holds the row as loaded, links
    included, and is said to be loaded. The steps before it (a company before its
    segments were linked, or links that were already there) are not versions an
    editor should see or restore; a load that changed nothing leaves no row."""
    written = model.history.filter(history_id__gt=after).order_by("id", "history_id")
    by_row = {}
    for record in written:
        by_row.setdefault(record.id, []).append(record)
    for records in by_row.values():
        last, first = records[-1], records[0]
        drop = records[:-1]
        before = first.prev_record
        if before is not None and not last.diff_against(before).changes:
            drop.append(last)
        else:
            last.history_type, last.history_change_reason = first.history_type, LOADED
            last.save()
        model.history.filter(history_id__in=[r.history_id for r in drop]).delete()


def publish_first_edition(content):
    """Edition 1 of the loaded report, if it is published and has no edition yet
    (a fresh install, or a database from before editions): the new Edition, or None."""
    report = Report.objects.get(slug=content["report"]["slug"])
    if report.status != Report.Status.PUBLISHED or report.editions.exists():
        return None
    first = content["first_edition"]
    with changes_batched():
        return editions.publish(report, note=first["note"], reviewed_on=first["reviewed_on"])


def load_report(content, *, reset):
    """Create the report described by ``content``; return False if it already existed."""
    data = content["report"]
    existing = Report.objects.filter(slug=data["slug"])
    if existing.exists() and not reset:
        return False
    Therapy.objects.filter(segment__report__in=existing).delete()  # they protect segments
    Edition.objects.filter(report__in=existing).delete()  # they protect the report
    existing.delete()

    region = _load_region(content["region"])
    report = Report(
        region=region,
        status=Report.Status.PUBLISHED,
        published_at=timezone.now().replace(microsecond=0),
        **{key: _text(value) if isinstance(value, str) else value for key, value in data.items()},
    )
    report.full_clean()
    report._change_reason = LOADED
    report.save()

    segments = {}
    for position, item in enumerate(content["segments"], start=1):
        segment = Segment(
            report=report,
            name=item["name"],
            slug=item["slug"],
            position=position,
            overview=_text(item["overview"]),
            outlook=_text(item["outlook"]),
        )
        segment._change_reason = LOADED
        segment.save()
        segments[item["slug"]] = segment

    source = content["figure_source"]
    _bulk_create(
        MarketFigure,
        [
            MarketFigure(
                report=report,
                year=item["year"],
                value=item["value"],
                kind=item["kind"],
                note=item.get("note", ""),
                source=source["name"],
                source_url=source["url"],
                checked_on=content["checked_on"],
            )
            for item in content["figures"]
        ],
    )

    _bulk_create(
        ReportSection,
        [
            ReportSection(
                report=report,
                kind=item["kind"],
                title=item["title"],
                body=_text(item["body"]),
                position=position,
            )
            for position, item in enumerate(content["sections"], start=1)
        ],
    )

    checked = {"checked_on": content["checked_on"]}
    for position, item in enumerate(content["companies"], start=1):
        company = _load_company(item, segments, reset=reset, **checked)
        _bulk_create(
            ReportCompany, [ReportCompany(report=report, company=company, position=position)]
        )

    for item in content.get("other_companies", []):
        _load_company({**item, "segments": []}, segments, reset=reset, **checked)
    if "therapies" in content:
        _load_therapies(CONTENT_DIR / content["therapies"], report, segments, **checked)
        therapies = Therapy.objects.in_bulk(field_name="slug")
        rows = [
            {**event, "therapy": therapies[event["therapy"]]}
            for event in content.get("therapy_events", [])
        ]
        _load_events(TherapyEvent, rows, **checked)
    if "estimates" in content:
        _load_estimates(CONTENT_DIR / content["estimates"], report, **checked)

    _bulk_create(
        Question,
        [
            Question(
                report=report, question=item["question"], answer=_text(item["answer"]), position=n
            )
            for n, item in enumerate(content["questions"], start=1)
        ],
    )
    return True


def _bulk_create(model, objs):
    """Create ``objs`` with a first history version each, marked as loaded."""
    return bulk_create_with_history(objs, model, default_change_reason=LOADED)


def _load_region(data):
    region = Region.objects.filter(slug=data["slug"]).first()
    created = region is None
    if created:
        region = Region(slug=data["slug"], name=data["name"], description=data["description"])
        region._change_reason = LOADED
        region.save()
    if created:
        _bulk_create(
            Country,
            [
                Country(region=region, position=position, **country)
                for position, country in enumerate(data["countries"], start=1)
            ],
        )
    return region


def _load_company(data, segments, *, reset, checked_on):
    fields = {
        key: _text(value) if isinstance(value, str) else value
        for key, value in data.items()
        if key not in {"slug", "segments", "events"}
    }
    company = Company.objects.filter(slug=data["slug"]).first()
    if company is None or reset:
        company = company or Company(slug=data["slug"])
        for key, value in fields.items():
            setattr(company, key, value)
        company.full_clean()
        company._change_reason = LOADED
        company.save()
        company.events.all().delete()
        rows = [{"company": company, **event} for event in data.get("events", [])]
        _load_events(CompanyEvent, rows, checked_on=checked_on)
    company.segments.add(*(segments[slug] for slug in data["segments"]))
    return company


TEXT_COLUMNS = [
    "slug", "brand_name", "proper_name", "modality", "indication", "status", "notes", "sources",
]  # fmt: skip


def _load_events(model, rows, *, checked_on):
    """Dated events (a company's or a product's), each row naming its owner."""
    events = [model(checked_on=checked_on, **row) for row in rows]
    for event in events:
        event.full_clean()
    _bulk_create(model, events)


def _load_therapies(path, report, segments, *, checked_on):
    """The approved therapies in the CSV file ``path`` (the admin's import format),
    in ``report``'s segments. Each company that won or holds one works in its
    segment, so it is listed in the directory."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    companies = Company.objects.in_bulk(
        {row[role] for row in rows for role in ("sponsor", "holder")}, field_name="slug"
    )
    therapies, works_in = [], {}
    for row in rows:
        if row["report"] != report.slug:
            raise ValueError(f"{path.name}: {row['brand_name']} belongs to another report")
        therapy = Therapy(
            **{key: _text(row[key]) for key in TEXT_COLUMNS},
            approved_on=date.fromisoformat(row["approved_on"]),
            segment=segments[row["segment"]],
            sponsor=companies[row["sponsor"]],
            holder=companies[row["holder"]],
            checked_on=checked_on,
        )
        therapy.full_clean()
        therapies.append(therapy)
        for company in (therapy.sponsor, therapy.holder):
            works_in.setdefault(company, set()).add(therapy.segment)
    for company, company_segments in works_in.items():
        company.segments.add(*company_segments)
    _bulk_create(Therapy, therapies)


def _load_estimates(path, report, *, checked_on):
    """Other publishers' estimates in the CSV file ``path``, in its order; an empty
    cell is a value the publisher did not give."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    estimates = []
    for position, row in enumerate(rows, start=1):
        cells = {key: value.strip() for key, value in row.items()}
        for key in NUMBER_COLUMNS:
            cells[key] = cells[key] or None
        estimate = MarketEstimate(report=report, position=position, checked_on=checked_on, **cells)
        estimate.full_clean()
        estimates.append(estimate)
    _bulk_create(MarketEstimate, estimates)


NUMBER_COLUMNS = {"base_year", "base_value", "forecast_year", "forecast_value", "cagr"}
