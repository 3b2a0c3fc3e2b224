from django.urls import path

from partnering.charter import views

app_name = "charter"

BASE = "arrangements/<slug:slug>/charter/"

urlpatterns = [
    path(BASE, views.detail, name="detail"),
    path(f"{BASE}edit/", views.edit, name="edit"),
    path(f"{BASE}compare/", views.compare, name="compare"),
    path(f"{BASE}versions/<uuid:version_uuid>/", views.version, name="version"),
    path(f"{BASE}versions/<uuid:version_uuid>/sign/", views.sign, name="sign"),
    path(f"{BASE}versions/<uuid:version_uuid>/comments/", views.comment_add, name="comment_add"),
    path(f"{BASE}workshops/new/", views.workshop_new, name="workshop_new"),
    path(f"{BASE}workshops/<uuid:workshop_uuid>/", views.workshop, name="workshop"),
]
