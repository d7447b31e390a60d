"""No lost updates: a save based on an outdated copy is refused, in the admin,
the API and the model itself, and nobody's text is lost."""

import threading

import pytest
from django.db import connection, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from market.models import Report
from market.versioning import StaleObjectError
from tests.admin_forms import admin_post_data
from tests.factories import EditorFactory, MarketFigureFactory, ReportFactory, SegmentFactory


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


@pytest.fixture
def editors(client, django_user_model):
    from django.test import Client

    alice, bob = EditorFactory(username="alice"), EditorFactory(username="bob")
    first, second = Client(), Client()
    first.force_login(alice)
    second.force_login(bob)
    return first, second


@pytest.mark.django_db
def test_second_admin_save_is_refused_naming_who_and_what(editors):
    alice, bob = editors
    report = ReportFactory(title="Original title")
    url = change_url(report)
    alice_form = admin_post_data(alice.get(url))
    bob_form = admin_post_data(bob.get(url))

    alice_form["title"] = "Alice's title"
    assert alice.post(url, alice_form).status_code == 302

    bob_form["summary"] = "Bob's careful new summary."
    response = bob.post(url, bob_form)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Not saved: alice saved this report" in html
    assert "They changed: title." in html
    assert "Bob&#x27;s careful new summary." in html  # still in the form, not lost
    report.refresh_from_db()
    assert (report.title, report.summary) == ("Alice's title", "A market report.")


@pytest.mark.django_db
def test_conflict_in_an_inline_row_is_refused_too(editors):
    alice, bob = editors
    segment = SegmentFactory(overview="Old overview")
    url = change_url(segment.report)
    alice_form, bob_form = admin_post_data(alice.get(url)), admin_post_data(bob.get(url))
    alice_form["segments-0-overview"] = "Alice's overview"
    assert alice.post(url, alice_form).status_code == 302
    bob_form["segments-0-overview"] = "Bob's overview"
    response = bob.post(url, bob_form)
    assert response.status_code == 200
    assert "Not saved: alice saved this segment" in response.content.decode()
    segment.refresh_from_db()
    assert segment.overview == "Alice's overview"


@pytest.mark.django_db
def test_saving_after_reloading_works(editors):
    alice, _ = editors
    report = ReportFactory()
    url = change_url(report)
    for title in ("First", "Second"):
        form = admin_post_data(alice.get(url))
        form["title"] = title
        assert alice.post(url, form).status_code == 302
    report.refresh_from_db()
    assert (report.title, report.version) == ("Second", 3)


@pytest.mark.django_db
def test_admin_save_after_an_api_write_is_refused(editors):
    alice, _ = editors
    report = ReportFactory()
    MarketFigureFactory(report=report)
    url = change_url(report)
    alice_form = admin_post_data(alice.get(url))

    api = APIClient()
    api.force_authenticate(EditorFactory(username="script"))
    detail = f"/api/v1/reports/{report.slug}/"
    etag = api.get(detail)["ETag"]
    assert (
        api.patch(detail, {"title": "From the API"}, format="json", HTTP_IF_MATCH=etag).status_code
        == 200
    )

    alice_form["title"] = "From the admin"
    response = alice.post(url, alice_form)
    assert "Not saved: script saved this report" in response.content.decode()
    assert Report.objects.get(pk=report.pk).title == "From the API"


@pytest.mark.django_db
def test_model_refuses_a_save_from_a_stale_copy():
    report = ReportFactory(title="v1")
    first, second = Report.objects.get(pk=report.pk), Report.objects.get(pk=report.pk)
    first.title = "first"
    first.save()
    second.title = "second"
    with pytest.raises(StaleObjectError), transaction.atomic():
        second.save()
    assert second.title == "second" and second.version == 1  # the loser keeps its text
    assert Report.objects.get(pk=report.pk).title == "first"
    second.refresh_from_db()
    second.title = "second, after reloading"
    second.save()
    assert Report.objects.get(pk=report.pk).version == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the race needs PostgreSQL")
def test_two_threads_racing_on_postgresql_end_with_one_refused_save():
    report = ReportFactory(summary="original")
    barrier = threading.Barrier(2)
    outcome, copies = {}, {}

    def edit(name):
        try:
            copy = Report.objects.get(pk=report.pk)
            copies[name] = copy
            copy.summary = f"text by {name}"
            barrier.wait(timeout=10)
            copy.save()
            outcome[name] = "saved"
        except StaleObjectError:
            outcome[name] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(name,)) for name in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcome.values()) == ["refused", "saved"]
    winner = next(name for name, result in outcome.items() if result == "saved")
    loser = next(name for name, result in outcome.items() if result == "refused")
    saved = Report.objects.get(pk=report.pk)
    assert saved.summary == f"text by {winner}" and saved.version == 2
    assert copies[loser].summary == f"text by {loser}"  # the refused text is not lost
    assert saved.history.filter(summary=f"text by {winner}").exists()
