"""The publish gate: a report whose numbers contradict each other cannot be
public, whichever way the contradiction arrives (admin page, figure form, API)."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from faq.models import Question
from gtmp_site.core import gate
from gtmp_site.core.gate import PublishRefused
from gtmp_site.core.models import ContentModel
from market.models import MarketFigure, Report, ReportSection, Segment
from tests.admin_forms import admin_post_data, admin_url, csv_file, rendered_forms
from tests.factories import EditorFactory, MarketFigureFactory, ReportFactory, SegmentFactory
from therapies.models import Therapy

pytestmark = pytest.mark.django_db
GATE = "A published or scheduled report cannot have contradicting numbers"


def report_with_total(status):
    report = ReportFactory(status=status, base_year=2022, forecast_start_year=2024)
    MarketFigureFactory(report=report, year=2022, value="4.00")
    segment = SegmentFactory(report=report, name="Monogenic", slug="monogenic")
    return report, segment


def add_figure_url():
    return reverse("admin:market_marketfigure_add")


def new_figure_form(editor, report, segment, value):
    form = admin_post_data(editor.get(add_figure_url()))
    form.update(report=report.pk, segment=segment.pk, year="2022", value=value, kind="estimate")
    form.update(source="Test publisher")
    return form


def test_a_segment_larger_than_the_market_is_refused_in_a_published_report(editor):
    report, segment = report_with_total(Report.Status.PUBLISHED)
    response = editor.post(add_figure_url(), new_figure_form(editor, report, segment, "9.99"))
    html = response.content.decode()
    assert response.status_code == 200
    assert GATE in html and "add up to 9.99" in html
    assert not MarketFigure.objects.filter(segment=segment).exists()


def test_a_draft_may_hold_the_contradiction_and_the_editor_is_told(editor):
    report, segment = report_with_total(Report.Status.DRAFT)
    form = new_figure_form(editor, report, segment, "9.99")
    response = editor.post(add_figure_url(), form, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any("add up to 9.99, more than the whole market's 4.00" in m for m in messages), messages

    # Publishing it from the report page is refused, with the list of errors.
    url = reverse("admin:market_report_change", args=[report.pk])
    page = admin_post_data(editor.get(url))
    page["status"] = "published"
    response = editor.post(url, page)
    assert GATE in response.content.decode()
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT

    # Fixing the figure on its own page lets the report through.
    figure = MarketFigure.objects.get(segment=segment)
    figure_url = reverse("admin:market_marketfigure_change", args=[figure.pk])
    fixed = {**admin_post_data(editor.get(figure_url)), "value": "1.50"}
    assert editor.post(figure_url, fixed).status_code == 302
    assert (
        editor.post(url, admin_post_data(editor.get(url)) | {"status": "published"}).status_code
        == 302
    )
    report.refresh_from_db()
    assert report.status == Report.Status.PUBLISHED


def test_the_api_refuses_the_same_contradiction():
    report, segment = report_with_total(Report.Status.PUBLISHED)
    api = APIClient()
    api.force_authenticate(EditorFactory())
    body = {"report": report.slug, "segment": "monogenic", "year": 2022, "value": "9.99",
            "kind": "estimate", "source": "Test publisher"}  # fmt: skip
    response = api.post("/api/v1/figures/", body, format="json")
    assert response.status_code == 400
    assert GATE in str(response.json())

    draft, segment = report_with_total(Report.Status.DRAFT)
    MarketFigureFactory(report=draft, segment=segment, year=2022, value="9.99")
    detail = f"/api/v1/reports/{draft.slug}/"
    etag = api.get(detail)["ETag"]
    response = api.patch(detail, {"status": "published"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 400
    assert GATE in str(response.json())


def test_deleting_a_figure_the_published_prose_needs_is_refused(editor, report):
    from rest_framework.test import APIClient

    from tests.admin_forms import rendered_form

    figure = MarketFigure.objects.get(year=2030, segment=None)
    delete_url = reverse("admin:market_marketfigure_delete", args=[figure.pk])
    response = editor.post(delete_url, rendered_form(editor.get(delete_url)), follow=True)
    assert "Not deleted" in response.content.decode()
    assert "“{{ size 2030 }}” cannot be filled" in response.content.decode()
    assert MarketFigure.objects.filter(pk=figure.pk).exists()

    api = APIClient()
    api.force_authenticate(EditorFactory())
    url = f"/api/v1/figures/{figure.pk}/"
    response = api.delete(url, HTTP_IF_MATCH=api.get(url)["ETag"])
    assert response.status_code == 400 and "cannot be filled" in str(response.json())
    assert MarketFigure.objects.filter(pk=figure.pk).exists()


def test_deleting_a_segment_that_the_published_prose_needs_is_refused(editor):
    from tests.admin_forms import rendered_form

    report, segment = report_with_total(Report.Status.PUBLISHED)
    MarketFigureFactory(report=report, segment=segment, year=2022, value="1.00")
    Report.objects.filter(pk=report.pk).update(summary="Monogenic: {{ size 2022 monogenic }}.")
    url = reverse("admin:market_segment_delete", args=[segment.pk])
    html = editor.post(url, rendered_form(editor.get(url)), follow=True).content.decode()
    assert "Not deleted" in html and "“{{ size 2022 monogenic }}” cannot be filled" in html
    assert report.segments.filter(pk=segment.pk).exists()


# Every path, one rule ------------------------------------------------------------
#
# The gate sits under every write (gtmp_site/core/gate.py). Each case makes a
# published report contradict itself by one path: the market is 4.00 in 2022 and
# Monogenic 1.00; afterwards Monogenic would be 9.99, more than the market, or the
# summary would need a figure that is gone. The report must come out as it went
# in (public, or the draft a publishing case starts from), its figures unchanged.


@pytest.fixture
def published():
    report, segment = report_with_total(Report.Status.PUBLISHED)
    MarketFigureFactory(report=report, segment=segment, year=2022, value="1.00")
    Report.objects.filter(pk=report.pk).update(summary="Monogenic: {{ size 2022 monogenic }}.")
    return Report.objects.get(pk=report.pk)


def segment_figure(report):
    return MarketFigure.objects.get(report=report, segment__isnull=False)


def save_a_larger_segment(report):
    figure = segment_figure(report)
    figure.value = "9.99"
    figure.save()


def create_a_larger_segment(report):
    with gate.guard():  # one step, as a form makes it: only its end is judged
        segment_figure(report).delete()
        MarketFigure.objects.create(report=report, segment=report.segments.get(), year=2022,
                                    value="9.99", kind="estimate", source="x")  # fmt: skip


def bulk_create_a_larger_segment(report):
    segment = report.segments.get()
    MarketFigure.objects.bulk_create([
        MarketFigure(report=report, segment=segment, year=2023, value="1", kind="estimate"),
        MarketFigure(report=report, year=2023, value="0.5", kind="estimate"),
    ])  # fmt: skip


def bulk_update_a_larger_segment(report):
    figure = segment_figure(report)
    figure.value = "9.99"
    MarketFigure.objects.bulk_update([figure], ["value"])


def update_a_larger_segment(report):
    MarketFigure.objects.filter(pk=segment_figure(report).pk).update(value="9.99")


def delete_the_figure_the_summary_needs(report):
    segment_figure(report).delete()


def delete_it_in_bulk(report):
    MarketFigure.objects.filter(segment__isnull=False).delete()


def delete_its_segment_with_it(report):
    report.segments.get().delete()  # the figure goes by cascade


def prose_that_cannot_be_filled(report):
    ReportSection.objects.create(report=report, kind="other", title="T", body="{{ size 1999 }}")


def contradicting_draft(report):
    """The report back to draft, where the contradiction may be (run before the case)."""
    Report.objects.filter(pk=report.pk).update(status=Report.Status.DRAFT)
    update_a_larger_segment(report)


def publish_a_contradicting_draft(report):
    draft = Report.objects.get(pk=report.pk)
    draft.status = Report.Status.PUBLISHED
    draft.save()


def publish_it_in_bulk(report):
    Report.objects.filter(pk=report.pk).update(status=Report.Status.PUBLISHED)


def schedule_a_contradicting_draft(report):
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.PUBLISHED, published_at=timezone.now() + timedelta(days=7)
    )


for publishing in (publish_a_contradicting_draft, publish_it_in_bulk,
                   schedule_a_contradicting_draft):  # fmt: skip
    publishing.prepare = contradicting_draft


ORM_WRITES = [
    save_a_larger_segment, create_a_larger_segment, bulk_create_a_larger_segment,
    bulk_update_a_larger_segment, update_a_larger_segment,
    delete_the_figure_the_summary_needs, delete_it_in_bulk, delete_its_segment_with_it,
    prose_that_cannot_be_filled, publish_a_contradicting_draft, publish_it_in_bulk,
    schedule_a_contradicting_draft,
]  # fmt: skip


def state_of(report):
    report = Report.objects.get(pk=report.pk)
    figures = sorted(MarketFigure.objects.filter(report=report).values_list("year", "value"))
    return report.status, report.is_public, report.publication_errors(), figures


@pytest.mark.parametrize("write", ORM_WRITES, ids=lambda w: w.__name__)
def test_no_write_through_the_orm_leaves_a_published_report_contradicting(published, write):
    getattr(write, "prepare", lambda report: None)(published)
    before = state_of(published)
    assert not before[2]
    with pytest.raises(PublishRefused, match=GATE):  # each write guards itself
        write(published)
    assert state_of(published) == before


def test_every_orm_write_passes_the_gate():
    """Every way the ORM writes rows of a content model is a case above: a write
    method of the queryset or model that the gate does not wrap would be a hole."""
    from gtmp_site.core.querysets import ContentQuerySet

    writes = {"update", "delete", "bulk_create", "bulk_update"}
    assert writes <= set(vars(ContentQuerySet)), "the gate must wrap every bulk write"
    assert {"save", "delete"} <= set(vars(ContentModel)), "and every save and delete"
    named = " ".join(w.__name__ for w in ORM_WRITES)
    for verb in ("save", "create", "bulk_create", "bulk_update", "update", "delete"):
        assert verb in named


def refused_and_unchanged(response, report, before):
    html = response.content.decode()
    assert response.status_code in (200, 302), response.status_code
    assert GATE in html or any(GATE in str(m) for m in response.context["messages"]), html[:500]
    assert "changed successfully" not in html and "was added successfully" not in html
    assert state_of(report) == before


def test_revert_to_a_published_version_is_refused_when_the_draft_contradicts(editor, published):
    """The probe's finding: History → Revert published a report with an error."""
    version = published.history.earliest("history_date").history_id
    url = reverse("admin:market_report_change", args=[published.pk])
    page = admin_post_data(editor.get(url))
    page["status"] = "draft"
    assert editor.post(url, page).status_code == 302
    update_a_larger_segment(published)
    before = state_of(published)

    revert = reverse("admin:market_report_simple_history", args=[published.pk, version])
    form = admin_post_data(editor.get(revert))
    assert form["status"] == "published"
    refused_and_unchanged(editor.post(revert, form, follow=True), published, before)


