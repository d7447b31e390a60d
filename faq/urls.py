from django.urls import path

from faq import views
from gtmp_site.core.cache import cached_by_content

app_name = "faq"
urlpatterns = [path("", cached_by_content(views.FaqView.as_view()), name="index")]
