from django.urls import path

from innolink.enterprises import views

app_name = "enterprises"
urlpatterns = [
    path("", views.enterprise_list, name="list"),
    path("mine/", views.enterprise_mine, name="mine"),
    path("<int:pk>/", views.enterprise_detail, name="detail"),
    path("import/", views.import_upload, name="import"),
    path("import/template.xlsx", views.import_template, name="import-template"),
    path("import/<uuid:pk>/commit/", views.import_commit, name="import-commit"),
    path("import/<uuid:pk>/errors.csv", views.import_errors, name="import-errors"),
]
