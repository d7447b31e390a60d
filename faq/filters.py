import django_filters

from faq.models import Question
from gtmp_site.api.filtersets import SlugFilter, StrictFilterSet
from market.models import Report


class QuestionFilter(StrictFilterSet):
    report = SlugFilter(field_name="report__slug", of=Report, help_text="Report slug.")
    site_wide = django_filters.BooleanFilter(
        field_name="report", lookup_expr="isnull", help_text="Only questions of no report."
    )

    class Meta:
        model = Question
        fields = ["report", "site_wide"]
