from django.contrib import admin

from gtmp_site.core.admin_base import ContentAdmin, DatedEventAdmin, DatedEventInline
from market import where_used
from market.admin import WhereUsedMixin
from market.spreadsheets import SpreadsheetAdminMixin
from therapies.models import Therapy, TherapyEvent
from therapies.resources import TherapyResource


class TherapyEventInline(DatedEventInline):
    model = TherapyEvent


admin.site.register(TherapyEvent, DatedEventAdmin)


def of_therapy(therapy):
    report = therapy.segment.report

    def reads(name, args):
        if name == "approved":
            return args == [therapy.slug]
        if name == "approvals":
            return not args or args == [therapy.segment.slug]
        return name == "approvals_period"

    places = [*where_used.report_places(report), ("Page", therapy.get_absolute_url()),
              ("Page", therapy.segment.get_absolute_url()),
              ("API", f"/api/v1/therapies/{therapy.slug}/")]  # fmt: skip
    places += [("Page", c.get_absolute_url()) for c in {therapy.sponsor, therapy.holder} if c]
    return where_used.placeholder_uses(report, reads), places


@admin.register(Therapy)
class TherapyAdmin(WhereUsedMixin, SpreadsheetAdminMixin, ContentAdmin):
    where_used_of = staticmethod(of_therapy)
    resource_classes = [TherapyResource]
    inlines = [TherapyEventInline]
    list_display = ["brand_name", "approved_on", "segment", "modality", "holder", "status"]
    list_filter = ["segment__report", "segment", "modality", "status", "checked_on"]
    list_select_related = ["segment__report", "holder"]
    search_fields = ["brand_name", "proper_name", "indication", "sponsor__name", "holder__name"]
    date_hierarchy = "approved_on"
    prepopulated_fields = {"slug": ["brand_name"]}
    autocomplete_fields = ["sponsor", "holder"]
    fieldsets = [
        (None, {"fields": ["brand_name", "slug", "proper_name", "indication"]}),
        ("Approval", {"fields": ["approved_on", "segment", "modality", "sponsor"]}),
        ("Since", {"fields": ["holder", "status", "notes"]}),
        ("Sources", {"fields": ["sources", "checked_on"]}),
        ("Where it shows", {"fields": ["where_used"]}),
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "segment":
            kwargs["queryset"] = db_field.related_model.objects.select_related("report")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
