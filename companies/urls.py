from django.urls import path
from django.views.generic import DetailView, ListView

from companies.models import Company

app_name = "companies"
urlpatterns = [
    path("", ListView.as_view(model=Company), name="list"),
    path("<slug:slug>/", DetailView.as_view(model=Company), name="detail"),
]
