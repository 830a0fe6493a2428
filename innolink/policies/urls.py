from django.urls import path

from innolink.policies import views

app_name = "policies"
urlpatterns = [
    path("", views.policy_list, name="list"),
    path("<int:pk>/", views.policy_detail, name="detail"),
    path("<int:pk>/unpaid/", views.unpaid, name="unpaid"),
    path("mine/", views.my_policies, name="mine"),
    path("mine/facts/", views.declared_facts_set, name="declared-facts-set"),
    path("enterprise/<int:pk>/", views.enterprise_answer, name="enterprise"),
    path("claim/<int:clause_pk>/", views.claim, name="claim"),
    path("applications/", views.application_list, name="applications"),
    path("applications/bulk-approve/", views.application_bulk_approve, name="bulk-approve"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/materials/", views.application_material_add, name="material-add"),
    path("materials/<int:pk>/", views.material_download, name="material"),
    path("applications/<int:pk>/approve/", views.application_approve, name="application-approve"),
    path("applications/<int:pk>/reject/", views.application_reject, name="application-reject"),
    path("applications/<int:pk>/defer/", views.application_defer, name="application-defer"),
    path("applications/<int:pk>/pay/", views.application_pay, name="application-pay"),
    path("scans/", views.scans, name="scans"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/<uuid:posting>/reverse/", views.ledger_reverse, name="ledger-reverse"),
    path("metrics/", views.metrics, name="metrics"),
    path("calendar/", views.work_calendar, name="calendar"),
    path("<int:pk>/rules/", views.rules_edit, name="editor"),
    path("rules/new/", views.revision_new_policy, name="revision-new"),
    path("rules/<int:rid>/", views.revision_detail, name="revision"),
    path("rules/<int:rid>/check/", views.revision_check, name="revision-check"),
    path("rules/<int:rid>/publish/", views.revision_publish, name="revision-publish"),
    path("rules/<int:rid>/discard/", views.revision_discard, name="revision-discard"),
]
