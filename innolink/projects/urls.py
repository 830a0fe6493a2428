from django.urls import path

from innolink.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_new, name="new"),
    path("measures/", views.measures, name="measures"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/report/", views.report_new, name="report"),
    path("<int:pk>/<slug:action>/", views.project_action, name="action"),
    path("reports/<int:pk>/<slug:action>/", views.report_action, name="report-action"),
    path("problems/<int:pk>/<slug:action>/", views.problem_action, name="problem-action"),
]
