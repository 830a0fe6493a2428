from django.urls import path

from innolink.rankings import views

app_name = "rankings"
urlpatterns = [
    path("", views.run_list, name="runs"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/review/", views.run_review, name="review"),
    path("runs/<int:pk>/review/confirm-pending/", views.entries_confirm_pending,
         name="confirm-pending"),
    path("runs/<int:pk>/objections/", views.run_objections, name="objections"),
    path("runs/<int:pk>/reproduce/", views.run_reproduce, name="reproduce"),
    path("runs/<int:pk>/lists/<slug:list_id>/", views.run_list_detail, name="run-list"),
    path("runs/<int:pk>/lists/<slug:list_id>/export.<str:kind>", views.run_list_export,
         name="run-list-export"),
    path("runs/<int:pk>/lists/<slug:list_id>/corrections/", views.correction_add,
         name="correction-add"),
    path("runs/<int:pk>/reviewed/", views.run_mark_reviewed, name="run-mark-reviewed"),
    path("runs/<int:pk>/notice/", views.run_open_notice, name="run-open-notice"),
    path("runs/<int:pk>/close-notice/", views.run_close_notice, name="run-close-notice"),
    path("runs/<int:pk>/publish/", views.run_publish, name="run-publish"),
    path("entries/<int:pk>/review/", views.entry_review, name="entry-review"),
    path("objections/<int:pk>/answer/", views.objection_answer, name="objection-answer"),
    path("declare/", views.declare, name="declare"),
    path("declarations/", views.declaration_list, name="declarations"),
    path("declarations/<int:pk>/", views.declaration_detail, name="declaration"),
    path("declarations/<int:pk>/accept/", views.declaration_accept, name="declaration-accept"),
    path("declarations/<int:pk>/return/", views.declaration_return, name="declaration-return"),
    path("public/", views.public_index, name="public"),
    path("public/<int:year>/<slug:list_id>/", views.public_list, name="public-list"),
    path("public/<int:year>/<slug:list_id>/qr.svg", views.public_qr, name="public-qr"),
    path("public/<int:year>/<slug:list_id>/export.<str:kind>", views.public_export,
         name="public-export"),
    path("public/<int:year>/<slug:list_id>/objections/", views.objection_submit,
         name="objection-submit"),
]
