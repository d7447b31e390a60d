from django.db.models import Exists, OuterRef

from companies.models import Company, ReportCompany
from gtmp_site.api.filtersets import SlugFilter, StrictFilterSet
from market.models import Report, Segment


class CompanyFilter(StrictFilterSet):
    """Filters that look only at the segments and listings the client may see:
    asking for a draft report's slug answers as for a slug that does not exist."""

    segment = SlugFilter(
        method="filter_segment", of=Segment, help_text="Slug of a segment it works in."
    )
    report = SlugFilter(
        method="filter_report",
        of=Report,
        help_text="Slug of a report that lists it among its top companies.",
    )

    def filter_segment(self, queryset, name, value):
        segments = Segment.objects.visible_to(self.request.user).filter(slug=value)
        return queryset.filter(Exists(segments.filter(companies=OuterRef("pk"))))

    def filter_report(self, queryset, name, value):
        listings = ReportCompany.objects.visible_to(self.request.user).filter(report__slug=value)
        return queryset.filter(Exists(listings.filter(company=OuterRef("pk"))))

    class Meta:
        model = Company
        fields = ["status", "segment", "report"]
