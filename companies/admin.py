from django.contrib import admin
from django.urls import reverse

from companies.models import Company, CompanyEvent, ReportCompany
from companies.resources import CompanyResource
from gtmp_site.core.admin_base import ContentAdmin, DatedEventAdmin, DatedEventInline
from market.admin import ReportAdmin, WhereUsedMixin
from market.spreadsheets import SpreadsheetAdminMixin


class CompanyEventInline(DatedEventInline):
    model = CompanyEvent


admin.site.register(CompanyEvent, DatedEventAdmin)


def of_company(company):
    places = [("Page", company.get_absolute_url()), ("Page", reverse("companies:list")),
              ("API", f"/api/v1/companies/{company.slug}/")]  # fmt: skip
    reports = {listing.report for listing in company.listings.select_related("report")}
    reports |= {segment.report for segment in company.segments.select_related("report")}
    for report in sorted(reports, key=lambda r: r.title):
        places.append(("Page", report.get_absolute_url()))
    return [], places


@admin.register(Company)
class CompanyAdmin(WhereUsedMixin, SpreadsheetAdminMixin, ContentAdmin):
    where_used_of = staticmethod(of_company)
    resource_classes = [CompanyResource]
    inlines = [CompanyEventInline]
    list_display = ["name", "status", "successor", "status_year", "headquarters", "founded_year"]
    list_filter = ["status", "segments__report", "segments"]
    search_fields = ["name", "legal_name", "successor", "headquarters"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["segments"]
    fieldsets = [
        (
            None,
            {"fields": ["name", "slug", "legal_name", "website", "headquarters", "founded_year"]},
        ),
        ("Status", {"fields": ["status", "successor", "status_year"]}),
        ("Profile", {"fields": ["profile", "segments", "facts_source"]}),
        ("Where it shows", {"fields": ["where_used"]}),
    ]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "segments":
            kwargs["queryset"] = db_field.related_model.objects.select_related("report")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(ReportCompany)
class ReportCompanyAdmin(ContentAdmin):
    list_display = ["company", "report", "position"]
    list_filter = ["report"]
    list_select_related = ["company", "report"]
    search_fields = ["company__name"]
    autocomplete_fields = ["company"]


ReportAdmin.add_part(ReportCompany)
