from django.urls import path

from partnering.relationships import views

app_name = "relationships"

BASE = "arrangements/<slug:slug>/people/"

urlpatterns = [
    path(f"{BASE}peers/", views.peers, name="peers"),
    path(f"{BASE}peers/<uuid:peer_uuid>/", views.peer_edit, name="peer_edit"),
    path(f"{BASE}peers/<uuid:peer_uuid>/remove/", views.peer_remove, name="peer_remove"),
    path(f"{BASE}changes/", views.key_people, name="key_people"),
    path(
        "arrangements/<slug:slug>/actions/<uuid:action_uuid>/discussion/",
        views.action_discussion,
        name="action_discussion",
    ),
]
