from django.urls import path

from partnering.actions import views

app_name = "actions"

urlpatterns = [
    path("actions/", views.my_actions, name="mine"),
    path("arrangements/<slug:slug>/actions/", views.arrangement_actions, name="list"),
    path("arrangements/<slug:slug>/actions/<uuid:action_uuid>/", views.action_edit, name="edit"),
]
