"""The starting content: the seed report's facts, loaded once, editors' changes kept."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from companies.models import Company
from faq.models import Question
from market.models import MarketFigure, Report, Segment

pytestmark = pytest.mark.django_db

SLUG = "us-gene-therapy-medicinal-products-market"


def report_companies():
    return Company.objects.filter(listings__isnull=False).distinct().count()


def load(*args):
    out = StringIO()
    call_command("load_report_content", *args, stdout=out)
    return out.getvalue()


def test_the_report_carries_the_seed_figures(report):
    assert report.title == "US Gene Therapy Medicinal Products (GTMP) Market"
    assert (report.currency, report.unit) == ("USD", "billion")
    assert report.stated_cagr == Decimal("17.50")
    assert (report.base_year, report.forecast_start_year, report.forecast_end_year) == (
        2022,
        2024,
        2030,
    )
    figures = {f.year: (f.value, f.kind, f.segment) for f in report.figures.all()}
    assert figures == {
        2022: (Decimal("4.000"), "estimate", None),
        2030: (Decimal("14.400"), "forecast", None),
    }
    assert {f.source for f in report.figures.all()} == {"Verified Market Reports"}
    assert report in Report.objects.published()


def test_the_report_has_the_five_segments_in_order_with_prose(report):
    segments = list(report.segments.all())
    assert [s.name for s in segments] == [
        "Cancer",
        "Monogenic",
        "Infectious Disease",
        "Cardiovascular Disease",
        "Other",
    ]
    assert all(s.overview and s.outlook for s in segments)


def test_the_report_lists_the_eight_companies_in_the_seed_order(report):
    names = [listing.company.name for listing in report.top_companies.select_related("company")]
    assert names == [
        "Bluebird Bio",
        "Sangamo",
        "Spark Therapeutics",
        "Dimension Therapeutics",
        "Avalanche Bio",
        "Celladon",
        "Vical Inc.",
        "Advantagene",
    ]
    spark = Company.objects.get(slug="spark-therapeutics")
    assert spark.status_summary == "Acquired by Roche, 2019"
    assert spark.facts_source.startswith("https://")
    assert spark.segments.get().slug == "monogenic"


def test_the_report_has_ten_faqs_trends_opportunities_and_region(report):
    assert report.questions.count() == 10
    assert report.questions.first().question == "What does a gene therapy actually do?"
    kinds = set(report.sections.values_list("kind", flat=True))
    assert {"trends", "opportunities", "regional"} <= kinds
    # The scope is what the figures cover: the United States alone.
    assert list(report.region.countries.values_list("name", flat=True)) == ["United States"]


def test_the_prose_is_not_the_seed_copy(report):
    seed_sentence = "gaining significant momentum due to advancements in genetic science"
    texts = [report.summary, report.methodology]
    texts += [s.overview + s.outlook for s in report.segments.all()]
    texts += [q.answer for q in Question.objects.all()]
    assert not any(seed_sentence in text for text in texts)


def test_running_again_creates_nothing_twice(report):
    counts = [Model.objects.count() for Model in (Report, Segment, MarketFigure, Company, Question)]
    assert "already loaded" in load()
    assert [
        Model.objects.count() for Model in (Report, Segment, MarketFigure, Company, Question)
    ] == counts


def test_running_again_keeps_what_editors_changed(report):
    Report.objects.filter(pk=report.pk).update(title="Edited title")
    Company.objects.filter(slug="sangamo").update(headquarters="Edited HQ")
    report.questions.first().delete()
    load()
    assert Report.objects.get(pk=report.pk).title == "Edited title"
    assert Company.objects.get(slug="sangamo").headquarters == "Edited HQ"
    assert Question.objects.count() == 9


def test_reset_restores_the_file_version(report):
    Report.objects.filter(pk=report.pk).update(title="Edited title")
    Company.objects.filter(slug="sangamo").update(headquarters="Edited HQ")
    load("--reset")
    assert Report.objects.get(slug=SLUG).title.startswith("US Gene Therapy")
    assert Company.objects.get(slug="sangamo").headquarters == "Brisbane, CA"
    assert Report.objects.count() == 1
    assert report_companies() == 8
    assert Company.objects.count() == 8 + 23  # the top companies and those behind approvals


def test_every_loaded_row_has_one_history_version_as_loaded(report):
    from django.apps import apps

    from gtmp_site.core.models import LOADED, ContentModel

    walked = 0
    for model in apps.get_models():
        if not issubclass(model, ContentModel) or not model.objects.exists():
            continue
        for row in model.objects.all():
            versions = list(row.history.all())
            assert len(versions) == 1, (model, row, versions)
            assert versions[0].history_type == "+" and versions[0].history_change_reason == LOADED
            for name in getattr(model, "_history_m2m_fields", ()):  # links as loaded too
                linked = {link.pk for link in getattr(row, name).all()}
                kept = {
                    getattr(link, f"{name[:-1]}_id") for link in getattr(versions[0], name).all()
                }
                assert kept == linked, (model, row, name)
        walked += 1
    assert walked >= 10


def test_running_again_writes_no_history_and_a_reset_one_version_each(report):
    from gtmp_site.core.models import LOADED

    company = Company.objects.get(slug="bluebird-bio")
    load()
    assert company.history.count() == 1  # nothing changed: no empty version
    Company.objects.filter(pk=company.pk).update(headquarters="Edited HQ")
    load("--reset")
    newest = company.history.first()
    assert company.history.count() == 2
    assert (newest.history_type, newest.history_change_reason) == ("~", LOADED)
    assert newest.headquarters == "Somerville, MA"
    assert {link.segment.name for link in newest.segments.all()} == {"Cancer", "Monogenic"}
