"""No lost updates: a save based on an outdated copy is refused, in the admin,
the API and the model itself, and nobody's text is lost."""

import threading

import pytest
from django.db import connection, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from companies.models import Company
from gtmp_site.core.versioning import StaleObjectError, VersionedModel
from market.models import Report
from tests.admin_forms import admin_post_data, rendered_form
from tests.factories import (
    CompanyEventFactory,
    CompanyFactory,
    EditorFactory,
    MarketFigureFactory,
    QuestionFactory,
    ReportFactory,
)


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


def two_copies(alice, bob, url):
    """The form as each editor's browser holds it, both opened before either saves."""
    return admin_post_data(alice.get(url)), admin_post_data(bob.get(url))


def alice_then_bob(alice, bob, url, alice_changes, bob_changes, **post):
    """Both open ``url``; Alice saves her changes, then Bob his: Bob's response."""
    alice_form, bob_form = two_copies(alice, bob, url)
    assert alice.post(url, {**alice_form, **alice_changes}).status_code == 302
    return bob.post(url, {**bob_form, **bob_changes}, **post)


@pytest.mark.django_db
def test_different_fields_changed_by_two_editors_are_merged(editors):
    alice, bob = editors
    report = ReportFactory(title="Original title", stated_cagr="17.50")
    url = change_url(report)
    alice_form, bob_form = two_copies(alice, bob, url)

    alice_form["stated_cagr"] = "17.40"
    assert alice.post(url, alice_form).status_code == 302
    bob_form["title"] = "Bob's title"
    response = bob.post(url, bob_form, follow=True)

    report.refresh_from_db()
    assert (report.title, str(report.stated_cagr)) == ("Bob's title", "17.40")
    note = "was also saved by alice"
    assert note in response.content.decode()
    assert "their change to stated CAGR (%) is kept; your change to title is applied" in (
        response.content.decode()
    )


@pytest.mark.django_db
def test_a_field_both_changed_is_a_conflict_showing_both_values(editors):
    alice, bob = editors
    report = ReportFactory(stated_cagr="17.50")
    url = change_url(report)
    alice_form, bob_form = two_copies(alice, bob, url)

    alice_form["stated_cagr"] = "17.40"
    assert alice.post(url, alice_form).status_code == 302
    bob_form["stated_cagr"] = "18.00"
    bob_form["summary"] = "Bob's careful new summary."
    response = bob.post(url, bob_form)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Not saved: alice" in html and "changed stated CAGR (%) as you did" in html
    assert "Their value: “17.40”" in html
    assert "Bob&#x27;s careful new summary." in html  # still in the form, not lost
    report.refresh_from_db()
    assert str(report.stated_cagr) == "17.40"

    # Saving the page as it now stands keeps Bob's value, seen against Alice's.
    again = admin_post_data(response)
    assert bob.post(url, again).status_code == 302
    report.refresh_from_db()
    assert (str(report.stated_cagr), report.summary) == ("18.00", "Bob's careful new summary.")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("bobs_change", "status", "said"),
    [
        ({"events-0-summary": "Bob's summary."}, 200, "Not saved: alice"),  # the same field
        ({"headquarters": "Bob's city"}, 302, ""),  # Bob never touched the row: merged
        ({"events-0-DELETE": "on"}, 200, "was not deleted: alice"),
    ],
)
def test_an_inline_row_a_colleague_changed_is_never_lost(editors, bobs_change, status, said):
    alice, bob = editors
    event = CompanyEventFactory(summary="Old summary.")
    url = change_url(event.company)
    response = alice_then_bob(
        alice, bob, url, {"events-0-summary": "Alice's summary."}, bobs_change
    )
    assert response.status_code == status
    assert said in response.content.decode()
    event.refresh_from_db()
    assert event.summary == "Alice's summary."
    if status == 302:
        assert Company.objects.get(pk=event.company_id).headquarters == "Bob's city"


@pytest.mark.django_db
def test_company_form_with_fieldsets_refuses_a_conflicting_save(editors):
    alice, bob = editors
    company = CompanyFactory(headquarters="Boston, MA")
    url = change_url(company)
    response = alice_then_bob(
        alice, bob, url, {"headquarters": "Cambridge, MA"}, {"headquarters": "Basel"}
    )
    assert response.status_code == 200
    assert "Their value: “Cambridge, MA”" in response.content.decode()
    company.refresh_from_db()
    assert company.headquarters == "Cambridge, MA"


@pytest.mark.django_db
def test_faq_changelist_rows_keep_a_colleagues_change(editors):
    alice, bob = editors
    question = QuestionFactory(position=1)
    changelist = reverse("admin:faq_question_changelist")
    alice_form = rendered_form(alice.get(changelist), "changelist-form")
    bob_form = rendered_form(bob.get(changelist), "changelist-form")
    alice_form["form-0-position"] = ["5"]
    assert alice.post(changelist, {**alice_form, "_save": "Save"}).status_code == 302
    bob_form["form-0-position"] = ["7"]
    response = bob.post(changelist, {**bob_form, "_save": "Save"})
    assert response.status_code == 200
    assert "Their value: “5”" in response.content.decode()
    question.refresh_from_db()
    assert question.position == 5


