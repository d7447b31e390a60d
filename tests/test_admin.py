"""Editors work in the admin: every page answers, bad values get a message, never a 500."""

from io import StringIO

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils.text import capfirst

from companies.models import Company, CompanyEvent, ReportCompany
from faq.models import Question
from market.models import MarketFigure, Region, Report, ReportSection, Segment
from tests.admin_forms import admin_post_data, admin_url
from tests.factories import (
    CompanyFactory,
    EditorFactory,
    MarketFigureFactory,
    QuestionFactory,
    ReportCompanyFactory,
    ReportFactory,
    ReportSectionFactory,
    SegmentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CONTENT_MODELS = {
    Report: ReportFactory,
    Segment: SegmentFactory,
    MarketFigure: MarketFigureFactory,
    ReportSection: ReportSectionFactory,
    Company: CompanyFactory,
    Question: QuestionFactory,
    Region: lambda: ReportFactory().region,
    ReportCompany: ReportCompanyFactory,
}


@pytest.fixture
def editor_client(client):
    client.force_login(EditorFactory())
    return client


@pytest.mark.parametrize("model", CONTENT_MODELS, ids=lambda m: m.__name__)
def test_editor_opens_changelist_add_change_and_history_pages(editor_client, model):
    obj = CONTENT_MODELS[model]()
    for url in [
        admin_url(model, "changelist"),
        admin_url(model, "changelist") + "?q=gene",
        admin_url(model, "add"),
        admin_url(model, "change", obj.pk),
        admin_url(model, "history", obj.pk),
        admin_url(model, "recover"),
    ]:
        assert editor_client.get(url).status_code == 200, url


@pytest.mark.parametrize("model", CONTENT_MODELS, ids=lambda m: m.__name__)
def test_visitor_is_sent_to_the_login_page(client, model):
    response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_logged_in_user_without_staff_status_cannot_enter(client):
    client.force_login(UserFactory())
    response = client.get(admin_url(Report, "changelist"))
    assert response.status_code == 302


@pytest.mark.parametrize("name", ["auth_user_changelist", "auth_group_changelist"])
def test_editor_cannot_manage_users_or_groups(editor_client, name):
    assert editor_client.get(reverse(f"admin:{name}")).status_code == 403


def test_editors_group_has_content_permissions_only():
    group = EditorFactory().groups.get()
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"add_report", "change_marketfigure", "delete_company", "view_question"} <= codenames
    assert not {p for p in codenames if p.endswith(("_user", "_group", "_permission"))}
    assert Group.objects.filter(name="Editors").count() == 1


def test_the_report_desk_links_each_part_to_its_own_list_with_its_count(editor_client):
    """The report's page edits none of its rows: each kind (segments, figures, ...,
    and the kinds other apps add) has its own list, linked with its count."""
    report = ReportFactory()
    SegmentFactory.create_batch(3, report=report)
    response = editor_client.get(admin_url(Report, "change", report.pk))
    assert response.context["inline_admin_formsets"] == []
    html = response.content.decode()
    parts = admin.site.get_model_admin(Report).parts
    assert {Segment, MarketFigure, ReportSection, Question, ReportCompany} <= set(parts)
    for model in parts:
        listing = admin_url(model, "changelist") + f"?report={report.pk}"
        count = model._default_manager.filter(report=report).count()
        assert (
            f'href="{listing}">{capfirst(model._meta.verbose_name_plural)}</a></th>'
            f'<td class="num">{count}</td>' in html
        )
        assert editor_client.get(listing).context["cl"].result_count == count
    assert "No edition published yet." in html


@pytest.fixture
def report_with_figure():
    report = ReportFactory()
    MarketFigureFactory(report=report, year=2022)
    return report


def post_report(editor_client, report, **changes):
    url = admin_url(Report, "change", report.pk)
    data = admin_post_data(editor_client.get(url))
    data.update(changes)
    return editor_client.post(url, data)


def test_report_saves_unchanged_from_its_own_form(editor_client, report_with_figure):
    response = post_report(editor_client, report_with_figure, title="Renamed report")
    assert response.status_code == 302
    report_with_figure.refresh_from_db()
    assert report_with_figure.title == "Renamed report"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"forecast_start_year": "2031"}, "The forecast period ends before it starts"),
        ({"stated_cagr": "999"}, "less than or equal to 200"),
        ({"stated_cagr": "abc"}, "Enter a number."),
        ({"base_year": "99999"}, "less than or equal to 2100"),
        ({"slug": "not a slug!"}, "Enter a valid"),
    ],
)
def test_bad_values_in_the_report_form_get_a_message(
    editor_client, report_with_figure, changes, message
):
    response = post_report(editor_client, report_with_figure, **changes)
    assert response.status_code == 200
    assert message in response.content.decode()
    report_with_figure.refresh_from_db()
    assert report_with_figure.forecast_start_year == 2024


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"value": "-1"}, "greater than or equal to 0"),
        ({"value": "1e400"}, "no more than 14 digits"),
        ({"year": "1850"}, "greater than or equal to 1990"),
    ],
)
def test_bad_values_in_a_figure_s_own_form_get_a_message(
    editor_client, report_with_figure, changes, message
):
    figure = report_with_figure.figures.get()
    url = admin_url(MarketFigure, "change", figure.pk)
    data = {**admin_post_data(editor_client.get(url)), **changes}
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert MarketFigure.objects.get(pk=figure.pk).value == figure.value


