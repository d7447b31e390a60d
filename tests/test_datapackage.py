"""Each edition's data package (market/datapackage.py) is valid by the standard's
own tool (frictionless), names its edition at its permanent address, keeps its
numbers once a newer edition exists, and a broken package is caught."""

import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.test import Client
from frictionless import Package, validate

from market.models import MarketFigure
from tests.factories import publish

pytestmark = pytest.mark.django_db

REPORT = "/reports/us-gene-therapy-medicinal-products-market/"
RESOURCES = {"market-size", "segment-sizes", "estimates", "companies", "approvals"}


def unpacked(body, folder):
    """The folder holding datapackage.json, once ``body`` (a ZIP) is unpacked in ``folder``."""
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        archive.extractall(folder)
    (root,) = folder.iterdir()
    return root


def report_of(root):
    result = validate(root / "datapackage.json")
    return result, [error.message for task in result.tasks for error in task.errors]


@pytest.fixture
def two_editions(report):
    figure = MarketFigure.objects.get(report=report, segment=None, year=2030)
    figure.value = Decimal("20.000")
    figure.save()
    publish(report)


@pytest.mark.parametrize(("path", "label", "end"), [
    (f"{REPORT}datapackage.zip", "2", 20.0),
    (f"{REPORT}editions/1/datapackage.zip", "1", 14.4),
])  # fmt: skip
def test_each_edition_s_package_validates_and_keeps_its_numbers(
    report, two_editions, tmp_path, path, label, end
):
    response = Client().get(path)
    assert response["Content-Type"] == "application/zip"
    root = unpacked(response.content, tmp_path)
    result, errors = report_of(root)
    assert result.valid, errors
    descriptor = json.loads((root / "datapackage.json").read_text())
    assert descriptor["id"] == f"http://testserver{REPORT}editions/{label}/"
    assert descriptor["version"] == f"{label}.0.0"
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert {r["name"] for r in descriptor["resources"]} == RESOURCES
    for resource in descriptor["resources"]:
        body = (root / resource["path"]).read_bytes()
        assert resource["bytes"] == len(body) and resource["hash"].startswith("sha256:")
        assert resource["schema"]["primaryKey"] and resource["format"] == "csv"
    package = Package(root / "datapackage.json")
    sizes = {row["year"]: row for row in package.get_resource("market-size").read_rows()}
    assert float(sizes[2030]["value"]) == end and sizes[2030]["edition"] == label
    assert sizes[2025]["computed"] is True
    assert sizes[2025]["source"].startswith("computed by constant growth")
    readme = (root / "README.md").read_text()
    assert f"edition {label}" in readme and "Cite as" in readme and "CC-BY-4.0" in readme


@pytest.mark.parametrize("damage", ["a value that is no number", "a byte changed"])
def test_a_broken_package_fails_validation(report, tmp_path, damage):
    root = unpacked(Client().get(f"{REPORT}datapackage.zip").content, tmp_path)
    sizes = root / "data" / "market-size.csv"
    text = sizes.read_text()
    if damage == "a value that is no number":
        broken = text.replace(",4.000,", ",four,", 1)
    else:
        broken = text.replace("Verified", "Verifiet", 1)  # same size, another hash
    assert broken != text
    sizes.write_text(broken)
    result, errors = report_of(root)
    assert not result.valid and errors
