"""Factories that read like the domain: a report with its segments, figures and companies."""

from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from companies.models import Company, ReportCompany
from faq.models import Question
from gtmp_site.core.editors import ensure_editors_group
from market import editions, snapshot
from market.models import MarketEstimate, MarketFigure, Region, Report, ReportSection, Segment
from therapies.models import Therapy


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["slug"]

    name = "North America"
    slug = "north-america"


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    title = factory.Sequence(lambda n: f"Gene therapy market {n}")
    slug = factory.Sequence(lambda n: f"gene-therapy-market-{n}")
    summary = "A market report."
    region = factory.SubFactory(RegionFactory)
    base_year = 2022
    forecast_start_year = 2024
    forecast_end_year = 2030
    stated_cagr = Decimal("17.50")
    status = Report.Status.PUBLISHED
    published_at = factory.LazyFunction(
        lambda: timezone.now().replace(microsecond=0) - timezone.timedelta(days=1)
    )

    class Params:
        draft = factory.Trait(status=Report.Status.DRAFT, published_at=None)


class SegmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Segment

    report = factory.SubFactory(ReportFactory)
    name = factory.Sequence(lambda n: f"Segment {n}")
    slug = factory.Sequence(lambda n: f"segment-{n}")
    position = factory.Sequence(int)
    overview = "What the segment covers."


class MarketFigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MarketFigure

    report = factory.SubFactory(ReportFactory)
    year = 2022
    value = Decimal("4.00")
    kind = MarketFigure.Kind.ESTIMATE
    source = "Verified Market Reports"


class ReportSectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportSection

    report = factory.SubFactory(ReportFactory)
    kind = ReportSection.Kind.TRENDS
    title = factory.Sequence(lambda n: f"Trend {n}")
    body = "Prose."


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")
    slug = factory.Sequence(lambda n: f"company-{n}")
    status = Company.Status.ACTIVE


class CompanyEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "companies.CompanyEvent"

    company = factory.SubFactory(CompanyFactory)
    year = 2015
    kind = "other"
    summary = factory.Sequence(lambda n: f"Step {n} of the company's history.")
    source_url = "https://example.com/history"


class TherapyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Therapy

    brand_name = factory.Sequence(lambda n: f"Therapy {n}")
    slug = factory.Sequence(lambda n: f"therapy-{n}")
    proper_name = factory.Sequence(lambda n: f"genevec {n}")
    segment = factory.SubFactory(SegmentFactory)
    modality = Therapy.Modality.AAV
    indication = "A rare inherited disease"
    approved_on = factory.Sequence(lambda n: date(2016 + n % 10, 1 + n % 12, 1))
    sponsor = factory.SubFactory(CompanyFactory)
    holder = factory.SelfAttribute("sponsor")
    sources = "https://www.fda.gov/"


class ReportCompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportCompany

    report = factory.SubFactory(ReportFactory)
    company = factory.SubFactory(CompanyFactory)
    position = factory.Sequence(int)


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    report = factory.SubFactory(ReportFactory)
    question = factory.Sequence(lambda n: f"Question {n}?")
    answer = "An answer."
    position = factory.Sequence(int)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery")


class EditorFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def editors_group(self, create, extracted, **kwargs):
        self.groups.add(ensure_editors_group())


def publish(report, note="The editors' latest changes."):
    """A new edition of ``report``'s working copy, as a Publisher publishes it."""
    return editions.publish(report, note=note, reviewed_on=date.today())


def publish_changed():
    """Publish every published report whose working copy differs from its latest
    edition (what the public then sees); the reports published."""
    done = []
    for report in Report.objects.published().for_page().with_segment_companies():
        latest = report.editions.newest()
        if latest is None or latest.document != snapshot.document(report):
            publish(report)
            done.append(report)
    return done


def grow_tenfold(report):
    """The loaded report grown to at least 50 segments, 500 figures, 200 estimates
    and 100 listings: the fixture of [editor-desk] (tests/test_admin_desk.py, make
    bench)."""
    first = report.segments.count()
    segments = Segment.objects.bulk_create(
        Segment(report=report, name=f"Segment {n}", slug=f"segment-{n}", position=n)
        for n in range(first, 50)
    )
    MarketFigure.objects.bulk_create(
        MarketFigure(report=report, segment=segment, year=year, value=Decimal("0.010"),
                     kind="estimate", source="Test publisher")
        for segment in segments for year in range(2019, 2031)
    )  # fmt: skip
    MarketEstimate.objects.bulk_create(
        MarketEstimate(report=report, publisher=f"Publisher {n}", scope="Gene therapy",
                       geography="us", breadth="same", position=n,
                       source_url="https://example.com/estimate")
        for n in range(report.estimates.count(), 200)
    )  # fmt: skip
    taken = report.top_companies.count()
    ReportCompany.objects.bulk_create(
        ReportCompany(report=report, company=CompanyFactory(), position=n)
        for n in range(taken + 1, 101)
    )
    assert report.segments.count() >= 50 and report.estimates.count() >= 200
    assert report.figures.count() >= 500 and report.top_companies.count() >= 100
    return report
