from django.db.models import Prefetch
from django.views.generic import DetailView, ListView

from companies.models import Company, ReportCompany
from gtmp_site.core.cache import ContentKeysMixin, model_key, row_key
from gtmp_site.views import PageMetaMixin, plain_summary

# Which companies are public, and with which segments, turns on listings,
# segments and reports too: a page of companies shows those lists.
SHOWN_WITH_COMPANIES = {"companies.reportcompany", "market.segment", "market.report"}


class CompanyListView(ContentKeysMixin, PageMetaMixin, ListView):
    context_object_name = "companies"
    paginate_by = 50  # the page's size and cost stay flat however many companies there are
    page_title = "Companies"
    page_description = (
        "Gene therapy companies named in our market reports: status, history and focus."
    )

    def get_queryset(self):
        return Company.objects.published().with_segments()

    def get_content_keys(self, context):
        return {model_key(Company), *SHOWN_WITH_COMPANIES}


class CompanyDetailView(ContentKeysMixin, PageMetaMixin, DetailView):
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
            .with_therapies()
            .prefetch_related(Prefetch("listings", listings))
        )

    def get_content_keys(self, context):
        return {row_key(self.object), *SHOWN_WITH_COMPANIES}
