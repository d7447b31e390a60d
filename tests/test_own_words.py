"""Every public page is in the site's own words: no run of 8 or more words is
shared with the original report page (../shared/seed/), whose facts and figures
carry over but whose prose does not."""

import html
import re
from pathlib import Path

import pytest
from django.test import Client

from companies.models import Company
from tests.factories import publish

ROOT = Path(__file__).resolve().parent.parent
# Next to the checkout, as on the development machine; CI clones elsewhere, so the
# workspace's copy is looked for too.
SEED_DIRS = [ROOT.parent / "shared" / "seed", Path("/work/shared/seed")]
RUN = 8

pytestmark = pytest.mark.django_db


def words(markup):
    """The words a reader sees (and a search engine indexes) in ``markup``; web
    addresses are citations, not words."""
    text = re.sub(r"<(style)[^>]*>.*?</\1>", " ", markup, flags=re.S | re.I)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    text = re.sub(r"https?://\S+", " ", text)
    return re.findall(r"[a-z0-9]+", text.lower())


def runs(tokens):
    return {tuple(tokens[i : i + RUN]) for i in range(len(tokens) - RUN + 1)}


@pytest.fixture(scope="module")
def seed_runs():
    folder = next((d for d in SEED_DIRS if d.is_dir()), None)
    if folder is None:
        pytest.skip(f"the seed page is not here ({', '.join(map(str, SEED_DIRS))})")
    return set().union(*(runs(words(path.read_text())) for path in folder.iterdir()))


def public_pages(report):
    yield "/"
    yield report.get_absolute_url()
    for segment in report.segments.all():
        yield segment.get_absolute_url()
    yield "/companies/"
    for company in Company.objects.published():
        yield company.get_absolute_url()
    yield "/therapies/"
    yield "/faq/"


def test_no_public_page_repeats_the_seed_page(report, seed_runs):
    client = Client()
    copied = {}
    for path in public_pages(report):
        response = client.get(path)
        assert response.status_code == 200, path
        shared = runs(words(response.content.decode())) & seed_runs
        if shared:
            copied[path] = sorted(" ".join(run) for run in shared)[:3]
    assert copied == {}


def test_the_check_finds_a_copied_sentence(report, seed_runs):
    # A guard on the guard: a sentence of the seed typed into a segment is caught.
    segment = report.segments.get(slug="cancer")
    segment.overview += (
        "\n\nCancer is one of the most prominent applications of gene therapy medicinal "
        "products (GTMP) in the United States."
    )
    segment.save()
    publish(report)
    page = Client().get(segment.get_absolute_url()).content.decode()
    assert runs(words(page)) & seed_runs
