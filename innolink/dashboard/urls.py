from django.urls import path

from innolink.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.home, name="home"),
    path("workspace/", views.workspace, name="workspace"),
    path("overview/", views.overview, name="overview"),
    path("overview/refresh/", views.refresh, name="refresh"),
    path("overview/unpaid/", views.unpaid, name="unpaid"),
    path("overview/briefs/", views.briefs, name="briefs"),
    path("overview/briefs/<int:pk>.<str:kind>", views.brief_download, name="brief-download"),
]
