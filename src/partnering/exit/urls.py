from django.urls import path

from partnering.exit import views

app_name = "exit"

BASE = "arrangements/<slug:slug>/exit/"

urlpatterns = [
    path(BASE, views.detail, name="detail"),
    path(f"{BASE}agree/", views.agree, name="agree"),
    path(f"{BASE}handover/", views.item_add, name="item_add"),
    path(f"{BASE}handover/<uuid:item_uuid>/", views.item_edit, name="item_edit"),
    path(f"{BASE}handover/<uuid:item_uuid>/done/", views.item_done, name="item_done"),
]
