"""/api/v1/: the router, the OpenAPI schema, its documentation pages and token login."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from companies.api import CompanyViewSet
from faq.api import QuestionViewSet
from gtmp_site.api.auth import TokenView
from market.api import MarketFigureViewSet, ReportViewSet, SegmentViewSet

router = DefaultRouter()
router.register("reports", ReportViewSet, basename="report")
router.register("segments", SegmentViewSet, basename="segment")
router.register("figures", MarketFigureViewSet, basename="figure")
router.register("companies", CompanyViewSet, basename="company")
router.register("faqs", QuestionViewSet, basename="faq")

app_name = "api"
urlpatterns = [
    path("", include(router.urls)),
    path("auth/token/", TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]
