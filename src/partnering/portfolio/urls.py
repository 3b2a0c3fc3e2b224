from django.urls import path

from partnering.portfolio import views

app_name = "portfolio"

urlpatterns = [
    path("portfolio/", views.index, name="index"),
    path("arrangements/<slug:slug>/warnings/", views.arrangement_warnings, name="warnings"),
]