def test_recovering_a_deleted_figure_that_contradicts_is_refused(editor, published):
    figure = segment_figure(published)
    figure.value = "0.50"
    figure.save()
    larger = MarketFigure.objects.create(report=published, segment=figure.segment, year=2023,
                                         value="0.50", kind="estimate", source="x")  # fmt: skip
    MarketFigure.objects.filter(pk=larger.pk).delete()
    MarketFigureFactory(report=published, year=2023, value="0.10")
    record = MarketFigure.history.filter(id=larger.pk, history_type="+").get()
    before = state_of(published)

    url = reverse("admin:market_marketfigure_simple_history", args=[larger.pk, record.history_id])
    response = editor.post(url, admin_post_data(editor.get(url)), follow=True)
    refused_and_unchanged(response, published, before)


def test_an_import_that_contradicts_changes_nothing(editor, published):
    figure = segment_figure(published)
    upload = csv_file([
        ["report", "segment", "year", "value", "kind", "source", "source_url", "note", "version"],
        [published.slug, "monogenic", "2022", "9.99", "estimate", "P", "", "", figure.version],
    ])  # fmt: skip
    before = state_of(published)
    response = editor.post(admin_url(MarketFigure, "import"), {"import_file": upload, "format": 0})
    assert "confirm_form" not in response.context
    assert "Traceback" not in response.content.decode()  # the error in words only
    refused_and_unchanged(response, published, before)


