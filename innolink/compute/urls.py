from django.urls import path

from innolink.compute import views

app_name = "compute"
urlpatterns = [
    path("", views.home, name="home"),
    path("provider/", views.provider_register, name="provider-register"),
    path("providers/<int:pk>/decide/", views.provider_decide, name="provider-decide"),
    path("resources/new/", views.resource_edit, name="resource-new"),
    path("resources/<int:pk>/", views.resource_edit, name="resource-edit"),
    path("requests/new/", views.request_create, name="request-create"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/book/", views.booking_create, name="booking-create"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking"),
    path("bookings/<int:pk>/confirm/", views.booking_confirm, name="booking-confirm"),
    path("bookings/<int:pk>/decline/", views.booking_decline, name="booking-decline"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking-cancel"),
    path("bookings/<int:pk>/usage/", views.usage_report, name="usage-report"),
    path("usage/<int:pk>/review/", views.usage_review, name="usage-review"),
    path("voucher/", views.voucher_settle, name="voucher"),
    path("scenarios/", views.scenarios, name="scenarios"),
    path("scenarios/needs/new/", views.need_create, name="need-create"),
    path("scenarios/needs/<int:pk>/", views.need_detail, name="need"),
    path("scenarios/solutions/new/", views.solution_create, name="solution-new"),
    path("scenarios/solutions/<int:pk>/", views.solution_detail, name="solution"),
    path("scenarios/matches/", views.match_propose, name="match-propose"),
    path("scenarios/matches/<int:pk>/", views.match_decide, name="match-decide"),
]
