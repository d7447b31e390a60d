from django.urls import path

from gtmp_site.core.cache import cached_by_content
from market import views

report_data = cached_by_content(views.report_data)

app_name = "market"
urlpatterns = [
    path("<slug:slug>/", cached_by_content(views.ReportDetailView.as_view()), name="report"),
    path("<slug:slug>/preview/", views.ReportPreviewView.as_view(), name="preview"),
    path(
        "<slug:slug>/data.csv",
        cached_by_content(views.report_data),
        {"fmt": "csv"},
        name="data-csv",
    ),
    path(
        "<slug:slug>/data.json",
        cached_by_content(views.report_data),
        {"fmt": "json"},
        name="data-json",
    ),
    path(
        "<slug:report_slug>/segments/<slug:slug>/",
        cached_by_content(views.SegmentDetailView.as_view()),
        name="segment",
    ),
]
