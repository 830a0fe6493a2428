from django.urls import path

from innolink.matching import views

app_name = "matching"
urlpatterns = [
    path("challenges/<int:pk>/", views.challenge_matches, name="challenge"),
    path("challenges/<int:pk>/invite/", views.invitations_assign, name="invitations-assign"),
    path("researchers/me/", views.researcher_me, name="researcher-me"),
    path("researchers/<int:pk>/", views.researcher_matches, name="researcher"),
    path("offers/<int:pk>/", views.offer_matches, name="offer"),
    path("terms/", views.terms, name="terms"),
    path("terms/<int:pk>/delete/", views.techterm_remove, name="techterm-remove"),
    path("rebuild/", views.index_rebuild_start, name="index-rebuild"),
    path("assignments/", views.assignments, name="assignments"),
    path("assignments/<int:pk>/", views.assignment, name="assignment"),
]
