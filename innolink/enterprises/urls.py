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
    path("facts/", views.facts_catalogue, name="facts"),
    path("facts/import/", views.facts_import, name="facts-import"),
    path("facts/qualifications/new/", views.qualification_type_edit, name="qualification-type-new"),
    path("facts/qualifications/<slug:code>/", views.qualification_type_edit, name="qualification-type"),
    path("facts/items/new/", views.item_kind_edit, name="item-kind-new"),
    path("facts/items/<slug:code>/", views.item_kind_edit, name="item-kind"),
    path("facts/indicators/new/", views.indicator_edit, name="indicator-new"),
    path("facts/indicators/<slug:code>/", views.indicator_edit, name="indicator"),
    path("<int:pk>/qualifications/", views.qualification_add, name="qualification-add"),
    path("<int:pk>/qualifications/<int:qid>/delete/", views.qualification_delete, name="qualification-delete"),
    path("<int:pk>/items/<int:item_id>/delete/", views.item_delete, name="item-delete"),
]
