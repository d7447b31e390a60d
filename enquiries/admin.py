"""The editors' inbox of readers' enquiries: list, search, filter by report, kind
and status, mark answered or spam, and export as CSV."""

import csv

from django.contrib import admin
from django.http import HttpResponse
from django.utils import timezone

from enquiries.models import Enquiry
from gtmp_site.core.cells import safe_cell

EXPORTED = ["received_at", "report", "edition", "kind", "status", "name", "email",
            "organisation", "message", "consent"]  # fmt: skip


@admin.register(Enquiry)
class EnquiryAdmin(admin.ModelAdmin):
    list_display = ["received_at", "name", "organisation", "email", "report", "kind", "status"]
    list_filter = ["status", "kind", "report"]
    list_select_related = ["report"]
    search_fields = ["name", "email", "organisation", "message"]
    date_hierarchy = "received_at"
    # What the reader sent stays as sent; editors set the status.
    readonly_fields = [name for name in EXPORTED if name != "status"]
    fields = ["status", *readonly_fields]
    actions = ["mark_answered", "mark_spam", "export_csv"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Mark as answered", permissions=["change"])
    def mark_answered(self, request, queryset):
        self._mark(request, queryset, Enquiry.Status.ANSWERED)

    @admin.action(description="Mark as spam", permissions=["change"])
    def mark_spam(self, request, queryset):
        self._mark(request, queryset, Enquiry.Status.SPAM)

    def _mark(self, request, queryset, status):
        count = queryset.update(status=status)
        self.message_user(request, f"{count} marked {Enquiry.Status(status).label.lower()}.")

    @admin.action(description="Export as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        """The chosen enquiries as CSV; text a spreadsheet would run as a formula
        is written as text (gtmp_site/core/cells.py)."""
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        day = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="enquiries-{day}.csv"'
        writer = csv.writer(response)
        writer.writerow(EXPORTED)
        for enquiry in queryset.select_related("report"):
            writer.writerow([safe_cell(self._cell(enquiry, name)) for name in EXPORTED])
        return response

    @staticmethod
    def _cell(enquiry, name):
        value = getattr(enquiry, name)
        if name == "report":
            return value.title if value else ""
        if name == "received_at":
            return value.isoformat()
        return value
