"""Spreadsheet import and export of therapies (django-import-export): the slug is the
identity; the segment is named by its report's slug and its own, companies by slug."""

from import_export import fields
from import_export.widgets import ForeignKeyWidget

from companies.models import Company
from gtmp_site.core.import_rows import ReadableImportResource
from market.resources import SegmentOfRowReport
from therapies.models import Therapy


class TherapyResource(ReadableImportResource):
    report = fields.Field(attribute="segment__report__slug", column_name="report", readonly=True)
    segment = fields.Field(attribute="segment", column_name="segment", widget=SegmentOfRowReport())
    sponsor = fields.Field(
        attribute="sponsor", column_name="sponsor", widget=ForeignKeyWidget(Company, field="slug")
    )
    holder = fields.Field(
        attribute="holder", column_name="holder", widget=ForeignKeyWidget(Company, field="slug")
    )

    class Meta:
        model = Therapy
        fields = [
            "slug", "brand_name", "proper_name", "report", "segment", "modality", "indication",
            "approved_on", "sponsor", "holder", "status", "notes", "sources", "checked_on",
            "version",
        ]  # fmt: skip
        export_order = fields
        import_id_fields = ["slug"]
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
