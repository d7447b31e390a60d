import django_filters
from drf_spectacular.utils import extend_schema_field

from gtmp_site.api.filtersets import SlugFilter, StrictFilterSet, WholeNumberFilter
from market.models import (
    EditionEstimate,
    EditionFigure,
    EditionSegment,
    MarketEstimate,
    MarketFigure,
    Region,
    Report,
    Segment,
)


class ReportFilter(StrictFilterSet):
    region = SlugFilter(field_name="region__slug", of=Region, help_text="Region slug.")
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", help_text="Reports changed since (ISO 8601)."
    )

    class Meta:
        model = Report
        fields = ["status", "region", "base_year", "updated_since"]


class SegmentFilter(StrictFilterSet):
    report = SlugFilter(field_name="report__slug", of=Report, help_text="Report slug.")

    class Meta:
        model = Segment
        fields = ["report", "slug"]


class EditionSegmentFilter(SegmentFilter):
    """SegmentFilter over an edition's segments (readers' reads)."""

    class Meta(SegmentFilter.Meta):
        model = EditionSegment


# Stated in the schema, also where the lookup hides the type (approved_on__year).
@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 9999})
class YearFilter(WholeNumberFilter):
    """A year a date can hold, so a year lookup on a date never fails with a 500."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=9999, **kwargs)


class MarketFigureFilter(StrictFilterSet):
    report = SlugFilter(field_name="report__slug", of=Report, help_text="Report slug.")
    segment = SlugFilter(
        field_name="segment__slug",
        of=Segment,
        help_text="Segment slug; see `scope` for whole-market figures.",
    )
    scope = django_filters.ChoiceFilter(
        choices=[("total", "whole market"), ("segment", "segments")],
        method="filter_scope",
        help_text="`total`: whole-market figures only; `segment`: segment figures only.",
    )
    year_min = YearFilter(field_name="year", lookup_expr="gte", help_text="From this year on.")
    year_max = YearFilter(field_name="year", lookup_expr="lte", help_text="Up to this year.")

    class Meta:
        model = MarketFigure
        fields = ["report", "segment", "scope", "kind", "year", "year_min", "year_max"]

    def filter_scope(self, queryset, name, value):
        return queryset.filter(segment__isnull=value == "total")


class EditionFigureFilter(MarketFigureFilter):
    """MarketFigureFilter over an edition's figures (readers' reads), whose segment is
    its slug ("" for the whole market)."""

    segment = SlugFilter(field_name="segment", of=Segment, help_text="Segment slug.")

    class Meta(MarketFigureFilter.Meta):
        model = EditionFigure

    def filter_scope(self, queryset, name, value):
        total = queryset.filter(segment="")
        return total if value == "total" else queryset.exclude(segment="")


class EstimateFilter(StrictFilterSet):
    report = SlugFilter(field_name="report__slug", of=Report, help_text="Report slug.")
    publisher = django_filters.CharFilter(
        lookup_expr="icontains", help_text="Publishers whose name contains this."
    )
    forecast_year_min = YearFilter(
        field_name="forecast_year", lookup_expr="gte", help_text="Forecasts to this year or after."
    )
    forecast_year_max = YearFilter(
        field_name="forecast_year",
        lookup_expr="lte",
        help_text="Forecasts to this year or before.",
    )

    class Meta:
        model = MarketEstimate
        fields = ["report", "geography", "breadth", "publisher", "base_year", "forecast_year",
                  "forecast_year_min", "forecast_year_max"]  # fmt: skip


class EditionEstimateFilter(EstimateFilter):
    """EstimateFilter over an edition's estimates (readers' reads)."""

    class Meta(EstimateFilter.Meta):
        model = EditionEstimate
