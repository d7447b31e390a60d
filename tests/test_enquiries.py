"""Readers' enquiries: the form on its own page (reached from the report page),
its checks, CSRF, throttle and honeypot; the e-mail to the editors; the inbox in
the admin, for editors only; and the purge of expired enquiries."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from enquiries.models import Enquiry
from tests.admin_forms import admin_url, rendered_form
from tests.factories import EditorFactory

pytestmark = pytest.mark.django_db

REPORT = "/reports/us-gene-therapy-medicinal-products-market/"
FORM = f"{REPORT}enquire/"
FILLED = {"name": "Ada Reader", "email": "ada@example.org", "organisation": "Example Bio",
          "message": "Which sources give the 2030 figure?", "consent": "on"}  # fmt: skip


def the_form(client, url=FORM, **values):
    """What a browser sends from the enquiry form as rendered at ``url``, with the
    reader's ``values`` typed in (FILLED by default)."""
    page = client.get(url)
    assert page.status_code == 200
    data = {name: values[0] for name, values in rendered_form(page).items()}
    return {**data, **(values or FILLED)}


def test_the_report_page_leads_to_the_form_which_is_never_cached(client, report):
    page = client.get(REPORT).content.decode()
    links = set(re.findall(r'href="([^"]*/enquire/[^"]*)"', page))
    assert links == {FORM, f"{FORM}?kind=full_report"}
    response = client.get(f"{FORM}?kind=full_report")
    assert "no-store" in response["Cache-Control"]
    assert rendered_form(response)["kind"] == ["full_report"]


def test_an_enquiry_reaches_the_editors_and_the_inbox(client, report, settings):
    settings.ENQUIRIES_TO = ["editors@gtmp.example"]
    response = client.post(FORM, the_form(client))
    assert response.status_code == 302 and response["Location"] == f"{FORM}sent/"
    assert "your enquiry was sent" in client.get(response["Location"]).content.decode()
    (enquiry,) = Enquiry.objects.all()
    assert (enquiry.report, enquiry.edition, enquiry.kind, enquiry.status) == (
        report,
        "1",
        "question",
        "new",
    )
    (message,) = mail.outbox
    assert message.to == ["editors@gtmp.example"] and message.reply_to == ["ada@example.org"]
    assert "Which sources give the 2030 figure?" in message.body
    assert "Ada Reader, Example Bio <ada@example.org>" in message.body


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"email": "not-an-address"}, "email", "valid email address"),
        ({"name": ""}, "name", "required"),
        ({"message": "x" * 5001}, "message", "at most 5000 characters"),
        ({"consent": None}, "consent", "Tick this box"),
        ({"kind": "free_lunch"}, "kind", "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_with_the_fields_error(client, report, change, field, says):
    data = {name: value for name, value in {**the_form(client), **change}.items()
            if value is not None}  # fmt: skip
    response = client.post(FORM, data)
    assert response.status_code == 200
    assert says in " ".join(response.context["form"].errors[field])
    html = response.content.decode()
    assert "Please check the form" in html and 'aria-invalid="true"' in html
    assert Enquiry.objects.count() == 0 and not mail.outbox


def test_a_post_without_the_csrf_token_is_refused(report):
    client = Client(enforce_csrf_checks=True)
    data = the_form(client)
    assert client.post(FORM, {**data, "csrfmiddlewaretoken": ""}).status_code == 403
    assert client.post(FORM, data).status_code == 302  # with the page's token it passes
    assert Enquiry.objects.count() == 1


def test_one_address_may_send_so_many_an_hour(client, report, settings):
    settings.ENQUIRY_LIMIT = 2
    for _ in range(2):
        assert client.post(FORM, the_form(client)).status_code == 302
    refused = client.post(FORM, the_form(client))
    assert refused.status_code == 429
    assert "most enquiries we take from one address" in refused.content.decode()
    assert Enquiry.objects.count() == 2
    # Another address is not held back.
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert other.post(FORM, the_form(other)).status_code == 302


def test_a_bot_that_fills_the_honeypot_is_thanked_and_dropped(client, report):
    response = client.post(FORM, {**the_form(client), "website": "https://spam.example"})
    assert response.status_code == 302 and response["Location"].endswith("/sent/")
    assert Enquiry.objects.count() == 0 and not mail.outbox


def test_an_smtp_outage_loses_no_enquiry(client, report, settings, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    assert client.post(FORM, the_form(client)).status_code == 302
    assert Enquiry.objects.count() == 1
    assert "could not be sent" in caplog.text


def enquiry(report, days_ago=0, **fields):
    return Enquiry.objects.create(
        report=report, name="N", email="n@example.org", organisation="O", consent=True,
        message=fields.pop("message", "m"), received_at=timezone.now() - timedelta(days=days_ago),
        **fields,
    )  # fmt: skip


def test_the_inbox_is_for_editors_only(client, report):
    enquiry(report, message="Pricing for the full report?")
    url = admin_url(Enquiry, "changelist")
    assert client.get(url).status_code == 302  # to the login page
    staff = User.objects.create_user("sam", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get(url).status_code == 403
    assert "Enquiries" not in client.get("/admin/").content.decode()
    client.force_login(EditorFactory())
    page = client.get(f"{url}?q=pricing&status__exact=new&report__id__exact={report.pk}")
    assert list(page.context["cl"].result_list) == list(Enquiry.objects.all())
    for query in ("q=refund", "status__exact=spam"):
        assert client.get(f"{url}?{query}").context["cl"].result_count == 0, query
    assert client.get(admin_url(Enquiry, "add")).status_code == 403


def test_the_export_names_each_enquiry_and_runs_no_formula(client, report):
    enquiry(report, message='=HYPERLINK("http://evil.example","x")')
    client.force_login(EditorFactory())
    chosen = [e.pk for e in Enquiry.objects.all()]
    response = client.post(
        admin_url(Enquiry, "changelist"), {"action": "export_csv", "_selected_action": chosen}
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["message"] == '\'=HYPERLINK("http://evil.example","x")'
    assert rows[0]["report"] == report.title and rows[0]["status"] == "new"


def test_the_purge_removes_exactly_the_expired_enquiries(report, settings):
    settings.ENQUIRY_RETENTION_DAYS = 30
    kept = [enquiry(report, 0), enquiry(report, 29), enquiry(report, 29.9)]
    enquiry(report, 30.01)
    enquiry(report, 400, status=Enquiry.Status.ANSWERED)
    out = io.StringIO()
    call_command("purge_enquiries", stdout=out)
    assert set(Enquiry.objects.all()) == set(kept)
    assert "Deleted 2 enquiries" in out.getvalue()
    call_command("purge_enquiries", "--days", "1", stdout=io.StringIO())
    assert list(Enquiry.objects.all()) == [kept[0]]
