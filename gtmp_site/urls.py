from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.generic import TemplateView

from gtmp_site import views
from gtmp_site.core.cache import cached_by_content
from gtmp_site.sitemaps import SITEMAPS
from market.feeds import EditionsFeed
from market.views import HomeView

admin.site.site_header = "GTMP Market Insights: editing"
admin.site.site_title = "GTMP editing"
admin.site.index_title = "Reports, companies and questions"

urlpatterns = [
    path("", cached_by_content(HomeView.as_view()), name="home"),
    path("reports/", include("market.urls")),
    path("reports/", include("enquiries.urls")),
    path("editions/feed/", cached_by_content(EditionsFeed()), name="editions-feed"),
    path("companies/", include("companies.urls")),
    path("faq/", include("faq.urls")),
    path("therapies/", include("therapies.urls")),
    path("api/v1/", include("gtmp_site.api.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
    path("admin/", admin.site.urls),
]

# Error pages: the site's design for pages, JSON for the API.
handler400 = "gtmp_site.views.bad_request"
handler403 = "gtmp_site.views.permission_denied"
handler404 = "gtmp_site.views.page_not_found"
handler500 = "gtmp_site.views.server_error"
