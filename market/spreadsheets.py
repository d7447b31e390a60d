"""Spreadsheet import and export in the admin (django-import-export)."""

from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX

from market.audit import record_import


class SpreadsheetAdminMixin(ImportExportMixin):
    """CSV and XLSX import (dry run first, all rows or none) and export of the filtered list."""

    formats = [CSV, XLSX]
    import_template_name = "admin/content_import.html"

    def get_import_data_kwargs(self, **kwargs):
        # One invalid row rolls back the whole import, on the confirm step too.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def process_result(self, result, request):
        record_import(user=request.user, model=self.model, totals=result.totals)
        return super().process_result(result, request)