def post_new_figure(editor_client, **fields):
    data = {"year": "2025", "value": "5", "kind": "estimate", "source": "Publisher", **fields}
    response = editor_client.post(admin_url(MarketFigure, "add"), data)
    assert response.status_code == 200
    return response.content.decode()


def test_figure_duplicating_a_saved_year_is_refused_in_its_own_form(editor_client):
    figure = MarketFigureFactory()
    html = post_new_figure(editor_client, report=figure.report.pk, year=figure.year)
    assert "The whole market already has a figure for this year." in html


def test_figure_with_a_segment_of_another_report_is_refused(editor_client):
    html = post_new_figure(editor_client, report=ReportFactory().pk, segment=SegmentFactory().pk)
    assert "belongs to another report" in html


def test_company_acquired_without_acquirer_gets_a_message(editor_client):
    response = editor_client.post(
        admin_url(Company, "add"), {"name": "Spark", "slug": "spark", "status": "acquired"}
    )
    assert response.status_code == 200
    assert "Name the successor or acquirer" in response.content.decode()
    assert not Company.objects.filter(slug="spark").exists()


def test_create_editor_command_makes_an_account_that_can_edit(client, monkeypatch):
    from django.core.management import call_command

    monkeypatch.setenv("DJANGO_EDITOR_PASSWORD", "a long editor passphrase")
    call_command("create_editor", "alice", stdout=StringIO())
    login = {"username": "alice", "password": "a long editor passphrase"}
    assert client.post(reverse("admin:login"), login).status_code == 302
    assert client.get(admin_url(Report, "add")).status_code == 200
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_create_editor_refuses_a_weak_password(monkeypatch):
    from django.core.management import CommandError, call_command

    monkeypatch.setenv("DJANGO_EDITOR_PASSWORD", "123")
    with pytest.raises(CommandError, match="too short"):
        call_command("create_editor", "bob")


def test_saving_the_form_unchanged_keeps_the_publication_date(editor_client, report_with_figure):
    before = report_with_figure.published_at
    assert post_report(editor_client, report_with_figure).status_code == 302
    report_with_figure.refresh_from_db()
    assert report_with_figure.published_at.replace(microsecond=0) == before.replace(microsecond=0)


def seed_like_report():
    report = ReportFactory()
    MarketFigureFactory(report=report, year=2022, value="4.00")
    MarketFigureFactory(report=report, year=2030, value="14.40", kind="forecast")
    return report


def test_report_change_page_shows_the_implied_cagr_and_checks(editor_client):
    report = seed_like_report()
    html = editor_client.get(admin_url(Report, "change", report.pk)).content.decode()
    assert (
        "Implied CAGR over 2022–2030: <strong>17.36 %</strong> (stated: 17.50 % over 2024–2030)"
        in html
    )
    assert "The stated CAGR of 17.50 % for 2024–2030 differs from the 17.36 %" in html


def test_saving_a_wrong_figure_on_its_own_page_warns_the_editor(editor_client):
    report = seed_like_report()
    figure = report.figures.get(year=2030)
    url = admin_url(MarketFigure, "change", figure.pk)
    data = {**admin_post_data(editor_client.get(url)), "value": "40.00"}
    response = editor_client.post(url, data, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any("more than the 0.25 points that different periods" in m for m in messages)
    desk = editor_client.get(admin_url(Report, "change", report.pk)).content.decode()
    assert "check-warning" in desk


@pytest.mark.django_db
@pytest.mark.parametrize(
    "tail", ["9/change/history/", "x/history/", "1/history/abc/", "99999999999999999999/history/"]
)
def test_a_malformed_history_address_is_a_404_not_a_500(editor_client, tail):
    assert editor_client.get(f"/admin/faq/question/{tail}").status_code == 404


def test_no_change_page_sends_more_fields_than_one_save_takes(editor_client, settings):
    """A company with more history rows than fit in one save: the page leaves them
    out and links to their list, and the page as rendered saves."""
    from tests.admin_forms import rendered_form

    company = CompanyFactory()
    CompanyEvent.objects.bulk_create(
        CompanyEvent(company=company, year=1900 + n, kind="other", summary="A step.",
                     source_url="https://example.com/") for n in range(150)
    )  # fmt: skip
    url = admin_url(Company, "change", company.pk)
    page = editor_client.get(url)
    html = page.content.decode()
    fields = rendered_form(page, "company_form")
    assert sum(map(len, fields.values())) <= settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    assert "The 150 history events are too many to edit on this page" in html
    fields["name"] = "Renamed"
    assert editor_client.post(url, fields).status_code == 302
    assert Company.objects.get(pk=company.pk).name == "Renamed"


def test_a_form_over_the_field_limit_gets_a_plain_page_not_a_bare_400(editor_client, settings):
    report = ReportFactory()
    url = admin_url(Report, "change", report.pk)
    many = {f"field-{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = editor_client.post(url, many)
    assert response.status_code == 400
    html = response.content.decode()
    assert "<h1>Too many fields</h1>" in html and "the page still holds what you typed" in html
    assert "js/form_limit." in editor_client.get(url).content.decode()  # says so before sending
