"""Spreadsheet import and export in the admin (django-import-export)."""

import csv
import io
import zipfile
from itertools import islice

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ImportForm

from market.audit import record_import


class BoundedImportForm(ImportForm):
    """The import form, with its limits beside the file field. Before anything parses
    the file it refuses one over settings.IMPORT_MAX_BYTES, a spreadsheet that
    unpacks to more than IMPORT_MAX_UNPACKED_BYTES (a zip bomb), and more rows than
    IMPORT_MAX_ROWS, so no upload can hold a worker for long or fill its memory."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["import_file"].help_text = (
            f"CSV or XLSX, up to {filesizeformat(settings.IMPORT_MAX_BYTES)} "
            f"and {settings.IMPORT_MAX_ROWS:,} rows."
        )

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {filesizeformat(upload.size)}; imports take files up to "
                f"{filesizeformat(settings.IMPORT_MAX_BYTES)}. Split it into smaller files."
            )
        zipped = upload.read(4) == b"PK\x03\x04"  # XLSX is a zip archive
        upload.seek(0)
        rows = self._xlsx_rows(upload) if zipped else self._csv_rows(upload)
        upload.seek(0)
        if rows > settings.IMPORT_MAX_ROWS:
            raise forms.ValidationError(
                f"The file has more than {settings.IMPORT_MAX_ROWS:,} rows, the most one "
                "import takes. Split it into smaller files."
            )
        return upload

    @staticmethod
    def _csv_rows(upload):
        text = io.TextIOWrapper(upload, encoding="utf-8-sig", errors="replace", newline="")
        try:
            return sum(1 for _ in islice(csv.reader(text), settings.IMPORT_MAX_ROWS + 2)) - 1
        except csv.Error:
            return 0  # the import itself names the line it cannot read
        finally:
            text.detach()

    @staticmethod
    def _xlsx_rows(upload):
        from openpyxl import load_workbook

        unreadable = forms.ValidationError("The file cannot be read as an XLSX spreadsheet.")
        try:
            # Sizes from the archive's directory: Python's zipfile never unpacks more.
            unpacked = sum(entry.file_size for entry in zipfile.ZipFile(upload).infolist())
        except zipfile.BadZipFile:
            raise unreadable from None
        if unpacked > settings.IMPORT_MAX_UNPACKED_BYTES:
            raise forms.ValidationError(
                f"The spreadsheet unpacks to {filesizeformat(unpacked)}; imports take "
                f"spreadsheets of up to {filesizeformat(settings.IMPORT_MAX_UNPACKED_BYTES)} "
                "unpacked."
            )
        upload.seek(0)
        try:
            sheet = load_workbook(upload, read_only=True, data_only=True).active
            rows = sheet.iter_rows(values_only=True)
            return sum(1 for _ in islice(rows, settings.IMPORT_MAX_ROWS + 2)) - 1
        except Exception:  # openpyxl raises many kinds for a damaged file
            raise unreadable from None


class SpreadsheetAdminMixin(ImportExportMixin):
    """CSV and XLSX import (dry run first, all rows or none, bounded in size) and export
    of the filtered list."""

    formats = [CSV, XLSX]
    import_form_class = BoundedImportForm
    import_template_name = "admin/content_import.html"

    def get_import_data_kwargs(self, **kwargs):
        # One invalid row rolls back the whole import, on the confirm step too.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    # The dry run and the confirmed import, each as one write the publish gate judges.
    def import_action(self, request, *args, **kwargs):
        return self._as_one_write(super().import_action, request, *args, **kwargs)

    def process_import(self, request, *args, **kwargs):
        return self._as_one_write(super().process_import, request, *args, **kwargs)

    def process_result(self, result, request):
        problems = [
            *(str(error.error) for error in result.base_errors),
            *(f"file line {n + 1}: {e.error}" for n, errors in result.row_errors() for e in errors),
            *(
                f"file line {row.number + 1}: {' '.join(row.error.messages)}"
                for row in result.invalid_rows
            ),
        ]
        if problems:  # the rows passed the preview, but the data changed before the confirmation
            self.message_user(
                request,
                f"Nothing was imported: {'; '.join(problems)} Preview the file again.",
                messages.ERROR,
            )
            opts = self.model._meta
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_import"))
        record_import(user=request.user, model=self.model, totals=result.totals)
        return super().process_result(result, request)
