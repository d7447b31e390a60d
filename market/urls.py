from django.urls import path

from market import views

app_name = "market"
urlpatterns = [
    path("<slug:slug>/", views.ReportDetailView.as_view(), name="report"),
    path("<slug:slug>/preview/", views.ReportPreviewView.as_view(), name="preview"),
    path("<slug:slug>/data.csv", views.report_data, {"fmt": "csv"}, name="data-csv"),
    path("<slug:slug>/data.json", views.report_data, {"fmt": "json"}, name="data-json"),
    path(
        "<slug:report_slug>/segments/<slug:slug>/",
        views.SegmentDetailView.as_view(),
        name="segment",
    ),
]
