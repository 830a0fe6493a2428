from django.urls import path

from innolink.core import views

app_name = "core"
urlpatterns = [
    path("", views.job_list, name="jobs"),
    path("<uuid:pk>/", views.job_detail, name="job"),
]
