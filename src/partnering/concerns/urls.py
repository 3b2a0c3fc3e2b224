from django.urls import path

from partnering.concerns import views

app_name = "concerns"

BASE = "arrangements/<slug:slug>/concerns/"

urlpatterns = [
    path(BASE, views.concern_list, name="list"),
    path(f"{BASE}new/", views.concern_new, name="new"),
    path(f"{BASE}<uuid:concern_uuid>/", views.concern_detail, name="detail"),
    path(f"{BASE}<uuid:concern_uuid>/escalate/", views.concern_escalate, name="escalate"),
    path(f"{BASE}<uuid:concern_uuid>/share/", views.concern_share, name="share"),
    path(f"{BASE}<uuid:concern_uuid>/statement/", views.concern_statement, name="statement"),
    path(f"{BASE}<uuid:concern_uuid>/resolve/", views.concern_resolve, name="resolve"),
    path(f"{BASE}<uuid:concern_uuid>/comments/", views.concern_comment_add, name="comment_add"),
]
