from django.urls import path

from innolink.compute import views

app_name = "compute"
urlpatterns = [
    path("", views.home, name="home"),
    path("provider/", views.provider_register, name="provider-register"),
    path("providers/<int:pk>/decide/", views.provider_decide, name="provider-decide"),
    path("resources/new/", views.resource_edit, name="resource-new"),
    path("resources/<int:pk>/", views.resource_edit, name="resource-edit"),
    path("requests/new/", views.request_create, name="request-new"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/book/", views.booking_create, name="book"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking"),
    path("bookings/<int:pk>/<slug:action>/", views.booking_action, name="booking-action"),
    path("usage/<int:pk>/review/", views.usage_review, name="usage-review"),
    path("voucher/", views.voucher_page, name="voucher"),
    path("scenarios/", views.scenarios, name="scenarios"),
    path("scenarios/needs/new/", views.need_create, name="need-new"),
    path("scenarios/needs/<int:pk>/", views.need_detail, name="need"),
    path("scenarios/solutions/new/", views.solution_create, name="solution-new"),
    path("scenarios/solutions/<int:pk>/", views.solution_detail, name="solution"),
    path("scenarios/matches/", views.match_propose, name="match-propose"),
    path("scenarios/matches/<int:pk>/", views.match_decide, name="match-decide"),
]
