"""/api/v1/: the router, the OpenAPI schema, its documentation pages and token login."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.routers import DefaultRouter

from companies.api import CompanyViewSet
from faq.api import QuestionViewSet
from gtmp_site.api import docs
from gtmp_site.api.auth import TokenView
from market.api import EstimateViewSet, MarketFigureViewSet, ReportViewSet, SegmentViewSet
from market.edition_api import SubmissionViewSet
from therapies.api import TherapyViewSet

router = DefaultRouter()
router.register("reports", ReportViewSet, basename="report")
router.register("segments", SegmentViewSet, basename="segment")
router.register("figures", MarketFigureViewSet, basename="figure")
router.register("estimates", EstimateViewSet, basename="estimate")
router.register("companies", CompanyViewSet, basename="company")
router.register("faqs", QuestionViewSet, basename="faq")
router.register("therapies", TherapyViewSet, basename="therapy")
router.register("submissions", SubmissionViewSet, basename="submission")


class ReadOnlyPage:
    """The docs pages answer GET and HEAD only: any other method is a 405 (their
    HTML renderer has no page for an OPTIONS answer)."""

    http_method_names = ["get", "head"]


class DocsView(ReadOnlyPage, SpectacularSwaggerSplitView):
    pass


class RedocView(ReadOnlyPage, SpectacularRedocView):
    pass


app_name = "api"
urlpatterns = [
    path("", include(router.urls)),
    path("auth/token/", TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The reference and the guide: pages of the site, made from the schema and
    # docs/api.md (gtmp_site/api/docs.py).
    path("docs/", docs.reference, name="docs"),
    path("docs/guide/", docs.guide, name="guide"),
    # The split view serves Swagger UI's start-up script from ?script, not inline.
    path("docs/explorer/", DocsView.as_view(url_name="api:schema"), name="docs-explorer"),
    # Redoc styles itself with <style> elements and renders in a blob: worker; its
    # scripts stay as strict as everywhere else.
    path(
        "redoc/",
        csp_update({"style-src": [UNSAFE_INLINE], "worker-src": ["blob:"]})(
            RedocView.as_view(url_name="api:schema")
        ),
        name="redoc",
    ),
]
