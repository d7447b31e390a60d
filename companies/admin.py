from django.contrib import admin

from companies.models import Company, CompanyEvent, ReportCompany
from companies.resources import CompanyResource
from gtmp_site.core.admin_base import ContentAdmin, DatedEventAdmin, DatedEventInline
from market.admin import ReportAdmin
from market.spreadsheets import SpreadsheetAdminMixin


class CompanyEventInline(DatedEventInline):
    model = CompanyEvent


admin.site.register(CompanyEvent, DatedEventAdmin)


@admin.register(Company)
class CompanyAdmin(SpreadsheetAdminMixin, ContentAdmin):
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
