import django_filters
from django.db.models import Q

from companies.models import Company
from gtmp_site.api.filtersets import SlugFilter, StrictFilterSet
from market.filters import YearFilter
from market.models import Segment
from therapies.models import Therapy


class TherapyFilter(StrictFilterSet):
    segment = SlugFilter(
        field_name="segment__slug", of=Segment, help_text="Slug of its application segment."
    )
    company = SlugFilter(
        method="filter_company",
        of=Company,
        help_text="Slug of its sponsor at approval or its holder now.",
    )
    year_min = YearFilter(
        field_name="approved_on__year",
        lookup_expr="gte",
        help_text="Approved in or after this year.",
    )
    year_max = YearFilter(
        field_name="approved_on__year",
        lookup_expr="lte",
        help_text="Approved in this year or earlier.",
    )

    class Meta:
        model = Therapy
        fields = ["segment", "modality", "company", "status", "year_min", "year_max"]

    def filter_company(self, queryset, name, value):
        return sponsored_or_held(queryset, name, value)


def sponsored_or_held(queryset, name, value):
    """Therapies the company ``value`` (a slug) won approval for or holds now."""
    return queryset.filter(Q(sponsor__slug=value) | Q(holder__slug=value))


SORTS = [
    ("approved_on", "approved"), ("brand_name", "brand"), ("holder__name", "company"),
    ("segment__position", "segment"), ("modality", "modality"),
]  # fmt: skip


class TherapyPageFilter(django_filters.FilterSet):
    """The therapies page's form: each filter a list to pick from, empty for any,
    and the table's order (``sort``)."""

    segment = django_filters.ChoiceFilter(
        field_name="segment__slug", label="Segment", empty_label="Any segment"
    )
    modality = django_filters.ChoiceFilter(choices=Therapy.Modality, empty_label="Any modality")
    company = django_filters.ChoiceFilter(
        method=sponsored_or_held, label="Company", empty_label="Any company"
    )
    status = django_filters.ChoiceFilter(choices=Therapy.Status, empty_label="Any status")
    year_min = YearFilter(field_name="approved_on__year", lookup_expr="gte", label="Approved from")
    year_max = YearFilter(field_name="approved_on__year", lookup_expr="lte", label="Approved to")
    sort = django_filters.OrderingFilter(
        fields=SORTS,
        label="Sort by",
        empty_label=None,
        null_label=None,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        therapies = self.queryset
        self.filters["segment"].extra["choices"] = sorted(
            {(t.segment.slug, t.segment.name) for t in therapies}, key=lambda c: c[1]
        )
        self.filters["company"].extra["choices"] = sorted(
            {(c.slug, c.name) for t in therapies for c in (t.sponsor, t.holder)},
            key=lambda c: c[1].lower(),
        )
