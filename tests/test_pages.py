"""What a visitor reads: the report page, segments, companies, FAQ, downloads."""

import csv
import html as html_lib
import io
import json
import re
from decimal import Decimal

import pytest
from django.urls import resolve, reverse

from companies.models import Company
from faq.models import Question
from market import snapshot
from market.forecast import forecast_as_dict
from market.models import Report
from tests.factories import (
    MarketFigureFactory,
    QuestionFactory,
    ReportCompanyFactory,
    ReportFactory,
    SegmentFactory,
    TherapyFactory,
    publish,
)
from therapies.models import Therapy

pytestmark = pytest.mark.django_db

SLUG = "us-gene-therapy-medicinal-products-market"


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def json_ld_blocks(html):
    return [
        json.loads(block)
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    ]


def test_home_lists_published_reports_only(client, report):
    ReportFactory(title="Draft market report", draft=True)
    html = page(client, "/")
    assert report.title in html
    assert report.get_absolute_url() in html
    assert "USD 4.00 billion" in html and "USD 14.40 billion" in html
    assert "Draft market report" not in html


def test_report_page_shows_the_headline_numbers(client, report):
    html = page(client, report.get_absolute_url())
    assert "USD 4.00 billion" in html
    assert "USD 14.40 billion" in html
    assert "17.50&nbsp;%" in html
    assert "17.36&nbsp;%" in html
    assert "Edition 1 · published" in html and "reviewed" in html


def test_report_page_has_every_segment_with_its_prose(client, report):
    html = page(client, report.get_absolute_url())
    for segment in report.segments.all():
        assert f'id="segment-{segment.slug}"' in html
        assert segment.get_absolute_url() in html
    assert html.count("No market figures have been published for this segment") == 5


def test_report_page_lists_the_companies_in_the_report_order_with_status(client, report):
    html = page(client, report.get_absolute_url())
    names = [listing.company.name for listing in report.top_companies.all()]
    positions = [html.index(f">{name}</a>") for name in names]
    assert positions == sorted(positions)
    assert "Acquired by Roche, 2019" in html


def test_report_page_table_carries_every_year_of_the_series(client, report):
    html = page(client, report.get_absolute_url())
    table = html[html.index('<table class="data-table">') :]
    for point in report.forecast().total.points:
        assert f'<th scope="row">{point.year}</th>' in table
        assert f'<td class="num">{point.value:.2f}</td>' in table


def test_chart_data_is_embedded_as_json_not_inline_script(client, report):
    html = page(client, report.get_absolute_url())
    match = re.search(r'<script id="chart-total" type="application/json">(.*?)</script>', html)
    data = json.loads(match.group(1))
    assert data["unit"] == "USD billion"
    # The same series as the API's forecast endpoint, each point with what the page
    # adds to draw it (its category and label, market.charts.for_page).
    api = client.get(f"/api/v1/reports/{report.slug}/forecast/").json()["series"][0]["points"]
    assert [{key: p[key] for key in a} for p, a in zip(data["points"], api, strict=True)] == api
    assert {"category", "label"} <= set(data["points"][0])
    assert [p["year"] for p in data["points"]] == list(range(2022, 2031))
    scripts = re.findall(r"<script(?![^>]*(?:src=|application/(?:ld\+)?json))[^>]*>", html)
    assert scripts == []
    assert 'role="img"' in html and 'aria-label="' in html


def test_segment_chart_appears_once_segment_figures_exist(client, report):
    cancer = report.segments.get(slug="cancer")
    MarketFigureFactory(report=report, segment=cancer, year=2022, value=Decimal("1.50"))
    MarketFigureFactory(
        report=report, segment=cancer, year=2030, value=Decimal("5.00"), kind="forecast"
    )
    assert 'id="chart-segment-cancer"' not in page(client, report.get_absolute_url())
    publish(report)
    html = page(client, report.get_absolute_url())
    assert 'id="chart-segment-cancer"' in html
    assert html.count("No market figures have been published for this segment") == 4
    assert 'id="chart-segment-cancer"' in page(client, cancer.get_absolute_url())


def test_faq_json_ld_lists_every_published_question(client, report):
    hidden = report.questions.last()
    hidden.is_published = False
    hidden.save()
    publish(report)
    html = page(client, report.get_absolute_url())
    (block,) = [b for b in json_ld_blocks(html) if b["@type"] == "FAQPage"]
    names = [item["name"] for item in block["mainEntity"]]
    assert names == list(
        report.questions.filter(is_published=True).values_list("question", flat=True)
    )
    assert hidden.question not in names
    assert all(item["acceptedAnswer"]["text"] for item in block["mainEntity"])


