from django.db.models import Prefetch
from django.views.generic import DetailView, ListView

from companies.models import Company, ReportCompany
from gtmp_site.views import PageMetaMixin, plain_summary


class CompanyListView(PageMetaMixin, ListView):
    context_object_name = "companies"
    paginate_by = 50  # the page's size and cost stay flat however many companies there are
    page_title = "Companies"
    page_description = (
        "Gene therapy companies named in our market reports: status, history and focus."
    )

    def get_queryset(self):
        return Company.objects.published().with_segments()


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
            .with_therapies()
            .prefetch_related(Prefetch("listings", listings))
        )
