"""Editions: numbered, immutable snapshots of a report, each at its own address.

That no later edit of any row changes a published edition's pages or downloads
is a property over every content model: tests/test_fresh.py checks it with
every edit it makes.
"""

import datetime as dt
import json
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command

from gtmp_site.core.gate import PublishRefused
from market import editions
from market.models import AuditEvent, Edition, MarketFigure, Report
from tests.admin_forms import admin_url, rendered_forms

REVIEWED = dt.date(2026, 12, 1)


def publish(report, **options):
    return editions.publish(report, note=options.pop("note", "A note."), reviewed_on=REVIEWED,
                            **options)  # fmt: skip


def total_2030(report):
    return MarketFigure.objects.get(report=report, segment=None, year=2030)


def test_a_fresh_install_has_edition_1_and_loading_again_adds_none(report):
    (first,) = report.editions.all()
    assert (first.label, first.reviewed_on) == ("1", REVIEWED)
    assert "First edition" in first.note
    call_command("load_report_content", verbosity=0)
    assert report.editions.count() == 1


def test_editions_are_numbered_and_corrections_count_within_their_edition(report):
    labels = [publish(report).label]
    labels.append(publish(report, correction=True).label)
    labels.append(publish(report, correction=True).label)
    labels.append(publish(report).label)
    assert labels == ["2", "2.1", "2.2", "3"]


def test_an_edition_cannot_be_changed_once_published(report):
    edition = report.editions.get()
    edition.note = "Rewritten"
    with pytest.raises(ValidationError, match="cannot be changed"):
        edition.save()
    assert report.editions.get().note != "Rewritten"


def test_an_edition_holds_the_numbers_as_they_were(client, report):
    figure = total_2030(report)
    old = figure.value
    figure.value = Decimal("15.00")
    figure.save()
    page = client.get("/reports/us-gene-therapy-medicinal-products-market/editions/1/")
    assert f"USD {old:.2f} billion" in page.content.decode()
    live = client.get(report.get_absolute_url()).content.decode()
    assert f"USD {old:.2f} billion" in live and "USD 15.00 billion" not in live
    second = publish(report, note="The 2030 forecast is revised.")
    live = client.get(report.get_absolute_url()).content.decode()
    assert "USD 15.00 billion" in live and "Edition 2 · published" in live
    page = client.get(second.get_absolute_url()).content.decode()
    assert "USD 15.00 billion" in page and "Edition 2 of this report" in page
    data = json.loads(client.get(f"{second.get_absolute_url()}data.json").content)
    total = data["series"][0]["points"]
    assert {"year": 2030, "value": "15.000"}.items() <= next(
        p for p in total if p["year"] == 2030
    ).items()
    assert data["report"]["edition"] == "2"


def test_the_old_edition_names_the_latest_and_the_list_shows_every_note(client, report):
    publish(report, note="Second, with a revised forecast.")
    old = client.get("/reports/us-gene-therapy-medicinal-products-market/editions/1/")
    assert (
        'The latest is <a href="/reports/us-gene-therapy-medicinal-products-market/'
        'editions/2/">edition 2</a>' in old.content.decode()
    )
    listing = client.get("/reports/us-gene-therapy-medicinal-products-market/editions/")
    html = listing.content.decode()
    assert "Second, with a revised forecast." in html and "First edition" in html
    assert html.index("Edition 2") < html.index("Edition 1")


def test_a_working_copy_with_error_checks_is_not_published(report):
    total = MarketFigure.objects.get(report=report, segment=None, year=2022)
    # A segment larger than the whole market contradicts it (a draft may hold that).
    report.status = report.Status.DRAFT
    report.save()
    MarketFigure.objects.create(
        report=report, segment=report.segments.first(), year=2022, value=total.value + 1,
        kind="estimate", source="A typing mistake",
    )  # fmt: skip
    with pytest.raises(PublishRefused, match="cannot be published with contradicting numbers"):
        publish(report)
    assert report.editions.count() == 1


