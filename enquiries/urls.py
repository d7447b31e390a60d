from django.urls import path

from enquiries import views

app_name = "enquiries"
urlpatterns = [
    path("<slug:slug>/enquire/", views.EnquiryView.as_view(), name="enquire"),
    path("<slug:slug>/enquire/sent/", views.SentView.as_view(), name="sent"),
]
