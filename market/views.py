from django.shortcuts import get_object_or_404
from django.views.generic import DetailView

from market.models import Report


class ReportDetailView(DetailView):
    def get_queryset(self):
        return Report.objects.published()


class SegmentDetailView(DetailView):
    def get_object(self, queryset=None):
        report = get_object_or_404(Report.objects.published(), slug=self.kwargs["report_slug"])
        return get_object_or_404(report.segments, slug=self.kwargs["slug"])
