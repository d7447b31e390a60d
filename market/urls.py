from django.urls import path, re_path

from gtmp_site.core.cache import cached_by_content
from market import views
from market.feeds import EditionsFeed
from market.models import EDITION_LABEL

app_name = "market"
CHART = "(?P<name>forecast|approvals|estimates)"  # the report page's charts
SEGMENT_CHART = "(?P<name>forecast|approvals)"  # a segment's: market size, approvals
EMBED = f"(?P<name>{'|'.join(views.EMBEDS)})"  # the charts other sites may embed
urlpatterns = [
    path("<slug:slug>/", cached_by_content(views.ReportDetailView.as_view()), name="report"),
    path("<slug:slug>/preview/", views.ReportPreviewView.as_view(), name="preview"),
    path(
        "<slug:slug>/preview/shared/<str:token>/",
        views.SharedPreviewView.as_view(),
        name="shared-preview",
    ),
    re_path(
        r"^(?P<slug>[-\w]+)/data\.(?P<fmt>csv|json|xlsx)$",
        cached_by_content(views.report_data),
        name="data",
    ),
    path(
        "<slug:slug>/datapackage.zip",
        cached_by_content(views.data_package),
        name="datapackage",
    ),
    re_path(
        rf"^(?P<slug>[-\w]+)/editions/(?P<label>{EDITION_LABEL})/datapackage\.zip$",
        cached_by_content(views.data_package),
        name="edition-datapackage",
    ),
    path("<slug:slug>/report.pdf", cached_by_content(views.report_pdf), name="pdf"),
    re_path(
        rf"^(?P<slug>[-\w]+)/editions/(?P<label>{EDITION_LABEL})/report\.pdf$",
        cached_by_content(views.report_pdf),
        name="edition-pdf",
    ),
    path(
        "<slug:slug>/editions/",
        cached_by_content(views.EditionListView.as_view()),
        name="editions",
    ),
    path("<slug:slug>/editions/feed/", cached_by_content(EditionsFeed()), name="editions-feed"),
    re_path(
        rf"^(?P<slug>[-\w]+)/editions/(?P<label>{EDITION_LABEL})/$",
        cached_by_content(views.EditionDetailView.as_view()),
        name="edition",
    ),
    re_path(
        rf"^(?P<slug>[-\w]+)/editions/(?P<label>{EDITION_LABEL})/changes/$",
        cached_by_content(views.EditionChangesView.as_view()),
        name="edition-changes",
    ),
    re_path(
        rf"^(?P<slug>[-\w]+)/editions/(?P<label>{EDITION_LABEL})/data\.(?P<fmt>csv|json|xlsx)$",
        cached_by_content(views.edition_data),
        name="edition-data",
    ),
    re_path(
        rf"^(?P<slug>[-\w]+)/charts/{CHART}\.(?P<fmt>png|svg)$",
        cached_by_content(views.chart_image),
        name="chart-image",
    ),
    re_path(
        rf"^(?P<slug>[-\w]+)/editions/(?P<label>{EDITION_LABEL})/charts/{CHART}\.(?P<fmt>png|svg)$",
        cached_by_content(views.chart_image),
        name="edition-chart-image",
    ),
    re_path(
        rf"^(?P<slug>[-\w]+)/segments/(?P<segment>[-\w]+)/charts/{SEGMENT_CHART}\.(?P<fmt>png|svg)$",
        cached_by_content(views.chart_image),
        name="segment-chart-image",
    ),
    re_path(
        rf"^(?P<slug>[-\w]+)/editions/(?P<label>{EDITION_LABEL})/segments/(?P<segment>[-\w]+)/"
        rf"charts/{SEGMENT_CHART}\.(?P<fmt>png|svg)$",
        cached_by_content(views.chart_image),
        name="edition-segment-chart-image",
    ),
    re_path(
        rf"^(?P<slug>[-\w]+)/embed/{EMBED}/$",
        cached_by_content(views.EmbedView.as_view()),
        name="embed",
    ),
    re_path(
        rf"^(?P<slug>[-\w]+)/editions/(?P<label>{EDITION_LABEL})/embed/{EMBED}/$",
        cached_by_content(views.EmbedView.as_view()),
        name="edition-embed",
    ),
    path(
        "<slug:report_slug>/segments/<slug:slug>/",
        cached_by_content(views.SegmentDetailView.as_view()),
        name="segment",
    ),
]