def test_deleting_in_bulk_from_the_list_is_refused(editor, published):
    figure = segment_figure(published)
    url = admin_url(MarketFigure, "changelist")
    chosen = {"action": "delete_selected", "_selected_action": [figure.pk]}
    editor.post(url, chosen)  # the confirmation page
    before = state_of(published)
    response = editor.post(url, {**chosen, "post": "yes"}, follow=True)
    assert "cannot be filled" in response.content.decode()
    assert state_of(published) == before


def test_the_api_refuses_every_write_that_contradicts(published):
    api = APIClient()
    api.force_authenticate(EditorFactory())
    figure = segment_figure(published)
    url = f"/api/v1/figures/{figure.pk}/"
    before = state_of(published)
    for method, body in [("patch", {"value": "9.99"}), ("delete", None)]:
        response = getattr(api, method)(url, body, format="json", HTTP_IF_MATCH="*")
        assert response.status_code == 400, method
        assert "more than the whole market" in str(response.json()) or "cannot be filled" in str(
            response.json()
        )
        assert state_of(published) == before


def test_the_loader_refuses_content_that_contradicts(tmp_path, monkeypatch, db):
    from django.core.management import call_command

    from gtmp_site.management.commands import load_report_content

    source = load_report_content.CONTENT_DIR
    text = (source / "us_gtmp_market.toml").read_text()
    assert "{{ size 2030 }}" in text
    (tmp_path / "report.toml").write_text(text.replace("{{ size 2030 }}", "{{ size 2030 nil }}"))
    for name in ("us_gtmp_therapies.csv", "us_gtmp_estimates.csv"):
        (tmp_path / name).write_bytes((source / name).read_bytes())
    monkeypatch.setattr(load_report_content, "CONTENT_DIR", tmp_path)
    with pytest.raises(PublishRefused, match=GATE):
        call_command("load_report_content")
    assert not Report.objects.exists()


