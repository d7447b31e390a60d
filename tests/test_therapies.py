"""The approved therapies as data: facts as loaded, counts in prose and charts taken
from the table, the therapies page and API filters, and company pages."""

import datetime

import pytest
from django.test import Client

from companies.models import Company
from market import charts, placeholders, snapshot
from market.models import Report
from tests.factories import CompanyFactory, TherapyFactory, publish
from therapies.models import Therapy

pytestmark = pytest.mark.django_db
REPORT = "/reports/us-gene-therapy-medicinal-products-market/"
API = "/api/v1/therapies/"


def fill(report, text):
    report = Report.objects.for_page().get(pk=report.pk)
    return placeholders.render(text, report.facts)


def test_the_loaded_therapies_carry_the_reference_facts(report):
    luxturna = Therapy.objects.get(brand_name="Luxturna")
    assert luxturna.approved_on == datetime.date(2017, 12, 19)
    assert (luxturna.sponsor.name, luxturna.holder.name) == ("Spark Therapeutics", "Roche")
    assert luxturna.modality == Therapy.Modality.AAV
    kymriah = Therapy.objects.get(brand_name="Kymriah")
    assert kymriah.approved_on == datetime.date(2017, 8, 30)
    assert kymriah.sponsor.name == "Novartis" and kymriah.segment.slug == "cancer"
    assert Therapy.objects.get(brand_name="Beqvez").status == Therapy.Status.DISCONTINUED
    assert all(t.source_urls for t in Therapy.objects.all())


# Approvals for which no page of the FDA's own could be found (docs/editing.md):
# their trade sources stay first until one is.
NO_FDA_PAGE_FOUND = {"Abecma", "Beqvez", "Kebilidi", "Zevaskyn"}


def test_each_approval_links_the_fda_s_own_page_first(client, report):
    without = set()
    for therapy in Therapy.objects.all():
        if not therapy.source_urls[0].startswith("https://www.fda.gov/"):
            without.add(therapy.brand_name)
    assert without == NO_FDA_PAGE_FOUND
    page = client.get(REPORT).content.decode()
    listed = page.split('class="table-sources"')[1].split("</details>")[0]
    assert listed.count("<li>") == Therapy.objects.count()
    assert listed.count(": FDA</a>") == Therapy.objects.count() - len(NO_FDA_PAGE_FOUND)


def test_counts_in_prose_come_from_the_table(report):
    text = "{{ approvals }} in {{ approvals_period }}: " + ", ".join(
        f"{{{{ approvals {slug} }}}}"
        for slug in ("cancer", "monogenic", "infectious-disease", "cardiovascular-disease", "other")
    )
    years = sorted(t.approved_on.year for t in Therapy.objects.all())
    per_segment = [Therapy.objects.filter(segment=s).count() for s in report.segments.all()]
    expected = f"{len(years)} in {years[0]}–{years[-1]}: " + ", ".join(map(str, per_segment))
    assert fill(report, text) == expected
    # As the reference counts them on 2026-12-01 (../shared/reference/segment_counts.csv).
    assert expected == "29 in 2015–2026: 10, 17, 1, 0, 1"
    page = Client().get(REPORT).content.decode()
    assert "the FDA approved 29 gene therapies" in page.replace("\n", " ")
    assert "{{" not in page


def test_a_moved_therapy_moves_in_the_chart_and_the_counts(report):
    papzimeos = Therapy.objects.get(brand_name="Papzimeos")
    papzimeos.segment = report.segments.get(slug="cardiovascular-disease")
    papzimeos.save()
    publish(report)
    counts = "{{ approvals infectious-disease }}/{{ approvals cardiovascular-disease }}"
    assert fill(report, counts) == "0/1"
    data = charts.approvals_data(Report.objects.for_page().get(pk=report.pk))
    stacks = {stack["label"]: stack["counts"] for stack in data["stacks"]}
    year = data["years"].index(2025)
    assert (stacks["Infectious Disease"][year], stacks["Cardiovascular Disease"][year]) == (0, 1)
    page = Client().get(f"{REPORT}segments/cardiovascular-disease/").content.decode()
    assert "Papzimeos" in page and "US approvals for a cardiovascular condition so far: 1" in page


def test_the_chart_table_counts_each_year_and_segment(report):
    data = charts.approvals_data(Report.objects.for_page().get(pk=report.pk))
    first, last = (Therapy.objects.order_by(o).first().approved_on.year
                   for o in ("approved_on", "-approved_on"))  # fmt: skip
    assert data["years"] == list(range(first, last + 1))
    by_year = {}
    for therapy in Therapy.objects.all():
        by_year[therapy.approved_on.year] = by_year.get(therapy.approved_on.year, 0) + 1
    assert {row["year"]: row["total"] for row in data["rows"]} == {
        year: by_year.get(year, 0) for year in data["years"]
    }
    assert [row["counts"] for row in data["rows"]] == [
        [stack["counts"][n] for stack in data["stacks"]] for n in range(len(data["years"]))
    ]