def test_a_scheduled_edition_is_not_public_before_its_time(client, report, time_machine):
    later = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    edition = publish(report, at=later)
    assert client.get(edition.get_absolute_url()).status_code == 404
    time_machine.move_to(later + dt.timedelta(minutes=1))
    assert client.get(edition.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("label", ["2", "1.1", "0", "999999"])
def test_an_edition_that_does_not_exist_is_a_404(client, report, label):
    response = client.get(f"/reports/us-gene-therapy-medicinal-products-market/editions/{label}/")
    assert response.status_code == 404


def test_a_report_with_editions_keeps_them_when_deleted_is_refused(report):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        report.delete()
    assert Edition.objects.filter(report=report).exists()


# Review before publishing, through the admin page as the browser renders and posts it.


@pytest.fixture
def publisher(db):
    from django.test import Client

    from gtmp_site.core.editors import ensure_publishers_group
    from tests.factories import EditorFactory

    user = EditorFactory(username="pia")
    user.groups.add(ensure_publishers_group())
    client = Client()
    client.force_login(user)
    return client


def editions_page(client, report):
    return admin_url(Report, "editions", report.pk)


def post_step(client, report, step, **fields):
    """Post the form of ``step`` on the report's editions page, as rendered."""
    page = client.get(editions_page(client, report))
    assert page.status_code == 200
    data = rendered_forms(page, step)
    data.update(fields)
    return client.post(editions_page(client, report), data, follow=True)


def test_an_editor_submits_a_publisher_publishes_and_the_audit_log_has_both(
    editor, publisher, report, client
):
    figure = total_2030(report)
    figure.value = Decimal("15.00")
    figure.save()
    done = post_step(editor, report, "submit", **{
        "submit-note": "The 2030 forecast is revised.", "submit-reviewed_on": "2026-11-28",
    })  # fmt: skip
    assert "Submitted for review by a publisher." in done.content.decode()
    assert report.editions.count() == 1
    # The editor who submitted it has no publish button and cannot publish by posting.
    page = editor.get(editions_page(editor, report)).content.decode()
    assert "Publish this edition" not in page
    pending = report.submissions.get()
    refused = editor.post(editions_page(editor, report),
                          {"step": "publish", "submission": pending.pk}, follow=True)  # fmt: skip
    assert "Only a member of the Publishers group" in refused.content.decode()
    assert report.editions.count() == 1

    published = post_step(publisher, report, "publish")
    assert "Edition 2 is published." in published.content.decode()
    second = report.editions.get(number=2)
    assert (second.note, second.reviewed_on) == ("The 2030 forecast is revised.",
                                                 dt.date(2026, 11, 28))  # fmt: skip
    assert "USD 15.00 billion" in client.get(second.get_absolute_url()).content.decode()
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", "user__username"))
    assert actions[-2:] == [("submitted", "erin"), ("edition", "pia")]


def test_a_publisher_sends_a_submission_back_with_a_comment(editor, publisher, report):
    post_step(editor, report, "submit", **{
        "submit-note": "Half done.", "submit-reviewed_on": "2026-11-28",
    })  # fmt: skip
    empty = post_step(publisher, report, "send-back", comment="")
    assert "Say why it goes back" in empty.content.decode()
    post_step(publisher, report, "send-back", comment="The 2030 source is missing.")
    (submission,) = report.submissions.all()
    assert (submission.state, submission.comment) == ("sent-back", "The 2030 source is missing.")
    assert report.editions.count() == 1
    event = AuditEvent.objects.get(action="sent-back")
    assert event.user.username == "pia" and "2030 source" in event.detail


def test_a_submission_without_a_note_keeps_the_input_and_names_the_field(editor, report):
    done = post_step(editor, report, "submit", **{"submit-reviewed_on": "2026-11-28"})
    assert done.context["submit_form"].errors == {"note": ["This field is required."]}
    assert 'value="2026-11-28"' in done.content.decode()
    assert not report.submissions.exists()


def test_with_review_off_an_editor_publishes_at_once(editor, report, settings):
    settings.EDITIONS_REVIEW = False
    done = post_step(editor, report, "submit", **{
        "submit-note": "Small team.", "submit-reviewed_on": "2026-11-28",
    })  # fmt: skip
    assert "Edition 2 is published." in done.content.decode()


def test_a_superuser_may_publish_their_own_submission_and_the_log_says_so(report, client):
    from tests.factories import UserFactory

    boss = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(boss)
    post_step(client, report, "submit", **{
        "submit-note": "Urgent fix.", "submit-reviewed_on": "2026-11-28",
    })  # fmt: skip
    post_step(client, report, "publish")
    event = AuditEvent.objects.get(action="edition")
    assert "without a second person's review" in event.detail


def test_a_working_copy_with_errors_cannot_be_submitted(editor, report):
    report.status = report.Status.DRAFT
    report.save()
    total = MarketFigure.objects.get(report=report, segment=None, year=2022)
    MarketFigure.objects.create(
        report=report, segment=report.segments.first(), year=2022, value=total.value + 1,
        kind="estimate", source="A typing mistake",
    )  # fmt: skip
    page = editor.get(editions_page(editor, report)).content.decode()
    assert "cannot be submitted while its checks find errors" in page
    assert "Submit for review" not in page


# What changed


def test_what_changed_lists_exactly_the_figure_that_moved(client, report):
    figure = total_2030(report)
    old = figure.value
    figure.value = Decimal("15.00")
    figure.save()
    second = publish(report, note="The 2030 forecast is revised.")
    page = client.get(f"{second.get_absolute_url()}changes/")
    assert page.status_code == 200
    found = page.context["changes"]
    assert found["figures"] == [{
        "segment": None, "year": 2030, "old": f"{old:.3f}", "new": "15.000",
        "change_percent": str(((Decimal("15") - old) / old * 100).quantize(Decimal("0.01"))),
        "old_kind": "forecast", "new_kind": "forecast",
    }]  # fmt: skip
    assert found["prose"] == []  # the summary quotes the figure, but its text is the same
    html = page.content.decode()
    assert "The 2030 forecast is revised." in html and "What changed in edition 2" in html


def test_what_changed_shows_a_text_edit_word_by_word(client, report):
    report.methodology = report.methodology + " One new sentence."
    report.save()
    second = publish(report)
    found = client.get(f"{second.get_absolute_url()}changes/").context["changes"]
    (block,) = found["prose"]
    assert block["where"] == "Methodology"
    assert {"op": "insert", "text": "One new sentence."} in block["words"]
    assert found["figures"] == []


def test_the_first_edition_has_nothing_to_compare_and_a_bad_from_is_a_404(client, report):
    first = report.editions.get()
    page = client.get(f"{first.get_absolute_url()}changes/").content.decode()
    assert "first edition: there is no earlier one" in page
    second = publish(report)
    assert client.get(f"{second.get_absolute_url()}changes/?from=7").status_code == 404
    assert client.get(f"{second.get_absolute_url()}changes/?from=x").status_code == 404
    same = client.get(f"{second.get_absolute_url()}changes/?from=1")
    assert same.context["unchanged"]


# The API: editions, as-of queries, what changed

SLUG = "us-gene-therapy-medicinal-products-market"
API = f"/api/v1/reports/{SLUG}/"


# Each read that takes ``edition`` and ``as_of``: its URL, its query, and the whole
# market's 2030 value in its answer.
EDITION_READS = {
    "forecast": (f"{API}forecast/", {}, lambda data: next(
        p["value"] for p in data["series"][0]["points"] if p["year"] == 2030)),
    "report": (API, {}, lambda data: next(
        f["value"] for f in data["headline_figures"] if f["year"] == 2030)),
    "figures": ("/api/v1/figures/", {"report": SLUG, "scope": "total", "year": "2030"},
                lambda data: data["results"][0]["value"]),
}  # fmt: skip


@pytest.mark.parametrize("read", list(EDITION_READS))
def test_the_api_answers_as_an_edition_or_a_date_published_it(api, report, read):
    url, base, value_2030 = EDITION_READS[read]
    first = report.editions.get()
    figure = total_2030(report)
    old = figure.value
    figure.value = Decimal("15.00")
    figure.save()
    later = first.published_at + dt.timedelta(days=2)
    second = publish(report, at=later)

    def total_in_2030(**query):
        response = api.get(url, {**base, **query})
        assert response.status_code == 200, response.content
        return value_2030(response.json()), response

    assert total_in_2030()[0] == f"{old:.3f}"  # the edit is not published yet
    assert total_in_2030(edition="1")[0] == f"{old:.3f}"
    assert total_in_2030(edition="1", as_of=first.published_at.date().isoformat())[0] == (
        f"{old:.3f}"
    )
    value, response = total_in_2030(as_of=first.published_at.date().isoformat())
    assert value == f"{old:.3f}"
    if read != "figures":  # one edition's resource names it; a list may hold several
        assert response["Content-Location"] == first.get_absolute_url()
    # Edition 2 is scheduled: not in force until its day comes, and not listed before.
    assert api.get(url, {**base, "edition": "2"}).status_code == 404
    assert [e["edition"] for e in api.get(f"{API}editions/").json()] == ["1"]
    with time_machine.travel(later + dt.timedelta(hours=1)):
        assert total_in_2030()[0] == "15.000"
        assert total_in_2030(as_of=later.date().isoformat())[0] == "15.000"
        assert total_in_2030(edition=second.label)[0] == "15.000"
        assert total_in_2030(edition="1")[0] == f"{old:.3f}"
        both = api.get(url, {**base, "edition": "1", "as_of": later.date().isoformat()})
        assert "Edition 1 was not in force" in both.json()["detail"]
        listed = api.get(f"{API}editions/").json()
        assert [e["edition"] for e in listed] == ["2", "1"]
        assert listed[0]["changes"].endswith(f"{API}changes/?to=2")


@pytest.mark.parametrize("read", list(EDITION_READS))
@pytest.mark.parametrize(
    ("query", "status", "words"),
    [
        ({"as_of": "2001-01-01"}, 404, "no published edition on 2001-01-01"),
        ({"as_of": "someday"}, 400, "wrong format"),
        ({"as_of": ""}, 400, "wrong format"),
        ({"edition": "1", "as_of": "2001-01-01"}, 404, "no published edition on 2001-01-01"),
        ({"edition": "x1"}, 400, "does not match"),
        ({"edition": "7"}, 404, "no published edition 7"),
    ],
)
def test_a_bad_edition_or_date_is_a_clear_json_error(api, report, read, query, status, words):
    url, base, _ = EDITION_READS[read]
    response = api.get(url, {**base, **query})
    assert response.status_code == status
    assert words in json.dumps(response.json())


def test_without_a_report_a_date_reads_each_report_s_edition_then(api, report):
    before = {"as_of": "2001-01-01"}
    for resource in ("figures", "segments"):
        assert api.get(f"/api/v1/{resource}/", before).json()["results"] == []
        today = {"as_of": dt.date.today().isoformat(), "edition": "1"}
        assert api.get(f"/api/v1/{resource}/", today).json()["results"]
    assert api.get("/api/v1/reports/", {"as_of": "2026-12-01"}).status_code == 400


def test_readers_read_what_editors_just_published_field_for_field(api, editor_api, report):
    """Right after a publish, the reader's form of each resource (from the edition)
    equals the editors' (the rows) in every field but those naming the edition."""
    cancer = report.segments.get(slug="cancer")
    MarketFigure.objects.create(
        report=report, segment=cancer, year=2024, value=Decimal("1.5"), kind="forecast",
        source="A publisher", source_url="https://example.org/a", note="A note.",
    )  # fmt: skip
    label = publish(report).label
    pinned = f"?report={SLUG}&edition={label}"  # how a reader's url names its edition
    for url in (API, f"/api/v1/segments/?report={SLUG}", f"/api/v1/figures/?report={SLUG}"):
        read, written = api.get(url).json(), editor_api.get(url).json()
        for reader, editor in zip(read.get("results", [read]), written.get("results", [written]),
                                  strict=True):  # fmt: skip
            assert (reader.pop("edition"), editor.pop("edition")) == (label, None)
            if url == API:
                for name in ("url", "forecast_url"):
                    assert reader.pop(name) == f"{editor.pop(name)}?edition={label}"
                # An edition's report changed when it was published.
                assert reader.pop("last_changed") == reader.pop("updated_at")
                del editor["last_changed"], editor["updated_at"]
                for segment in editor["segments"]:
                    segment["url"] += pinned
            else:
                assert reader.pop("url") == f"{editor.pop('url')}{pinned}"
            assert reader == editor, url


def test_the_api_says_what_changed_between_editions(api, report):
    figure = total_2030(report)
    figure.value = Decimal("15.00")
    figure.save()
    publish(report, note="The 2030 forecast is revised.")
    data = api.get(f"{API}changes/").json()
    assert (data["old"]["edition"], data["new"]["edition"]) == ("1", "2")
    assert data["new"]["note"] == "The 2030 forecast is revised."
    assert [(f["segment"], f["year"], f["new"]) for f in data["figures"]] == [
        (None, 2030, "15.000")
    ]
    assert data["cagr"]["new"]["period"] == "2024–2030"
    assert api.get(f"{API}changes/", {"to": "1"}).status_code == 404
    assert api.get(f"{API}changes/", {"from": "1", "to": "2"}).json() == data


def test_new_editions_are_in_the_report_feed_and_the_site_feed(client, report, time_machine):
    import xml.etree.ElementTree as ET

    atom = "{http://www.w3.org/2005/Atom}"
    later = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    publish(report, note="Revised.", at=later)

    def titles(path):
        response = client.get(path)
        assert response["Content-Type"].startswith("application/atom+xml")
        feed = ET.fromstring(response.content)
        return [entry.find(f"{atom}title").text for entry in feed.iter(f"{atom}entry")]

    report_feed = f"{report.get_absolute_url()}editions/feed/"
    assert titles(report_feed) == [f"{report.title}: edition 1"]
    time_machine.move_to(later + dt.timedelta(minutes=1))
    expected = [f"{report.title}: edition 2", f"{report.title}: edition 1"]
    assert titles(report_feed) == expected  # on time, through the page cache too
    assert titles("/editions/feed/") == expected


# Citation and licence


def cite_block(client, path):
    return client.get(path).context["cite"]


def test_the_citation_parses_as_bibtex_ris_and_csl_json_naming_the_edition(client, report):
    import warnings

    import bibtexparser
    import rispy
    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON

    edition = report.editions.get()
    cite = cite_block(client, edition.get_absolute_url())
    url = f"http://testserver{edition.get_absolute_url()}"
    day = edition.published_at

    (entry,) = bibtexparser.parse_string(cite["bibtex"]).entries
    assert entry.entry_type == "misc" and entry["url"] == url and entry["edition"] == "1"
    assert entry["title"] == "{US Gene Therapy Medicinal Products (GTMP) Market}"
    assert entry["author"] == "{GTMP Market Insights}"
    assert "Verified Market Reports" in entry["note"] and "CC-BY-4.0" in entry["note"]

    (record,) = rispy.loads(cite["ris"])
    assert (record["type_of_reference"], record["urls"], record["edition"]) == ("DATA", [url], "1")
    assert record["date"] == f"{day:%Y/%m/%d}"

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # citeproc-py warns of any field CSL does not define
        items = CiteProcJSON(json.loads(cite["csl_json"]))
        (key,) = items
        style = CitationStylesStyle("harvard-cite-them-right", validate=False)
        bibliography = CitationStylesBibliography(style, items, formatter.plain)
        bibliography.register(Citation([CitationItem(key)]))
        (text,) = [str(item) for item in bibliography.bibliography()]
    assert "GTMP Market Insights" in text and str(day.year) in text and url in text
    assert "Verified Market Reports" in cite["text"] and "edition 1" in cite["text"]


def test_the_live_page_cites_its_latest_edition(client, report):
    publish(report)
    cite = cite_block(client, report.get_absolute_url())
    assert "edition 2" in cite["text"] and "/editions/2/" in cite["text"]


def test_the_data_licence_is_on_the_page_in_the_api_and_in_every_download(client, api, report):
    report.data_licence = "CC0-1.0"
    report.save()
    edition = publish(report)
    name = "Creative Commons Zero v1.0 Universal"
    assert name in client.get(report.get_absolute_url()).content.decode()
    assert api.get(API).json()["licence"] == {
        "id": "CC0-1.0", "name": name,
        "url": "https://creativecommons.org/publicdomain/zero/1.0/",
    }  # fmt: skip
    for path in (f"{report.get_absolute_url()}data.csv", f"{edition.get_absolute_url()}data.csv",
                 f"{edition.get_absolute_url()}data.json"):  # fmt: skip
        response = client.get(path)
        assert (
            response["Link"]
            == '<https://creativecommons.org/publicdomain/zero/1.0/>; rel="license"'
        )
    meta = json.loads(client.get(f"{edition.get_absolute_url()}data.json").content)["report"]
    assert meta["licence"]["id"] == "CC0-1.0"
    # An earlier edition keeps the licence it was published under.
    first = json.loads(client.get(f"{API}editions/").content)[-1]
    assert "CC-BY-4.0" in first["citation"]["text"]


def test_the_preview_says_what_the_working_copy_changes_from_the_latest_edition(editor, report):
    preview = editor.get(report.get_preview_url())
    assert preview.context["preview_unchanged"]
    assert "Nothing yet: it shows what edition 1 shows." in preview.content.decode()
    figure = total_2030(report)
    figure.value = Decimal("15.00")
    figure.save()
    preview = editor.get(report.get_preview_url())
    html = preview.content.decode()
    assert "What this working copy changes from edition 1" in html
    assert [(f["year"], f["new"]) for f in preview.context["preview_changes"]["figures"]] == [
        (2030, "15.000")
    ]


# Preview links for reviewers without an account


def test_a_share_link_shows_the_preview_to_anyone_until_it_is_revoked(editor, report):
    from django.test import Client

    client = Client()  # a reviewer without an account (``editor`` is the test client)
    figure = total_2030(report)
    figure.value = Decimal("15.00")
    figure.save()
    done = post_step(editor, report, "share")
    (message,) = [str(m) for m in done.context["messages"]]
    url = message.rsplit(": ", 1)[1].removeprefix("http://testserver")
    page = client.get(url)
    assert page.status_code == 200 and "USD 15.00 billion" in page.content.decode()
    assert "Shared with you for review" in page.content.decode()
    assert "Back to editing" not in page.content.decode()
    assert "no-cache" in page["Cache-Control"] and page["X-Robots-Tag"] == "noindex"
    assert client.get(url.replace("/shared/", "/shared/x")).status_code == 404

    link = report.share_links.get()
    revoke = rendered_forms(editor.get(editions_page(editor, report)), "revoke")
    assert revoke["link"] == str(link.pk)
    editor.post(editions_page(editor, report), revoke)
    assert client.get(url).status_code == 404
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions[-2:] == ["shared", "share-revoked"]


def test_a_share_link_expires(editor, report, settings, time_machine):
    from django.test import Client

    client = Client()
    post_step(editor, report, "share")
    link = report.share_links.get()
    url = f"{report.get_preview_url()}shared/{editions.share_token(link)}/"
    assert client.get(url).status_code == 200
    time_machine.move_to(link.expires_at + dt.timedelta(seconds=1))
    assert client.get(url).status_code == 404


# Editors' scripts: the same rules through the API


def token_client(user):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_a_script_submits_and_a_publisher_s_script_publishes(report, api):
    from gtmp_site.core.editors import ensure_publishers_group
    from tests.factories import EditorFactory

    erin, pia = EditorFactory(username="erin"), EditorFactory(username="pia")
    pia.groups.add(ensure_publishers_group())
    assert api.get("/api/v1/submissions/").status_code == 401
    body = {"report": report.slug, "note": "From a script.", "reviewed_on": "2026-11-30"}
    created = token_client(erin).post("/api/v1/submissions/", body, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    own = token_client(erin).post(f"/api/v1/submissions/{pk}/publish/")
    assert own.status_code == 403 and "Publishers group" in own.json()["detail"]
    again = token_client(erin).post("/api/v1/submissions/", body, format="json")
    assert again.status_code == 400 and "already waits for review" in json.dumps(again.json())

    published = token_client(pia).post(f"/api/v1/submissions/{pk}/publish/")
    assert published.status_code == 201 and published.json()["edition"] == "2"
    listed = token_client(erin).get("/api/v1/submissions/").json()["results"]
    assert (listed[0]["state"], listed[0]["edition"], listed[0]["decided_by"]) == (
        "published",
        "2",
        "pia",
    )


def test_a_script_sends_back_with_a_comment_and_a_bad_body_is_a_400(report):
    from gtmp_site.core.editors import ensure_publishers_group
    from tests.factories import EditorFactory

    erin, pia = EditorFactory(username="erin"), EditorFactory(username="pia")
    pia.groups.add(ensure_publishers_group())
    bad = token_client(erin).post("/api/v1/submissions/", {"report": report.slug}, format="json")
    assert bad.status_code == 400 and set(bad.json()) == {"note", "reviewed_on"}
    body = {"report": report.slug, "note": "Draft.", "reviewed_on": "2026-11-30"}
    pk = token_client(erin).post("/api/v1/submissions/", body, format="json").json()["id"]
    empty = token_client(pia).post(f"/api/v1/submissions/{pk}/send-back/", {}, format="json")
    assert empty.status_code == 400
    done = token_client(pia).post(
        f"/api/v1/submissions/{pk}/send-back/", {"comment": "Needs a source."}, format="json"
    )
    assert done.json()["state"] == "sent-back" and done.json()["comment"] == "Needs a source."


# Rescheduling and withdrawing


def test_a_publisher_reschedules_a_scheduled_edition_and_the_log_shows_both_times(
    publisher, report, client, time_machine
):
    edition = publish(report, at=dt.datetime(2030, 1, 1, 9, 0, tzinfo=dt.UTC))
    form = rendered_forms(publisher.get(editions_page(publisher, report)), "reschedule")
    form["at"] = "2030-02-01T10:30"
    done = publisher.post(editions_page(publisher, report), form, follow=True)
    assert "now goes public on 01 February 2030, 10:30" in done.content.decode()
    edition.refresh_from_db()
    assert edition.published_at == dt.datetime(2030, 2, 1, 10, 30, tzinfo=dt.UTC)
    event = AuditEvent.objects.get(action="rescheduled")
    assert "from 2030-01-01 09:00 UTC to 2030-02-01 10:30 UTC" in event.detail
    time_machine.move_to(dt.datetime(2030, 1, 15, tzinfo=dt.UTC))
    assert client.get(edition.get_absolute_url()).status_code == 404
    time_machine.move_to(dt.datetime(2030, 2, 2, tzinfo=dt.UTC))
    assert client.get(edition.get_absolute_url()).status_code == 200


def test_a_withdrawn_edition_leaves_the_site_on_time_and_the_previous_is_latest_again(
    publisher, report, time_machine
):
    from django.test import Client

    reader = Client()
    second = publish(report)
    assert "/editions/2/" in reader.get(report.get_absolute_url()).content.decode()
    later = second.published_at + dt.timedelta(days=1)
    editions.withdraw(second, _publisher(), at=later)
    assert reader.get(second.get_absolute_url()).status_code == 200  # until its time comes
    time_machine.move_to(later + dt.timedelta(minutes=1))
    assert reader.get(second.get_absolute_url()).status_code == 404
    page = reader.get(report.get_absolute_url()).content.decode()  # cached before: expired
    assert "/editions/2/" not in page and "/editions/1/" in page
    assert AuditEvent.objects.get(action="withdrawn").detail.startswith("Edition 2: withdrawal")


def test_an_editor_outside_the_publishers_may_not_withdraw(editor, report):
    page = editor.get(editions_page(editor, report)).content.decode()
    assert 'value="withdraw"' not in page
    edition = report.editions.get()
    editor.post(editions_page(editor, report), {"step": "withdraw", "edition": edition.pk})
    edition.refresh_from_db()
    assert edition.withdrawn_at is None


def _publisher():
    from gtmp_site.core.editors import ensure_publishers_group
    from tests.factories import EditorFactory

    user = EditorFactory(username="pia-2")
    user.groups.add(ensure_publishers_group())
    return user


def test_a_published_report_is_on_the_site_only_from_its_first_edition(client, api, editor_api, db):
    from tests.factories import MarketFigureFactory, ReportFactory

    report = ReportFactory(title="Report without an edition")
    MarketFigureFactory(report=report)
    page, forecast = report.get_absolute_url(), f"/api/v1/reports/{report.slug}/forecast/"
    assert client.get(page).status_code == 404
    assert client.get(f"{page}data.csv").status_code == 404
    assert report.title not in client.get("/").content.decode()
    assert page not in client.get("/sitemap.xml").content.decode()
    assert api.get(forecast).status_code == 404
    assert editor_api.get(forecast).status_code == 200  # the working copy, for editors
    publish(report)
    assert client.get(page).status_code == 200
    assert report.title in client.get("/").content.decode()
    assert page in client.get("/sitemap.xml").content.decode()
    assert api.get(forecast)["Content-Location"] == f"{page}editions/1/"