def test_confirming_an_import_after_a_colleague_made_it_contradict_changes_nothing(
    editor, published
):
    figure = segment_figure(published)
    upload = csv_file([
        ["report", "segment", "year", "value", "kind", "source", "source_url", "note", "version"],
        [published.slug, "monogenic", "2022", "3.00", "estimate", "P", "", "", figure.version],
    ])  # fmt: skip
    response = editor.post(admin_url(MarketFigure, "import"), {"import_file": upload, "format": 0})
    confirm = response.context["confirm_form"]
    total = total_for(published)
    total.value = "2.00"  # a colleague, meanwhile: still consistent with Monogenic's 1.00
    total.save()
    before = state_of(published)
    data = {name: confirm[name].value() for name in confirm.fields}
    response = editor.post(admin_url(MarketFigure, "process_import"), data, follow=True)
    html = response.content.decode()
    assert "Nothing was imported: A published or scheduled report" in html
    assert "more than the whole market" in html
    assert state_of(published) == before


def total_for(report):
    return MarketFigure.objects.get(report=report, segment=None)


def test_publishing_a_submission_a_colleague_has_since_made_contradict_is_refused(editor):
    from django.test import Client

    from gtmp_site.core.editors import ensure_publishers_group

    report, segment = report_with_total(Report.Status.DRAFT)
    url = admin_url(Report, "editions", report.pk)
    submit = rendered_forms(editor.get(url), "submit")
    submit.update({"submit-note": "Ready.", "submit-reviewed_on": "2026-11-30"})
    assert editor.post(url, submit).status_code == 302
    MarketFigureFactory(report=report, segment=segment, year=2022, value="9.99")  # a draft may

    publisher = EditorFactory(username="pia")
    publisher.groups.add(ensure_publishers_group())
    client = Client()
    client.force_login(publisher)
    response = client.post(url, rendered_forms(client.get(url), "publish"), follow=True)
    assert "An edition cannot be published with contradicting numbers" in response.content.decode()
    assert "add up to 9.99" in response.content.decode()
    assert not report.editions.exists()
    assert report.submissions.get().state == "pending"


# Each admin page that writes, by the end of its URL name, and the test above that
# sends a contradiction through it. A new page that writes (a publish button, say)
# fails the walk below until it has its own case.
ADMIN_WRITES = {
    "add": [test_a_segment_larger_than_the_market_is_refused_in_a_published_report],
    "change": [test_a_draft_may_hold_the_contradiction_and_the_editor_is_told],
    "delete": [test_deleting_a_figure_the_published_prose_needs_is_refused],
    "changelist": [test_deleting_in_bulk_from_the_list_is_refused],
    "simple_history": [
        test_revert_to_a_published_version_is_refused_when_the_draft_contradicts,
        test_recovering_a_deleted_figure_that_contradicts_is_refused,
    ],
    "import": [test_an_import_that_contradicts_changes_nothing],
    "process_import": [
        test_confirming_an_import_after_a_colleague_made_it_contradict_changes_nothing
    ],
    "editions": [test_publishing_a_submission_a_colleague_has_since_made_contradict_is_refused],
}
# editing notes who has a page open; prose checks a text typed, without saving it.
ADMIN_READS = {"history", "recover", "export", "editing", "prose"}


def test_every_admin_page_of_a_report_s_content_is_a_case_above():
    from django.contrib import admin

    content = [m for m in apps.get_models() if issubclass(m, ContentModel)]
    decides, grown = {Report}, True
    while grown:  # the models whose foreign keys lead up to a report
        below = {m for m in content if {f.related_model for f in m.parent_fields()} & decides}
        grown = not below <= decides
        decides |= below
    seen = set()
    for model in decides & set(admin.site._registry):
        opts = model._meta
        prefix = f"{opts.app_label}_{opts.model_name}_"
        for url in admin.site._registry[model].get_urls():
            if url.name:
                seen.add(url.name.removeprefix(prefix))
    assert seen == set(ADMIN_WRITES) | ADMIN_READS, "name the new page's case in ADMIN_WRITES"
    assert {Segment, MarketFigure, ReportSection, Therapy, Question} <= decides
