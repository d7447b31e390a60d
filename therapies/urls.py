from django.urls import path

from gtmp_site.core.cache import cached_by_content
from therapies import views

app_name = "therapies"
urlpatterns = [
    path("", cached_by_content(views.TherapyListView.as_view()), name="list"),
]
