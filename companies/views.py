from django.db.models import Prefetch
from django.views.generic import DetailView, ListView

from companies.models import Company, ReportCompany
from gtmp_site.core.cache import model_key, row_key
from gtmp_site.views import PageMetaMixin, plain_summary

# Which companies are public, and with which segments, turns on listings,
# segments and reports too: a page of companies shows those lists.
SHOWN_WITH_COMPANIES = {"companies.reportcompany", "market.segment", "market.report"}


class CompanyListView(PageMetaMixin, ListView):
    context_object_name = "companies"
    paginate_by = 50  # the page's size and cost stay flat however many companies there are
    page_title = "Companies"
    page_description = (
        "Gene therapy companies named in our market reports: status, history and focus."
    )

    def get_queryset(self):
        return Company.objects.published().with_segments()

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        response.content_keys = {model_key(Company), *SHOWN_WITH_COMPANIES}
        return response


class CompanyDetailView(PageMetaMixin, DetailView):
    context_object_name = "company"

    def get_page_title(self):
        return self.object.name

    def get_page_description(self):
        return plain_summary(self.object.profile) or f"{self.object.name}: company profile."

    def get_queryset(self):
        listings = ReportCompany.objects.published().select_related("report")
        return (
            Company.objects.published()
            .with_segments()
            .prefetch_related(Prefetch("listings", listings))
        )

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        response.content_keys = {row_key(self.object), *SHOWN_WITH_COMPANIES}
        return response
