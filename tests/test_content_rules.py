"""Data rules: each one refuses bad input in the model (with an editor's message)
and in the database (so no other path can store it)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from companies.models import Company, ReportCompany
from market.models import MarketFigure, Report, Segment
from tests.factories import (
    CompanyFactory,
    MarketFigureFactory,
    ReportCompanyFactory,
    ReportFactory,
    SegmentFactory,
)

pytestmark = pytest.mark.django_db


def messages_of(excinfo):
    return " ".join(m for msgs in excinfo.value.message_dict.values() for m in msgs)


def assert_db_refuses(obj):
    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"forecast_start_year": 2031}, "forecast period ends before it starts"),
        ({"base_year": 1800}, "greater than or equal to 1990"),
        ({"forecast_end_year": 2500}, "less than or equal to 2100"),
        ({"stated_cagr": Decimal("250")}, "less than or equal to 200"),
        ({"stated_cagr": Decimal("-75")}, "greater than or equal to -50"),
    ],
)
def test_report_rules(changes, message):
    report = ReportFactory.build(region=None, **changes)
    with pytest.raises(ValidationError) as excinfo:
        report.full_clean()
    assert message in messages_of(excinfo)
    assert_db_refuses(report)


def test_report_slug_is_unique():
    ReportFactory(slug="us-gtmp")
    duplicate = ReportFactory.build(slug="us-gtmp", region=None)
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    assert "Report with this Slug already exists." in messages_of(excinfo)
    assert_db_refuses(duplicate)


def test_segment_slug_is_unique_per_report_only():
    first = SegmentFactory(slug="cancer", name="Cancer")
    duplicate = Segment(report=first.report, slug="cancer", name="Oncology")
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    assert "Another segment of this report already uses this slug." in messages_of(excinfo)
    assert_db_refuses(duplicate)
    SegmentFactory(slug="cancer", name="Cancer")  # another report may use it


@pytest.mark.parametrize("segmented", [False, True])
def test_one_figure_per_report_segment_and_year(segmented):
    segment = SegmentFactory()
    first = MarketFigureFactory(report=segment.report, segment=segment if segmented else None)
    duplicate = MarketFigure(
        report=first.report, segment=first.segment, year=first.year, value=1, kind="forecast"
    )
    duplicate.source = "Somebody"
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    expected = "This segment already has" if segmented else "The whole market already has"
    assert expected in messages_of(excinfo)
    assert_db_refuses(duplicate)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"value": Decimal("-0.01")}, "greater than or equal to 0"),
        ({"year": 1900}, "greater than or equal to 1990"),
        ({"year": 2200}, "less than or equal to 2100"),
    ],
)
def test_figure_rules(changes, message):
    figure = MarketFigureFactory.build(report=ReportFactory(), **changes)
    with pytest.raises(ValidationError) as excinfo:
        figure.full_clean()
    assert message in messages_of(excinfo)
    assert_db_refuses(figure)


def test_figure_value_keeps_decimal_precision():
    figure = MarketFigureFactory(value=Decimal("14.405"))
    figure.refresh_from_db()
    assert figure.value == Decimal("14.405")


def test_figure_records_its_source():
    figure = MarketFigureFactory.build(report=ReportFactory(), source="")
    with pytest.raises(ValidationError) as excinfo:
        figure.full_clean()
    assert "source" in excinfo.value.message_dict


def test_segment_figure_must_belong_to_a_segment_of_the_same_report():
    other_segment = SegmentFactory()
    figure = MarketFigureFactory.build(report=ReportFactory(), segment=other_segment)
    with pytest.raises(ValidationError) as excinfo:
        figure.full_clean()
    assert "belongs to another report" in messages_of(excinfo)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"status": "acquired", "successor": ""}, "successor", "Name the successor"),
        ({"status": "active", "status_year": 2019}, "status_year", "no year of change"),
        (
            {"status": "acquired", "successor": "Roche", "founded_year": 2013, "status_year": 2010},
            "status_year",
            "cannot come before the founding",
        ),
    ],
)
def test_company_status_rules(changes, field, message):
    company = CompanyFactory.build(**changes)
    with pytest.raises(ValidationError) as excinfo:
        company.full_clean()
    assert message in " ".join(excinfo.value.message_dict[field])


def test_company_founded_year_range_is_enforced_by_the_database():
    company = CompanyFactory.build(founded_year=1500)
    with pytest.raises(ValidationError):
        company.full_clean()
    assert_db_refuses(company)


def test_company_status_summary_reads_like_a_sentence():
    company = Company(status="acquired", successor="Roche", status_year=2019)
    assert company.status_summary == "Acquired by Roche, 2019"
    assert Company(status="renamed", successor="Candel").status_summary == "Renamed Candel"


def test_company_is_listed_once_per_report():
    listing = ReportCompanyFactory()
    duplicate = ReportCompany(report=listing.report, company=listing.company, position=9)
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    assert "already in the report's list" in messages_of(excinfo)
    assert_db_refuses(duplicate)


def test_published_queryset_hides_drafts_and_future_reports():
    from django.utils import timezone

    visible = ReportFactory()
    ReportFactory(draft=True)
    ReportFactory(published_at=timezone.now() + timezone.timedelta(days=1))
    assert list(Report.objects.published()) == [visible]
