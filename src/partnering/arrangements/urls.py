from django.urls import path

from partnering.arrangements import views

app_name = "arrangements"

urlpatterns = [
    path("", views.arrangement_list, name="list"),
    path("new/", views.arrangement_create, name="create"),
    path("<slug:slug>/", views.overview, name="overview"),
    path("<slug:slug>/edit/", views.edit, name="edit"),
    path("<slug:slug>/stage/", views.stage, name="stage"),
    path("<slug:slug>/outcomes/add/", views.outcome_add, name="outcome_add"),
    path("<slug:slug>/outcomes/agree/", views.outcomes_agree, name="outcomes_agree"),
    path("<slug:slug>/outcomes/<uuid:outcome_uuid>/", views.outcome_edit, name="outcome_edit"),
    path("<slug:slug>/members/", views.members, name="members"),
    path("<slug:slug>/members/<uuid:membership_uuid>/", views.member_edit, name="member_edit"),
    path("<slug:slug>/openness/", views.openness, name="openness"),
    path("<slug:slug>/openness/<uuid:proposal_uuid>/", views.openness_decide, name="openness_decide"),
    path("<slug:slug>/history/", views.history, name="history"),
]
