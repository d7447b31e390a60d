"""The schema.org Dataset of a report or edition page, read with extruct as a
search engine reads it, says what the page says: the same headline numbers,
years, edition, date and licence, and downloads that answer."""

import re
from decimal import Decimal

import extruct
import pytest
from django.test import Client

from market.models import MarketFigure
from tests.factories import publish

pytestmark = pytest.mark.django_db

REPORT = "/reports/us-gene-therapy-medicinal-products-market/"


def dataset_of(html):
    found = extruct.extract(html, base_url="http://testserver/", syntaxes=["json-ld"])
    (dataset,) = [item for item in found["json-ld"] if item.get("@type") == "Dataset"]
    return dataset


def visible(html):
    """What a reader sees: the headline figures (market sizes and the stated CAGR as
    numbers), the years of the forecast table, the edition's date, the licence."""
    stats = re.findall(r'<dd class="stat-value">([^<]*)</dd>', html)[:3]
    numbers = [float(re.search(r"\d+(\.\d+)?", stat).group()) for stat in stats]
    table = html[html.index('id="table-1"') :].split("</table>")[0]  # the forecast's
    years = [int(y) for y in re.findall(r'<th scope="row">(\d{4})</th>', table)]
    return {
        "numbers": numbers,
        "years": (years[0], years[-1]),
        "date": re.search(r'<time datetime="(\d{4}-\d\d-\d\d)T', html).group(1),
        "licence": re.search(r'<a href="([^"]+)" rel="license">', html).group(1),
    }


@pytest.mark.parametrize(("page", "label"), [(REPORT, "2"), (f"{REPORT}editions/1/", "1")])
def test_the_dataset_says_what_the_page_shows(report, page, label):
    figure = MarketFigure.objects.get(report=report, segment=None, year=2030)
    figure.value = Decimal("20.000")
    figure.save()
    publish(report)
    client = Client()
    html = client.get(page).content.decode()
    dataset, seen = dataset_of(html), visible(html)
    assert [m["value"] for m in dataset["variableMeasured"]] == seen["numbers"]
    assert seen["numbers"][1] == (20.0 if label == "2" else 14.4)  # each edition its own
    assert dataset["temporalCoverage"] == "{}/{}".format(*seen["years"])
    assert dataset["datePublished"] == dataset["dateModified"] == seen["date"]
    assert dataset["license"] == seen["licence"]
    assert dataset["version"] == label
    assert dataset["identifier"] == f"http://testserver{REPORT}editions/{label}/"
    assert dataset["url"] == f"http://testserver{page}"
    assert f"edition {label}" in dataset["citation"] and dataset["spatialCoverage"]["name"]
    for download in dataset["distribution"]:
        response = client.get(download["contentUrl"].removeprefix("http://testserver"))
        assert response.status_code == 200, download
        assert response["Content-Type"].startswith(download["encodingFormat"]), download


def test_a_preview_of_the_working_copy_claims_no_dataset(report, editor):
    html = editor.get(f"{REPORT}preview/").content.decode()
    found = extruct.extract(html, syntaxes=["json-ld"])["json-ld"]
    assert not [item for item in found if item.get("@type") == "Dataset"]