def test_faq_page_lists_published_questions_of_public_reports(client, report):
    QuestionFactory(report=ReportFactory(draft=True), question="Draft-only question?")
    QuestionFactory(report=None, question="A site-wide question?")
    html = page(client, reverse("faq:index"))
    assert "A site-wide question?" in html
    assert "What does a gene therapy actually do?" in html
    assert "Draft-only question?" not in html
    (block,) = json_ld_blocks(html)
    assert len(block["mainEntity"]) == 11


def test_csv_download_equals_the_forecast_series(client, report):
    response = client.get(reverse("market:data", args=[report.slug, "csv"]))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    series = report.forecast().total.points
    assert [(int(r["year"]), r["value"], r["kind"], r["method"]) for r in rows] == [
        (p.year, str(p.value), p.kind, p.method) for p in series
    ]


def test_json_download_equals_the_forecast_series(client, report):
    data = client.get(reverse("market:data", args=[report.slug, "json"])).json()
    expected = forecast_as_dict(report.forecast())
    assert data["series"] == expected["series"]
    assert data["checks"] == expected["checks"]
    assert data["implied_cagr"] == "17.36"
    assert data["report"]["slug"] == report.slug


@pytest.mark.parametrize(
    "url",
    [
        "/reports/no-such-report/",
        "/reports/no-such-report/data.csv",
        f"/reports/{SLUG}/segments/no-such-segment/",
        "/companies/no-such-company/",
    ],
)
def test_missing_pages_answer_404_in_the_site_design(client, report, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "site-header" in response.content.decode()


def test_unpublished_and_scheduled_reports_are_404(client):
    from django.utils import timezone

    draft = ReportFactory(draft=True)
    scheduled = ReportFactory(published_at=timezone.now() + timezone.timedelta(hours=1))
    for report in (draft, scheduled):
        assert client.get(report.get_absolute_url()).status_code == 404
        assert client.get(reverse("market:data", args=[report.slug, "json"])).status_code == 404


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert('x')</script>",
        "<img src=x onerror=alert('x')>",
        "[click](javascript:alert('x'))",
        '<a href="#" onclick="alert(1)">link</a>',
        "<iframe src='https://example.com'></iframe>",
    ],
)
def test_hostile_markdown_never_runs(client, hostile):
    segment = SegmentFactory(overview=f"Safe words. {hostile}")
    publish(segment.report)
    html = page(client, segment.report.get_absolute_url())
    assert "Safe words." in html
    # Removed or shown as text: no element carries an event handler or a script.
    assert not re.search(r"<[a-z]+[^>]*\son[a-z]+=", html)
    for needle in ("<script>alert", 'href="javascript:', "<iframe", "<img"):
        assert needle not in html


def test_company_pages(client, report):
    html = page(client, reverse("companies:list"))
    assert all(c.name in html for c in Company.objects.all())
    spark = Company.objects.get(slug="spark-therapeutics")
    html = page(client, spark.get_absolute_url())
    assert "Acquired by Roche, 2019" in html
    assert "Philadelphia, PA" in html
    assert report.get_absolute_url() in html
    assert "https://www.dcatvci.org/" in html


def test_company_page_hides_listings_in_unpublished_reports(client):
    listing = ReportCompanyFactory(report=ReportFactory(title="Public report"))
    ReportCompanyFactory(
        company=listing.company, report=ReportFactory(draft=True, title="Secret draft")
    )
    html = page(client, listing.company.get_absolute_url())
    assert "Public report" in html
    assert "Secret draft" not in html


def test_each_page_has_its_own_title_description_and_canonical(client, report):
    urls = [
        "/",
        report.get_absolute_url(),
        report.segments.first().get_absolute_url(),
        reverse("companies:list"),
        Company.objects.first().get_absolute_url(),
        reverse("faq:index"),
    ]
    titles, descriptions = set(), set()
    for url in urls:
        html = page(client, url)
        titles.add(re.search(r"<title>(.*?)</title>", html, re.S).group(1))
        descriptions.add(re.search(r'<meta name="description" content="(.*?)">', html).group(1))
        assert f'<link rel="canonical" href="http://testserver{url}">' in html
        assert '<meta property="og:title"' in html
    assert len(titles) == len(urls)
    assert len(descriptions) == len(urls)
    for description in map(html_lib.unescape, descriptions):
        assert len(description) <= 160, description
        assert not re.search(r"\d[.,]…$", description), description  # not "USD 4.…"


