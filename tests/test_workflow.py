"""Editorial workflow: drafts and publishing, preview, history and rollback,
recovery of deleted objects, spreadsheet import and export, the audit trail."""

import csv
import datetime
import io
import zipfile
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from companies.models import Company
from market.models import AuditEvent, MarketFigure, Report
from tests.admin_forms import admin_post_data, admin_url, csv_file, rendered_form
from tests.factories import (
    CompanyFactory,
    MarketFigureFactory,
    ReportFactory,
    SegmentFactory,
    publish,
)

pytestmark = pytest.mark.django_db


# Drafts, scheduling, preview ---------------------------------------------------------


def test_a_draft_is_invisible_to_the_public_everywhere(client):
    draft = ReportFactory(draft=True, title="Secret draft")
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert "Secret draft" not in client.get("/").content.decode()
    assert draft.get_absolute_url() not in client.get("/sitemap.xml").content.decode()
    assert client.get(f"/api/v1/reports/{draft.slug}/").status_code == 404


def test_staff_preview_a_draft_marked_as_preview_and_never_cached(editor):
    draft = ReportFactory(draft=True, title="Secret draft")
    response = editor.get(draft.get_preview_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Preview, not public" in html and "Secret draft" in html
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"


def test_visitors_and_non_staff_cannot_preview(client, django_user_model):
    draft = ReportFactory(draft=True)
    response = client.get(draft.get_preview_url())
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_admin_links_a_draft_to_its_preview_and_a_public_report_to_its_page(editor):
    draft, public = ReportFactory(draft=True), ReportFactory()
    assert (
        draft.get_preview_url().encode()
        in editor.get(admin_url(Report, "change", draft.pk)).content
    )
    assert (
        public.get_absolute_url().encode()
        in editor.get(admin_url(Report, "change", public.pk)).content
    )


def test_a_scheduled_report_appears_once_its_date_passes(client):
    report = ReportFactory(published_at=timezone.now() + timezone.timedelta(seconds=1))
    publish(report)
    assert client.get(report.get_absolute_url()).status_code == 404
    with time_machine.travel(report.published_at + timezone.timedelta(seconds=1)):
        assert client.get(report.get_absolute_url()).status_code == 200


def test_unpublishing_hides_the_report_again(editor, client):
    report = ReportFactory()
    publish(report)
    assert client.get(report.get_absolute_url()).status_code == 200
    url = admin_url(Report, "change", report.pk)
    form = admin_post_data(editor.get(url))
    form["status"] = "draft"
    assert editor.post(url, form).status_code == 302
    client.logout()
    assert client.get(report.get_absolute_url()).status_code == 404


# History, rollback, recovery -------------------------------------------------------------


def test_history_shows_who_changed_what(editor):
    report = ReportFactory(summary="First summary.")
    url = admin_url(Report, "change", report.pk)
    form = admin_post_data(editor.get(url))
    form["summary"] = "Second summary."
    editor.post(url, form)
    html = editor.get(admin_url(Report, "history", report.pk)).content.decode()
    assert "erin" in html
    assert "First summary." in html and "Second summary." in html  # the diff


def test_rollback_restores_an_earlier_version_with_its_prose(editor):
    report = ReportFactory(summary="The original prose.")
    first = report.history.earliest()
    url = admin_url(Report, "change", report.pk)
    form = admin_post_data(editor.get(url))
    form["summary"] = "A regrettable rewrite."
    editor.post(url, form)

    revert_url = admin_url(Report, "simple_history", report.pk, first.history_id)
    response = editor.post(revert_url, admin_post_data(editor.get(revert_url)))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.summary == "The original prose."
    assert report.history.count() == 3


def test_a_deleted_company_can_be_recovered(editor):
    company = CompanyFactory(name="Gone Therapeutics", headquarters="Boston, MA")
    delete_url = admin_url(Company, "delete", company.pk)
    assert editor.post(delete_url, rendered_form(editor.get(delete_url))).status_code == 302
    assert not Company.objects.filter(pk=company.pk).exists()

    listing = editor.get(admin_url(Company, "recover")).content.decode()
    assert "Gone Therapeutics" in listing
    deleted = Company.history.get(history_type="-")
    restore_url = admin_url(Company, "simple_history", company.pk, deleted.history_id)
    assert restore_url in listing
    assert editor.post(restore_url, admin_post_data(editor.get(restore_url))).status_code == 302
    restored = Company.objects.get(pk=company.pk)
    assert (restored.name, restored.headquarters) == ("Gone Therapeutics", "Boston, MA")
    assert editor.get(admin_url(Company, "recover")).context["deleted"] == []


def test_changelist_links_to_recovery(editor):
    html = editor.get(admin_url(Company, "changelist")).content.decode()
    assert admin_url(Company, "recover") in html


# Import and export ---------------------------------------------------------------------------


HEADER = ["report", "segment", "year", "value", "kind", "source", "source_url", "note", "version"]


@pytest.fixture
def report_with_segment():
    report = ReportFactory(slug="us-gtmp")
    SegmentFactory(report=report, slug="cancer")
    MarketFigureFactory(report=report, year=2022, value=Decimal("4.00"))
    return report


def dry_run(editor, model, upload, fmt=0):
    return editor.post(admin_url(model, "import"), {"import_file": upload, "format": fmt})


def test_import_dry_run_previews_new_changed_and_rejected_rows(editor, report_with_segment):
    upload = csv_file(
        [
            HEADER,
            ["us-gtmp", "", "2022", "4.10", "estimate", "Publisher", "", "", "1"],
            ["us-gtmp", "cancer", "2024", "1.20", "estimate", "Publisher", "", "", ""],
        ]
    )
    response = dry_run(editor, MarketFigure, upload)
    result = response.context["result"]
    assert result.totals["update"] == 1 and result.totals["new"] == 1
    assert "confirm_form" in response.context
    assert MarketFigure.objects.count() == 1  # a dry run changes nothing

    confirm = response.context["confirm_form"]
    data = {name: confirm[name].value() for name in confirm.fields}
    done = editor.post(admin_url(MarketFigure, "process_import"), data)
    assert done.status_code == 302
    assert MarketFigure.objects.get(year=2022, segment=None).value == Decimal("4.100")
    assert MarketFigure.objects.get(year=2024).segment.slug == "cancer"
    event = AuditEvent.objects.get(action="imported")
    assert event.user.username == "erin" and "1 new" in event.detail and "1 update" in event.detail


def import_figures(editor, rows):
    response = dry_run(editor, MarketFigure, csv_file(rows))
    confirm = response.context["confirm_form"]
    data = {name: confirm[name].value() for name in confirm.fields}
    assert editor.post(admin_url(MarketFigure, "process_import"), data).status_code == 302


def test_an_import_sets_the_checked_on_date_it_carries_and_keeps_one_it_omits(
    editor, report_with_segment
):
    figure = MarketFigure.objects.get(year=2022)
    figure.checked_on = datetime.date(2026, 6, 1)
    figure.save()
    row = ["us-gtmp", "", "2022", "4.10", "estimate", "P", "", ""]
    import_figures(editor, [HEADER, [*row, str(figure.version)]])
    figure.refresh_from_db()
    assert figure.checked_on == datetime.date(2026, 6, 1)
    header = [*HEADER[:-1], "checked_on", "version"]
    import_figures(editor, [header, [*row, "2026-12-01", str(figure.version)]])
    assert MarketFigure.objects.get(year=2022).checked_on == datetime.date(2026, 12, 1)


def test_an_import_with_one_bad_row_changes_nothing_and_names_the_row(editor, report_with_segment):
    upload = csv_file(
        [
            HEADER,
            ["us-gtmp", "", "2023", "5.00", "forecast", "Publisher", "", "", ""],
            ["us-gtmp", "", "2024", "-1", "forecast", "Publisher", "", "", ""],
        ]
    )
    response = dry_run(editor, MarketFigure, upload)
    result = response.context["result"]
    assert result.has_validation_errors()
    assert "confirm_form" not in response.context
    (invalid,) = result.invalid_rows
    assert invalid.number == 2
    assert "greater than or equal to 0" in str(invalid.error_dict)
    assert "greater than or equal to 0" in response.content.decode()
    assert MarketFigure.objects.count() == 1
    assert not AuditEvent.objects.filter(action="imported").exists()


def test_export_import_round_trip_reproduces_the_figures(editor, report_with_segment):
    MarketFigureFactory(
        report=report_with_segment,
        segment=report_with_segment.segments.get(),
        year=2030,
        value=Decimal("5.125"),
        kind="forecast",
    )

    def figures():
        rows = MarketFigure.objects.values_list("segment__slug", "year", "value", "kind")
        return sorted((slug or "", year, value, kind) for slug, year, value, kind in rows)

    before = figures()
    response = editor.post(
        admin_url(MarketFigure, "export"),
        {"format": "1", **{f"marketfigureresource_{f}": "on" for f in HEADER}},
    )
    assert response.status_code == 200, response.content[:500]
    workbook = load_workbook(io.BytesIO(response.content))
    rows = list(workbook.active.values)
    assert rows[0][:3] == ("report", "segment", "year")

    MarketFigure.objects.all().delete()
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("figures.xlsx", buffer.getvalue())
    response = dry_run(editor, MarketFigure, upload, fmt=1)
    confirm = response.context["confirm_form"]
    editor.post(
        admin_url(MarketFigure, "process_import"),
        {name: confirm[name].value() for name in confirm.fields},
    )
    assert figures() == before


def test_export_follows_the_changelist_filter(editor, report_with_segment):
    MarketFigureFactory(report=report_with_segment, year=2030, kind="forecast")
    url = admin_url(MarketFigure, "export") + "?kind__exact=forecast"
    response = editor.post(
        url, {"format": "0", **{f"marketfigureresource_{f}": "on" for f in HEADER}}
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["year"] for row in rows] == ["2030"]


def test_bad_cells_are_named_with_line_column_value_and_what_is_accepted(
    editor, report_with_segment
):
    upload = csv_file(
        [
            HEADER,
            ["us-gtmp", "cancr", "2023", "abc", "guess", "Publisher", "", "", ""],
            ["us-gtmp", "", "20x4", "sNaN", "forecast", "Publisher", "", "", ""],
        ]
    )
    html = dry_run(editor, MarketFigure, upload).content.decode()
    assert "File line 2: Column “segment” has “cancr”, but accepted are: cancer (or empty)" in html
    assert "column “value” has “abc”, but a number is needed, such as 14.40" in html
    assert "column “kind” has “guess”, but accepted are: actual, estimate, forecast" in html
    assert "File line 3: Column “year” has “20x4”, but a whole number is needed" in html
    assert "column “value” has “sNaN”" in html
    assert "ConversionSyntax" not in html and "matching query" not in html
    assert MarketFigure.objects.count() == 1


def test_an_import_does_not_overwrite_a_change_made_since_the_export(editor, report_with_segment):
    exported = editor.post(
        admin_url(MarketFigure, "export"),
        {"format": "0", **{f"marketfigureresource_{f}": "on" for f in HEADER}},
    )
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    figure = MarketFigure.objects.get()
    form = admin_post_data(editor.get(admin_url(MarketFigure, "change", figure.pk)))
    form["value"] = "4.50"  # a colleague's change after the export
    editor.post(admin_url(MarketFigure, "change", figure.pk), form)

    rows[1][rows[0].index("note")] = "edited offline"
    response = dry_run(editor, MarketFigure, csv_file(rows))
    html = response.content.decode()
    assert "changed by erin" in html and "after this file was exported" in html
    assert "confirm_form" not in response.context

    del rows[1][rows[0].index("version")], rows[0][rows[0].index("version")]
    html = dry_run(editor, MarketFigure, csv_file(rows)).content.decode()
    assert "the file has no “version” column" in html
    assert MarketFigure.objects.get().value == Decimal("4.500")


def test_companies_import_by_slug(editor):
    CompanyFactory(slug="spark", name="Spark")
    upload = csv_file(
        [
            ["slug", "name", "status", "successor", "status_year", "version"],
            ["spark", "Spark Therapeutics", "acquired", "Roche", "2019", "1"],
            ["newco", "NewCo", "active", "", "", ""],
        ],
        name="companies.csv",
    )
    response = dry_run(editor, Company, upload)
    confirm = response.context["confirm_form"]
    editor.post(
        admin_url(Company, "process_import"),
        {name: confirm[name].value() for name in confirm.fields},
    )
    assert Company.objects.get(slug="spark").status_summary == "Acquired by Roche, 2019"
    assert Company.objects.filter(slug="newco").exists()


# Audit trail ----------------------------------------------------------------------------------


def test_publishing_and_unpublishing_are_in_the_audit_trail(editor):
    report = ReportFactory(draft=True, title="Trail report")
    url = admin_url(Report, "change", report.pk)
    for status in ("published", "draft"):
        form = admin_post_data(editor.get(url))
        form["status"] = status
        assert editor.post(url, form).status_code == 302
    events = list(AuditEvent.objects.order_by("pk").values_list("action", "user__username"))
    assert events == [("published", "erin"), ("unpublished", "erin")]
    html = editor.get(admin_url(AuditEvent, "changelist")).content.decode()
    assert "Trail report" in html
    assert editor.get(admin_url(AuditEvent, "add")).status_code == 403


def test_loaded_figures_have_a_first_version_that_can_be_restored(editor, report):

    figure = MarketFigure.objects.get(year=2030, segment=None)
    first = figure.history.get()
    assert first.history_user is None and first.history_change_reason.startswith("Loaded")

    url = admin_url(MarketFigure, "change", figure.pk)
    form = admin_post_data(editor.get(url))
    form["value"] = "15.00"
    assert editor.post(url, form).status_code == 302

    history = editor.get(admin_url(MarketFigure, "history", figure.pk)).content.decode()
    assert "14.400" in history and "15.000" in history  # old → new
    revert_url = admin_url(MarketFigure, "simple_history", figure.pk, first.history_id)
    assert editor.post(revert_url, admin_post_data(editor.get(revert_url))).status_code == 302
    figure.refresh_from_db()
    assert figure.value == Decimal("14.400")


def test_history_shows_complete_word_level_diffs_of_prose(editor):
    long_text = " ".join(f"word{n}" for n in range(200))
    report = ReportFactory(summary=long_text)
    url = admin_url(Report, "change", report.pk)
    form = admin_post_data(editor.get(url))
    form["summary"] = long_text.replace("word150", "changed150") + " finale"
    editor.post(url, form)
    html = editor.get(admin_url(Report, "history", report.pk)).content.decode()
    assert "<del>word150</del>" in html and "<ins>changed150</ins>" in html
    assert "word199" in html and "<ins>finale</ins>" in html  # not cut short


def test_crlf_from_the_browser_is_no_change(editor):
    report = ReportFactory(summary="Line one.\nLine two.")
    url = admin_url(Report, "change", report.pk)
    form = admin_post_data(editor.get(url))
    form["summary"] = "Line one.  \r\nLine two.\r\n"
    assert editor.post(url, form).status_code == 302
    report.refresh_from_db()
    assert report.summary == "Line one.\nLine two." and report.history.count() == 1


def test_a_figure_whose_segment_was_deleted_says_to_restore_the_segment_first(editor):
    segment = SegmentFactory(name="Monogenic")
    figure = MarketFigureFactory(report=segment.report, segment=segment)
    figure_pk = figure.pk
    segment.delete()  # takes its figures with it
    listing = editor.get(admin_url(MarketFigure, "recover"))
    html = listing.content.decode()
    assert listing.status_code == 200
    assert "restore the segment “Monogenic” first" in html
    deleted = MarketFigure.history.filter(history_type="-").get()
    response = editor.get(
        admin_url(MarketFigure, "simple_history", figure_pk, deleted.history_id), follow=True
    )
    assert response.status_code == 200
    assert "cannot be restored yet" in response.content.decode()

    # Restore the segment, then the figure.
    from market.models import Segment

    seg_deleted = Segment.history.filter(history_type="-").get()
    seg_url = admin_url(Segment, "simple_history", seg_deleted.id, seg_deleted.history_id)
    assert editor.post(seg_url, admin_post_data(editor.get(seg_url))).status_code == 302
    fig_url = admin_url(MarketFigure, "simple_history", figure_pk, deleted.history_id)
    assert editor.post(fig_url, admin_post_data(editor.get(fig_url))).status_code == 302
    assert MarketFigure.objects.filter(pk=figure_pk, segment__name="Monogenic").exists()


@pytest.mark.parametrize(
    "factory",
    [
        "ReportFactory",
        "CompanyFactory",
        "SegmentFactory",
        "QuestionFactory",
        "ReportSectionFactory",
        "ReportCompanyFactory",
        "RegionFactory",
        "MarketFigureFactory",
    ],
)
def test_revert_works_for_every_kind_of_content(editor, factory):
    import tests.factories

    obj = getattr(tests.factories, factory)()
    first = obj.history.earliest()
    url = admin_url(type(obj), "change", obj.pk)
    form = admin_post_data(editor.get(url))
    field = next(f for f in ("title", "name", "question", "source", "position") if f in form)
    form[field] = "9" if field == "position" else "Changed by the editor"
    assert editor.post(url, form).status_code == 302
    revert_url = admin_url(type(obj), "simple_history", obj.pk, first.history_id)
    response = editor.post(revert_url, admin_post_data(editor.get(revert_url)))
    assert response.status_code == 302, response.content.decode()[:3000]
    obj.refresh_from_db()
    assert getattr(obj, field) == getattr(first, field) != form[field]


# Bounded imports -------------------------------------------------------------------


def xlsx_file(rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("figures.xlsx", buffer.getvalue())


def import_errors(response):
    assert "confirm_form" not in response.context
    return " ".join(response.context["form"].errors.get("import_file", []))


def test_the_import_page_states_its_limits_beside_the_file_field(editor):
    html = editor.get(admin_url(MarketFigure, "import")).content.decode()
    limit = settings.IMPORT_MAX_ROWS
    assert f"CSV or XLSX, up to 4.0\xa0MB and {limit:,} rows." in html


def test_a_file_over_the_size_limit_is_refused_naming_the_limit(editor, report_with_segment):
    line = ["us-gtmp", "", "2022", "4.10", "estimate", "P" * 200, "", "", ""]
    upload = csv_file([HEADER] + [line] * 20_000)  # 4.3 MB, under the request limit
    assert settings.IMPORT_MAX_BYTES < upload.size < settings.UPLOAD_MAX_BYTES
    errors = import_errors(dry_run(editor, MarketFigure, upload))
    assert "imports take files up to 4.0\xa0MB" in errors
    assert MarketFigure.objects.count() == 1


def test_more_rows_than_the_limit_are_refused_before_any_is_read(editor, report_with_segment):
    line = ["us-gtmp", "", "2022", "4.10", "estimate", "P", "", "", ""]
    over = [HEADER] + [line] * (settings.IMPORT_MAX_ROWS + 1)
    for upload, fmt in [(csv_file(over), 0), (xlsx_file(over), 1)]:
        errors = import_errors(dry_run(editor, MarketFigure, upload, fmt))
        assert f"more than {settings.IMPORT_MAX_ROWS:,} rows, the most one import takes" in errors
    ok = csv_file([HEADER] + [[*line[:2], str(2022 + n), *line[3:]] for n in range(1, 5)])
    assert "confirm_form" in dry_run(editor, MarketFigure, ok).context


def test_a_spreadsheet_that_unpacks_too_large_is_refused_unread(editor, settings):
    """A zip bomb: 2 MB of archive that would unpack to 200 MB of sheet."""
    buffer = io.BytesIO()
    block = b"<row><c><v>1</v></c></row>" * 40_000
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet,
    ):
        for _ in range(200):
            sheet.write(block)
    upload = SimpleUploadedFile("bomb.xlsx", buffer.getvalue())
    assert upload.size < settings.IMPORT_MAX_BYTES
    errors = import_errors(dry_run(editor, MarketFigure, upload, fmt=1))
    assert "unpacks to 198.4\xa0MB; imports take spreadsheets of up to 40.0\xa0MB" in errors


def test_a_damaged_spreadsheet_is_refused_in_words(editor):
    upload = SimpleUploadedFile("figures.xlsx", b"PK\x03\x04" + b"\x00" * 100)
    errors = import_errors(dry_run(editor, MarketFigure, upload, fmt=1))
    assert errors == "The file cannot be read as an XLSX spreadsheet."
