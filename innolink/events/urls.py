from django.urls import path

from innolink.events import views

app_name = "events"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("new/", views.event_create, name="create"),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("<int:pk>/edit/", views.event_update, name="update"),
    path("<int:pk>/invite/", views.invitation_create, name="invitation-create"),
    path("<int:pk>/invite-all/", views.invitations_invite_shortlisted, name="invitations-invite-shortlisted"),
    path("<int:pk>/invitations/<int:inv>/cancel/", views.invitation_cancel,
         name="invitation-cancel"),
    path("<int:pk>/availability/", views.availability_set, name="availability-set"),
    path("<int:pk>/schedule/", views.event_schedule, name="schedule"),
    path("<int:pk>/publish/", views.event_publish, name="publish"),
    path("<int:pk>/state/", views.event_transition, name="transition"),
    path("<int:pk>/agenda/", views.event_agenda, name="agenda"),
    path("rounds/", views.round_list, name="rounds"),
    path("rounds/new/", views.round_create, name="round-create"),
    path("rounds/<int:pk>/", views.round_detail, name="round-detail"),
    path("rounds/<int:pk>/edit/", views.round_update, name="round-update"),
    path("rounds/<int:pk>/entries/", views.round_entries_add, name="round-entries"),
    path("rounds/<int:pk>/reviewers/", views.round_reviewers_add, name="round-reviewers"),
    path("rounds/<int:pk>/reviewers/<int:member>/load/", views.round_reviewer_set_load,
         name="round-reviewer-set-load"),
    path("rounds/<int:pk>/assign/", views.round_assign, name="round-assign"),
    path("rounds/<int:pk>/open/", views.round_open_scoring, name="round-open"),
    path("rounds/<int:pk>/finalise/", views.round_finalise, name="round-finalise"),
    path("rounds/<int:pk>/awards/", views.award_record, name="award-record"),
    path("reviews/", views.my_reviews, name="my-reviews"),
    path("reviews/profile/", views.reviewer_profile_save, name="reviewer-profile"),
    path("reviews/<int:pk>/", views.score_submit, name="score-submit"),
    path("reviews/<int:pk>/recuse/", views.conflict_declare, name="conflict-declare"),
]