@pytest.mark.parametrize(
    "text",
    [
        "The market is worth USD 4.00 billion in 2022 and 14.40 in 2030. " * 3,
        "A sentence that runs on " + "and on " * 30 + "for ever.",
        "Short.",
    ],
)
def test_a_summary_is_never_cut_inside_a_number_or_a_word(text):
    from gtmp_site.views import plain_summary

    summary = plain_summary(text, length=60)
    assert len(summary) <= 60
    words = summary.removesuffix("…").split()
    assert words == text.split()[: len(words)]  # whole words, in order
    assert summary.endswith((".", "…"))


def test_sitemap_lists_public_pages_only(client, report):
    draft = ReportFactory(draft=True)
    xml = page(client, "/sitemap.xml")
    assert f"http://testserver{report.get_absolute_url()}" in xml
    assert report.segments.first().get_absolute_url() in xml
    assert draft.get_absolute_url() not in xml


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()
    assert "Disallow: /admin/" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "kwargs", "path"),
    [
        ("market:report", {"slug": "x"}, "/reports/x/"),
        ("market:segment", {"report_slug": "x", "slug": "y"}, "/reports/x/segments/y/"),
        ("market:data", {"slug": "x", "fmt": "csv"}, "/reports/x/data.csv"),
        ("market:data", {"slug": "x", "fmt": "json"}, "/reports/x/data.json"),
        ("companies:detail", {"slug": "x"}, "/companies/x/"),
        ("faq:index", {}, "/faq/"),
    ],
)
def test_urls_reverse_and_resolve(name, kwargs, path):
    assert reverse(name, kwargs=kwargs) == path
    assert resolve(path).view_name == name


def grow_report(report, companies, questions):
    ReportCompanyFactory.create_batch(companies - report.top_companies.count(), report=report)
    QuestionFactory.create_batch(questions - report.questions.count(), report=report)


# A report page renders from its latest edition's document: 1 query for it, and 1 for the
# next scheduled publication, which bounds how long the rendered page may stay cached.
# A cached page costs none (tests/test_cache.py).
REPORT_PAGE_QUERIES = 2
# Publishing and previewing build the document: 8 queries for the report and its rows,
# estimates included, 4 for the approved therapies and their events, the listed
# companies' products and their histories, 2 for the segments' companies and their
# histories.
SNAPSHOT_QUERIES = 14


def test_home_page_query_count_is_fixed(client, report, django_assert_max_num_queries):
    for other in ReportFactory.create_batch(5):
        publish(other)
    with django_assert_max_num_queries(REPORT_PAGE_QUERIES):
        html = page(client, "/")
    assert html.count('<article class="card">') == 6


def snapshot_of(report):
    return snapshot.build(Report.objects.for_page().with_segment_companies().get(pk=report.pk))


def test_report_page_query_count_does_not_grow_with_content(
    client, report, django_assert_max_num_queries, django_assert_num_queries
):
    with django_assert_max_num_queries(REPORT_PAGE_QUERIES):
        page(client, report.get_absolute_url())
    with django_assert_max_num_queries(SNAPSHOT_QUERIES):
        snapshot_of(report)
    # Several times the loaded content's rows (8 listings, 10 questions, 29 approvals).
    grow_report(report, companies=60, questions=40)
    TherapyFactory.create_batch(30, segment=report.segments.first())
    assert report.questions.count() == 40 and Question.objects.count() == 40
    with django_assert_max_num_queries(SNAPSHOT_QUERIES):
        snapshot_of(report)
    publish(report)
    with django_assert_max_num_queries(REPORT_PAGE_QUERIES):
        html = page(client, report.get_absolute_url())
    assert html.count('class="status status-') == Report.TOP_COMPANIES_SHOWN
    assert "All 60 companies in the directory" in html


def test_server_error_page_is_in_the_site_design_and_json_on_the_api(rf):
    from gtmp_site.views import server_error

    page_response = server_error(rf.get("/reports/x/"))
    assert page_response.status_code == 500
    assert "Something went wrong" in page_response.content.decode()
    assert "site-header" in page_response.content.decode()
    api_response = server_error(rf.get("/api/v1/reports/"))
    assert api_response.status_code == 500
    assert json.loads(api_response.content) == {"detail": "Internal server error."}


def test_the_company_directory_is_paginated_so_its_size_stays_flat(client, report):
    ReportCompanyFactory.create_batch(150 - Company.objects.count(), report=report)  # 3 pages
    first = page(client, "/companies/")
    assert first.count("<tr>") - 1 == 50  # the header row aside
    assert 'rel="next"' in first
    last = page(client, "/companies/?page=3")
    assert 'rel="prev"' in last and 'rel="next"' not in last


