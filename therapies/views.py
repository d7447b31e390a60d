from django_filters.views import FilterView

from gtmp_site.views import PageMetaMixin
from therapies.filters import TherapyPageFilter
from therapies.models import Therapy


class TherapyListView(PageMetaMixin, FilterView):
    """Every approved therapy of the public reports, filtered and sorted by the reader."""

    template_name = "therapies/therapy_list.html"
    filterset_class = TherapyPageFilter
    context_object_name = "therapies"
    paginate_by = 100  # bounded, however many approvals come
    page_title = "Approved gene therapies in the United States"
    page_description = (
        "Every gene therapy approved by the FDA, by year, segment, modality and company."
    )

    def get_queryset(self):
        return Therapy.objects.published().for_list()

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if self.filterset.is_bound and not self.filterset.is_valid():
            response.status_code = 400  # the form says what is wrong
        return response
