from django.urls import path

from faq import views

app_name = "faq"
urlpatterns = [path("", views.FaqView.as_view(), name="index")]
