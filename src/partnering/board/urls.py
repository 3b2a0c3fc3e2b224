from django.urls import path

from partnering.board import views

app_name = "board"

BASE = "arrangements/<slug:slug>/board/"

urlpatterns = [
    path(BASE, views.detail, name="detail"),
    path(f"{BASE}members/", views.members, name="members"),
    path(f"{BASE}decisions/", views.decisions, name="decisions"),
    path(f"{BASE}decisions/<uuid:decision_uuid>/", views.decision, name="decision"),
    path(f"{BASE}meetings/new/", views.meeting_new, name="meeting_new"),
    path(f"{BASE}meetings/<uuid:meeting_uuid>/", views.meeting, name="meeting"),
    path(f"{BASE}meetings/<uuid:meeting_uuid>/decisions/", views.decision_add, name="decision_add"),
    path(f"{BASE}meetings/<uuid:meeting_uuid>/actions/", views.action_add, name="action_add"),
    path(f"{BASE}meetings/<uuid:meeting_uuid>/pack.pdf", views.pack_pdf, name="pack"),
]
