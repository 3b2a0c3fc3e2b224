from django.urls import path

from partnering.arrangements import people_views, views

app_name = "arrangements"

urlpatterns = [
    path("", views.arrangement_list, name="list"),
    path("new/", views.arrangement_create, name="create"),
    path("invitations/", people_views.invitations, name="invitations"),
    path("<slug:slug>/", views.overview, name="overview"),
    path("<slug:slug>/edit/", views.edit, name="edit"),
    path("<slug:slug>/stage/", views.stage, name="stage"),
    path("<slug:slug>/outcomes/add/", views.outcome_add, name="outcome_add"),
    path("<slug:slug>/outcomes/agree/", views.outcomes_agree, name="outcomes_agree"),
    path("<slug:slug>/outcomes/<uuid:outcome_uuid>/", views.outcome_edit, name="outcome_edit"),
    path("<slug:slug>/members/", people_views.members, name="members"),
    path("<slug:slug>/members/handover/", people_views.handover, name="handover"),
    path("<slug:slug>/members/provider-lead/", people_views.provider_lead_invite, name="provider_lead_invite"),
    path("<slug:slug>/members/facilitator/", people_views.facilitator_propose, name="facilitator_propose"),
    path(
        "<slug:slug>/members/invitations/<uuid:invitation_uuid>/",
        people_views.invitation_decide,
        name="invitation_decide",
    ),
    path("<slug:slug>/members/<uuid:membership_uuid>/", people_views.member_edit, name="member_edit"),
    path("<slug:slug>/openness/", views.openness, name="openness"),
    path("<slug:slug>/openness/<uuid:proposal_uuid>/", views.openness_decide, name="openness_decide"),
    path("<slug:slug>/history/", views.history, name="history"),
]