@pytest.mark.parametrize(
    ("query", "brands"),
    [
        ("segment=other", ["Encelto"]),
        ("modality=gene-edited", ["Casgevy"]),
        ("company=roche", ["Luxturna"]),
        ("company=spark-therapeutics", ["Luxturna"]),
        ("status=discontinued", ["Beqvez"]),
        ("year_min=2025&modality=aav", ["Itvisma"]),
        ("year_max=2016", ["Imlygic"]),
        ("search=sarcoma", ["Tecelra"]),
    ],
)
def test_api_filters(api, report, query, brands):
    response = api.get(f"{API}?{query}")
    assert response.status_code == 200
    assert [t["brand_name"] for t in response.json()["results"]] == brands


def test_api_refuses_bad_filters_with_a_json_400(api, report):
    for query in ("year_min=abc", "year_max=99999", "modality=teleportation", "brand=x"):
        response = api.get(f"{API}?{query}")
        assert response.status_code == 400, query
        assert response.json()


def test_api_ordering_and_detail(api, report):
    rows = api.get(f"{API}?ordering=-approved_on").json()["results"]
    assert rows[0]["brand_name"] == Therapy.objects.latest("approved_on").brand_name
    dates = [row["approved_on"] for row in rows]
    assert dates == sorted(dates, reverse=True)
    detail = api.get(f"{API}luxturna/").json()
    assert (detail["segment"], detail["sponsor"], detail["holder"]) == (
        "monogenic", "spark-therapeutics", "roche"
    )  # fmt: skip


