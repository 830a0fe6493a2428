from django.urls import path
from django.views.generic import RedirectView

from innolink.servicedesk import views

app_name = "servicedesk"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="servicedesk:list"), name="home"),
    path("requests/", views.request_list, name="list"),
    path("new/", views.request_new, name="new"),
    path("requests/<int:pk>/", views.request_detail, name="detail"),
    path("requests/<int:pk>/<slug:action>/", views.request_action, name="action"),
    path("inputs/<int:pk>/", views.input_answer, name="input-answer"),
    path("extensions/<int:pk>/", views.extension_decide, name="extension-decide"),
    path("callbacks/<int:pk>/", views.callback_record, name="callback"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("coordination/", views.coordination, name="coordination"),
    path("overdue/", views.overdue, name="overdue"),
    path("routing/", views.routing, name="routing"),
    path("routing/<int:pk>/delete/", views.routing_rule_delete, name="routing-delete"),
    path("routing/settings/", views.routing_settings, name="routing-settings"),
    path("routing/sla/<slug:key>/", views.routing_sla, name="routing-sla"),
    path("routing/supervision/", views.routing_supervision, name="routing-supervision"),
    path("routing/train/", views.routing_train, name="routing-train"),
    path("sessions/", views.session_list, name="sessions"),
    path("sessions/new/", views.session_new, name="session-new"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("import/", views.hotline_import, name="import"),
    path("import/template.xlsx", views.hotline_template, name="import-template"),
    path("cadres/", views.cadres, name="cadres"),
    path("cadres/assign/", views.cadre_assign, name="cadre-assign"),
    path("cadres/<int:pk>/remove/", views.cadre_unassign, name="cadre-remove"),
    path("cadres/import/", views.cadres_import, name="cadres-import"),
    path("plans/", views.plans, name="plans"),
    path("coverage/", views.coverage, name="coverage"),
    path("visits/", views.visits, name="visits"),
    path("visits/new/<int:enterprise_pk>/", views.visit_new, name="visit-new"),
    path("sheet/<int:enterprise_pk>/", views.visit_sheet, name="sheet"),
    path("measures/", views.measures, name="measures"),
    path("measures/weekly.xlsx", views.measures_export, name="measures-export"),
]
