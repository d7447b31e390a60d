"""Spreadsheet import and export of companies (django-import-export); the slug is the identity."""

from companies.models import Company
from gtmp_site.core.import_rows import ReadableImportResource


class CompanyResource(ReadableImportResource):
    class Meta:
        model = Company
        fields = [
            "slug", "name", "legal_name", "website", "headquarters", "founded_year", "status",
            "successor", "status_year", "profile", "facts_source", "version",
        ]  # fmt: skip
        export_order = fields
        import_id_fields = ["slug"]
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
