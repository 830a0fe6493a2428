from django.urls import path

from innolink.core import views

app_name = "core"
urlpatterns = [
    path("jobs/", views.job_list, name="jobs"),
    path("jobs/<uuid:pk>/", views.job_detail, name="job"),
    path("notifications/", views.notification_list, name="notifications"),
]
