from django.urls import path

from innolink.weather import views

app_name = "weather"
urlpatterns = [
    path("", views.home, name="home"),
    path("warnings/<int:pk>/", views.warning_detail, name="warning"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("profile/", views.profile_save, name="profile"),
    path("forecasts/", views.forecasts, name="forecasts"),
    path("ingest/", views.ingest, name="ingest"),
    path("ingest/senders/", views.sender_save, name="sender-save"),
]