def test_the_report_says_at_a_glance_what_it_covers_and_which_edition_it_is(client, report):
    html = page(client, report.get_absolute_url())
    box = html.split('id="snapshot-heading"')[1].split("</section>")[0]
    facts = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", box, re.S))
    assert facts["Base year"] == str(report.base_year)
    assert facts["Forecast period"] == f"{report.forecast_start_year}–{report.forecast_end_year}"
    assert facts["Study period"] == "2022–2030" and facts["Units"] == "USD billion"
    assert facts["Edition"].startswith("1, published")
    assert re.sub(r"<[^>]+>", "", facts["Segments"]) == ", ".join(
        report.segments.values_list("name", flat=True)
    )
    assert 'and <a href="#companies">5 more</a>' in facts["Top companies"]  # 8 listed


def test_figures_and_tables_are_numbered_in_page_order_and_listed_in_the_contents(client, report):
    # A segment with figures charts too, and is numbered in its place.
    segment = report.segments.order_by("position").first()
    for year, value in ((2022, "1.000"), (2030, "3.000")):
        MarketFigureFactory(report=report, segment=segment, year=year, value=value)
    publish(report)
    html = page(client, report.get_absolute_url())
    body = html.split('class="report-body"')[1]
    for kind in ("figure", "table"):
        numbers = [int(n) for n in re.findall(rf'id="{kind}-(\d+)"', body)]
        assert numbers == list(range(1, len(numbers) + 1)), kind  # in page order, from 1
        captions = re.findall(rf"{kind.capitalize()} (\d+)\.", re.sub(r"<[^>]+>", "", body))
        assert [int(n) for n in captions] == numbers, kind  # each captioned with its number
    contents = html.split('id="exhibits-heading"')[1].split("</ul>")[0]
    listed = re.findall(r'href="#((?:figure|table)-\d+)"', contents)
    assert sorted(listed) == sorted(re.findall(r'id="((?:figure|table)-\d+)"', body))
    assert f"{segment.name}: market size" in contents  # the segment's chart, in its place
    assert contents.index("Market size and forecast") < contents.index(segment.name)


def test_each_chart_has_its_key_numbers_beside_it(client, report):
    html = page(client, report.get_absolute_url())
    total = snapshot.load(report.editions.newest().document)["total"]["chart"]["points"]
    forecast = html.split('id="forecast"')[1].split("</section>")[0]
    numbers = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", forecast.split("key-numbers")[1]))
    first, last = total[0], total[-1]
    assert f"{first['year']} {Decimal(first['value']):.2f} USD billion, sourced" in numbers
    assert f"{last['year']} {Decimal(last['value']):.2f} USD billion, sourced" in numbers
    assert "17.36 % computed from the two" in numbers
    approvals = html.split('id="therapies"')[1].split("key-numbers")[1].split("</dl>")[0]
    total = Therapy.objects.filter(segment__report=report).count()
    assert f">{total}<" in approvals  # the total, as the table counts


def test_the_home_card_draws_the_series_and_gives_the_cagr(client, report):
    html = page(client, "/")
    points = snapshot.load(report.editions.newest().document)["total"]["chart"]["points"]
    picture = html.split('<figure class="spark">')[1].split("</figure>")[0]
    assert picture.count("<rect") == len(points)
    assert picture.count("spark-computed") == sum(p["computed"] for p in points)
    assert 'role="img" aria-label="' in picture and "From 4.00 in 2022" in picture
    heights = [float(h) for h in re.findall(r'height="([\d.]+)" class', picture)]
    assert heights == sorted(heights)  # the series grows, and so do the bars
    assert f"{report.stated_cagr}&nbsp;%" in html.split('class="card"')[1]


def test_a_segment_page_leads_with_its_own_numbers_before_the_shared_prose(client, report):
    segment = report.segments.get(slug="cancer")
    html = page(client, segment.get_absolute_url())
    order = [html.index(heading) for heading in (
        "<h2>Market size</h2>", "<h2>Approved therapies</h2>",
        "<h2>Companies in this segment</h2>", "<h2>About this segment</h2>")]  # fmt: skip
    assert order == sorted(order)
    facts = re.sub(r"<[^>]+>", "", html.split('class="segment-facts"')[1].split("</ul>")[0])
    assert f"{segment.therapies.count()} approved gene therapies" in facts
    assert f"{segment.companies.count()} companies" in facts
