from django.urls import path

from companies import views
from gtmp_site.core.cache import cached_by_content

app_name = "companies"
urlpatterns = [
    path("", cached_by_content(views.CompanyListView.as_view()), name="list"),
    path("<slug:slug>/", cached_by_content(views.CompanyDetailView.as_view()), name="detail"),
]
