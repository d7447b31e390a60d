import django_filters

from companies.models import Company
from gtmp_site.api.filtersets import StrictFilterSet


class CompanyFilter(StrictFilterSet):
    segment = django_filters.CharFilter(
        field_name="segments__slug", distinct=True, help_text="Slug of a segment it works in."
    )
    report = django_filters.CharFilter(
        field_name="listings__report__slug",
        distinct=True,
        help_text="Slug of a report that lists it among its top companies.",
    )

    class Meta:
        model = Company
        fields = ["status", "segment", "report"]
