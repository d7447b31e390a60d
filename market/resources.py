"""Spreadsheet import and export of market figures (django-import-export).

A row names its report and segment by slug; (report, segment, year) is the
row's identity, so importing a file twice updates instead of duplicating.
Every row goes through the model's full_clean(), the same rules as the admin.
"""

from import_export import fields
from import_export.widgets import ForeignKeyWidget

from gtmp_site.core.import_rows import ReadableImportResource
from market.models import MarketFigure, Report, Segment


class SegmentOfRowReport(ForeignKeyWidget):
    """A segment slug, looked up among the segments of the row's report; empty = whole market."""

    def __init__(self):
        super().__init__(Segment, field="slug")

    def get_queryset(self, value, row, *args, **kwargs):
        return Segment.objects.filter(report__slug=row.get("report")).order_by("position")


class MarketFigureResource(ReadableImportResource):
    report = fields.Field(
        attribute="report", column_name="report", widget=ForeignKeyWidget(Report, field="slug")
    )
    segment = fields.Field(attribute="segment", column_name="segment", widget=SegmentOfRowReport())

    def after_init_instance(self, instance, new, row, **kwargs):
        super().after_init_instance(instance, new, row, **kwargs)
        # The file's figures are judged together once all rows are in (after_import).
        instance.checked_with_its_figures = True

    class Meta:
        model = MarketFigure
        fields = [
            "report", "segment", "year", "value", "kind", "source", "source_url", "note",
            "checked_on", "version",
        ]  # fmt: skip
        export_order = fields
        import_id_fields = ["report", "segment", "year"]
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
