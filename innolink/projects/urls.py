from django.urls import path

from innolink.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_create, name="create"),
    path("export.csv", views.project_export, name="export"),
    path("measures/", views.measures, name="measures"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/report/", views.report_file, name="report"),
    path("<int:pk>/target/", views.project_target_add, name="target-add"),
    path("<int:pk>/milestone/", views.project_milestone_add, name="milestone-add"),
    path("<int:pk>/close/", views.project_close, name="close"),
    path("reports/<int:pk>/accept/", views.report_accept, name="report-accept"),
    path("reports/<int:pk>/return/", views.report_return, name="report-return"),
    path("problems/<int:pk>/escalate/", views.problem_escalate, name="problem-escalate"),
    path("problems/<int:pk>/resolve/", views.problem_resolve, name="problem-resolve"),
]