@pytest.mark.django_db
def test_a_form_sent_without_its_version_is_refused(editors):
    alice, _ = editors
    report = ReportFactory(title="Kept")
    url = change_url(report)
    form = admin_post_data(alice.get(url))
    form.pop("opened_version")
    form["title"] = "Blind overwrite"
    response = alice.post(url, form)
    assert "sent without the version it was opened at" in response.content.decode()
    assert Report.objects.get(pk=report.pk).title == "Kept"


@pytest.mark.django_db
def test_every_admin_form_renders_its_version_in_the_main_form_and_every_inline_row(
    editors, report
):
    from django.contrib import admin

    alice, _ = editors
    checked = 0
    for model, model_admin in admin.site._registry.items():
        if not issubclass(model, VersionedModel):
            continue
        obj = model.objects.first()
        for inline in model_admin.inlines:  # an object that has rows in its inlines
            fk = next(f for f in inline.model._meta.fields if f.related_model is model)
            obj = model.objects.filter(pk__in=inline.model.objects.values(fk.name)).first() or obj
        response = alice.get(change_url(obj))
        data = rendered_form(response, f"{model._meta.model_name}_form")
        assert data.get("opened_version") == [str(obj.version)], model
        for inline in response.context["inline_admin_formsets"]:
            for form in inline.formset.initial_forms:
                assert data.get(form.add_prefix("opened_version")) == [
                    str(form.instance.version)
                ], (model, inline.formset.prefix)
                checked += 1
    assert checked > 3  # company history, product events and a region's countries


@pytest.mark.django_db
def test_a_deletion_confirmed_after_a_colleagues_change_is_refused(editors):
    alice, bob = editors
    company = CompanyFactory(headquarters="Boston, MA")
    delete_url = reverse("admin:companies_company_delete", args=[company.pk])
    confirm = rendered_form(bob.get(delete_url))
    form = admin_post_data(alice.get(change_url(company)))
    form["headquarters"] = "Cambridge, MA"
    assert alice.post(change_url(company), form).status_code == 302
    response = bob.post(delete_url, confirm, follow=True)
    assert "Not deleted: alice" in response.content.decode()
    assert Company.objects.filter(pk=company.pk).exists()
    # Confirmed again from a fresh page, it goes.
    assert bob.post(delete_url, rendered_form(bob.get(delete_url))).status_code == 302
    assert not Company.objects.filter(pk=company.pk).exists()


@pytest.mark.django_db
def test_saving_an_unchanged_report_page_writes_no_history(editors, report):

    alice, _ = editors
    report = Report.objects.get()
    before = history_rows()
    url = change_url(report)
    assert alice.post(url, admin_post_data(alice.get(url))).status_code == 302
    assert history_rows() == before


def history_rows():
    from django.apps import apps

    return sum(
        model.history.count() for model in apps.get_models() if issubclass(model, VersionedModel)
    )


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
    assert "Not saved: script" in response.content.decode()
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


@pytest.mark.django_db
def test_the_change_page_learns_who_else_has_it_open_and_of_newer_saves(editors):
    alice, bob = editors
    company = CompanyFactory(headquarters="Boston, MA")
    page = bob.get(change_url(company)).content.decode()
    editing = reverse("admin:companies_company_editing", args=[company.pk])
    assert f'data-url="{editing}"' in page and 'data-version="1"' in page

    assert alice.post(editing, {"version": "1"}).json()["others"] == []
    answer = bob.post(editing, {"version": "1"}).json()
    assert answer == {"others": ["alice"], "version": 1, "saved_by": None}

    form = admin_post_data(alice.get(change_url(company)))
    form["headquarters"] = "Cambridge, MA"
    alice.post(change_url(company), form)
    answer = bob.post(editing, {"version": "1"}).json()
    assert answer["version"] == 2 and answer["saved_by"].startswith("alice (")

    alice.post(editing, {"leave": "1"})
    assert bob.post(editing, {"version": "2"}).json()["others"] == []


@pytest.mark.django_db
def test_bulk_delete_refuses_objects_changed_after_its_confirmation_page(editors):
    from faq.models import Question

    alice, bob = editors
    kept, other = QuestionFactory(answer="Old answer"), QuestionFactory()
    changelist = reverse("admin:faq_question_changelist")
    action = {"action": "delete_selected", "_selected_action": [kept.pk, other.pk]}
    confirmation = bob.post(changelist, action)
    assert "Are you sure" in confirmation.content.decode()

    form = admin_post_data(alice.get(change_url(kept)))
    alice.post(change_url(kept), {**form, "answer": "Alice's new answer"})

    response = bob.post(changelist, {**action, "post": "yes"}, follow=True)
    html = response.content.decode()
    assert "Not deleted: alice" in html and "Successfully deleted" not in html
    assert Question.objects.filter(pk__in=[kept.pk, other.pk]).count() == 2

    bob.post(changelist, action)  # a fresh confirmation page, then it goes
    bob.post(changelist, {**action, "post": "yes"})
    assert not Question.objects.filter(pk__in=[kept.pk, other.pk]).exists()
