from django.urls import path

from partnering.lessons import views

app_name = "lessons"

BASE = "arrangements/<slug:slug>/lessons/"

urlpatterns = [
    path("lessons/", views.search, name="search"),
    path("lessons/<uuid:lesson_uuid>/", views.read, name="read"),
    path(BASE, views.lesson_list, name="list"),
    path(f"{BASE}new/", views.lesson_new, name="new"),
    path(f"{BASE}<uuid:lesson_uuid>/", views.lesson_detail, name="detail"),
    path(f"{BASE}<uuid:lesson_uuid>/publish/", views.lesson_publish, name="publish"),
]
