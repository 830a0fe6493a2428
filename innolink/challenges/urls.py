from django.urls import path

from innolink.challenges import views

app_name = "challenges"
urlpatterns = [
    path("", views.board, name="board"),
    path("new/", views.challenge_create, name="create"),
    path("manage/", views.manage, name="manage"),
    path("overview/", views.overview, name="overview"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.challenge_edit, name="edit"),
    path("<int:pk>/action/<slug:action>/", views.challenge_action, name="action"),
    path("<int:pk>/contract/", views.challenge_contract, name="contract"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment-upload"),
    path("<int:pk>/claim/", views.claim, name="claim"),
    path("milestones/<int:pk>/done/", views.milestone_done, name="milestone-done"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/attachments/", views.proposal_attachment,
         name="proposal-attachment"),
    path("proposals/<int:pk>/<slug:action>/", views.proposal_action, name="proposal-action"),
    path("mine/", views.workspace, name="workspace"),
    path("profile/", views.profile_edit, name="profile"),
    path("researchers/", views.researcher_list, name="researchers"),
    path("researchers/<int:pk>/", views.researcher_detail, name="researcher"),
    path("researchers/import/", views.researcher_import, name="researcher-import"),
    path("offers/", views.offer_board, name="offers"),
    path("offers/new/", views.offer_create, name="offer-create"),
    path("offers/manage/", views.offer_manage, name="offer-manage"),
    path("offers/<int:pk>/", views.offer_detail, name="offer-detail"),
    path("offers/<int:pk>/edit/", views.offer_edit, name="offer-edit"),
    path("offers/<int:pk>/action/<slug:action>/", views.offer_action, name="offer-action"),
    path("offers/<int:pk>/interest/", views.offer_interest, name="offer-interest"),
    path("interests/", views.interest_list, name="interests"),
    path("interests/<int:pk>/", views.interest_detail, name="interest-detail"),
]