def test_an_editor_moves_a_therapy_through_the_api(editor_api, report):
    url = f"{API}papzimeos/"
    etag = editor_api.get(url)["ETag"]
    response = editor_api.patch(
        url, {"report": report.slug, "segment": "other"}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 200, response.json()
    assert Therapy.objects.get(slug="papzimeos").segment.slug == "other"


def test_the_therapies_page_filters_and_sorts(report):
    client = Client()
    page = client.get("/therapies/?segment=cancer&sort=brand").content.decode()
    cancer = [t.brand_name for t in Therapy.objects.filter(segment__slug="cancer")]
    assert sorted(cancer, key=page.index) == sorted(cancer)
    assert "Luxturna" not in page
    bad = client.get("/therapies/?year_min=abc")
    assert bad.status_code == 400 and "Enter a whole number" in bad.content.decode()


def test_company_pages_list_their_products_and_the_report_names_the_holder(report):
    client = Client()
    spark = client.get("/companies/spark-therapeutics/").content.decode()
    assert "Luxturna" in spark and "Approved products" in spark
    roche = client.get("/companies/roche/").content.decode()
    assert "Luxturna" in roche
    page = client.get(REPORT).content.decode()
    assert "Luxturna (now held by Roche)" in page
    gone = [c.name for c in Company.objects.filter(listings__report=report) if not c.independent]
    assert len(gone) == 6  # acquired or merged: all but Sangamo and Advantagene (renamed Candel)
    assert page.count("No longer independent") == len(gone)


def test_a_new_approval_shows_on_the_cached_report_page_once_published(report):
    client = Client()
    assert "Genevax" not in client.get(REPORT).content.decode()
    TherapyFactory(
        brand_name="Genevax", segment=report.segments.get(slug="cancer"),
        sponsor=CompanyFactory(), approved_on=datetime.date(2025, 12, 20),
    )  # fmt: skip
    assert "Genevax" not in client.get(REPORT).content.decode()  # until the next edition
    publish(report)
    page = client.get(REPORT).content.decode()
    assert "Genevax" in page and "the FDA approved 30 gene therapies" in page.replace("\n", " ")


def test_a_company_history_is_a_dated_timeline_in_order_with_sources(report):
    page = Client().get("/companies/vical/").content.decode()
    steps = ["Founded", "Reverse merger", "Renamed", "Dissolved or liquidated"]
    positions = [page.index(f"<strong>{step}</strong>") for step in steps]
    assert positions == sorted(positions)
    assert '<time datetime="2019-08">Aug 2019</time>' in page
    vical = Company.objects.get(slug="vical")
    assert all(event.source_url.startswith("http") for event in vical.events.all())


def test_changes_since_approval_are_dated_product_events_with_sources(api, report):
    """The reference's later facts about a product (a new label, a sale) are rows
    with their own dates and sources, on the therapies page and in the API, not
    dates typed into its notes."""
    elevidys = Therapy.objects.get(brand_name="Elevidys")
    label = elevidys.events.get(kind="label")
    assert (label.iso, label.source_url.startswith("https://")) == ("2025-11-14", True)
    assert elevidys.events.filter(kind="supply").count() == 2  # paused, then resumed
    page = Client().get("/therapies/").content.decode()
    notes = page[page.index('id="elevidys-notes"') :]
    assert '<time datetime="2025-11-14">14 Nov 2025</time> <strong>Label changed</strong>' in notes
    assert 'href="#elevidys-notes">Notes<' in page  # the table row links its notes
    roctavian = api.get(f"{API}roctavian/").json()
    assert [(e["kind"], e["when"]) for e in roctavian["history"]] == [("sold", "2025-10-27")]
    # The sale is the product's, not BioMarin's: its company history does not repeat it.
    assert not Company.objects.get(slug="biomarin").events.filter(summary__icontains="Roctavian")


def test_reverse_mergers_say_what_became_of_the_successor(report):
    summaries = {
        c.slug: c.status_summary for c in Company.objects.filter(slug__in=["vical", "celladon"])
    }
    assert summaries == {
        "celladon": "Reverse merger into Eiger BioPharmaceuticals, 2016; successor dissolved, 2024",
        "vical": "Reverse merger into Brickell Biotech, later Fresh Tracks Therapeutics, 2019; "
        "successor dissolved, 2023",
    }
    assert "successor dissolved, 2024" in Client().get(REPORT).content.decode()


def test_the_api_gives_a_company_its_history_and_therapies(api, report):
    spark = api.get("/api/v1/companies/spark-therapeutics/").json()
    assert [e["kind"] for e in spark["history"]] == ["founded", "acquired", "other"]
    assert spark["history"][1]["when"] == "2019-12-17"
    assert spark["therapies"] == [{"slug": "luxturna", "brand_name": "Luxturna", "role": "sponsor"}]
    assert spark["independent"] is False
    roche = api.get("/api/v1/companies/roche/").json()
    assert roche["therapies"][0]["role"] == "holder"


def test_the_scope_shown_is_what_the_figures_cover(report):
    page = Client().get(REPORT).content.decode()
    assert "Market report · United States" in page
    assert "Region covered: <strong>United States</strong>." in page
    # North America is named only where the text is about the wider region: the
    # regional section, and estimates' notes on their North American shares.
    regional = page[page.index('id="regional"') :]
    estimates = page[page.index('id="estimates"') : page.index('id="companies"')]
    assert page.count("North America") == regional.count("North America") + estimates.count(
        "North America"
    )
    assert "Canada and Mexico, the rest of North America" in regional.replace("\n", " ")
    assert "North America" not in page[: page.index('id="estimates"')]


def test_other_publishers_estimates_sit_beside_the_forecast_with_their_scope(api, report):
    assert report.estimates.count() == 21  # every estimate in the reference but the seed's own
    page = Client().get(REPORT).content.decode()
    section = page[page.index('id="estimates"') : page.index('id="companies"')]
    assert "No other publisher confirms this report" in section
    assert "MarketsandMarkets" in section and "Global; Wider" in section
    assert "United States; Narrower" in section  # Nova One Advisor's US cancer estimate
    document = snapshot.document(
        Report.objects.for_page().with_segment_companies().get(pk=report.pk)
    )
    chart = charts.estimates_for_page(
        document["estimates"]["rows"], report=document["report"],
        headline=document["headline"], edition_label="Edition 1",
    )  # fmt: skip
    first = chart["bars"][0]
    assert (first["label"], first["cagr"], first["period"]) == ("This report", 17.5, "2024–2030")
    stated = [e for e in report.estimates.all() if e.cagr is not None]
    assert len(chart["bars"]) == 1 + len(stated)  # those with no CAGR: in the table only
    groups = [bar["group"] for bar in chart["bars"][1:]]
    assert groups == sorted(groups, key=["same", "wider", "narrower", "other"].index)
    body = api.get(f"/api/v1/reports/{report.slug}/").json()
    first = body["estimates"][0]
    assert (first["publisher"], first["geography"], first["breadth"]) == (
        "MarketsandMarkets", "global", "wider"
    )  # fmt: skip


def test_an_edited_estimate_shows_on_the_cached_report_page_once_published(report):
    client = Client()
    assert "Recounted" not in client.get(REPORT).content.decode()
    estimate = report.estimates.first()
    estimate.notes = "Recounted by its publisher."
    estimate.save()
    publish(report)
    assert "Recounted by its publisher." in client.get(REPORT).content.decode()


def test_a_headquarters_no_source_confirmed_says_not_known_and_why(client, report):
    known = Company.objects.exclude(headquarters="").first()
    unknown = Company.objects.filter(headquarters="").first()
    listing = client.get("/companies/").content.decode()
    assert known.headquarters in listing and "Not known" in listing
    assert "no primary source" in listing and "<td>—</td>" not in listing
    page = client.get(unknown.get_absolute_url()).content.decode()
    assert "<dt>Headquarters</dt><dd>Not known: no primary source" in page
