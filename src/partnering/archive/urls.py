from django.urls import path

from partnering.archive import views

app_name = "archive"

A = "arrangements/<slug:slug>/"

urlpatterns = [
    path(A + "export/", views.export_page, name="export"),
    path(A + "export/archive.zip", views.export_download, name="export_download"),
    path(A + "gateway/", views.gateway_list, name="gateway"),
    path(A + "gateway/<int:gate>/generate/", views.gateway_generate, name="gateway_generate"),
    path(A + "gateway/<int:gate>/pack.pdf", views.gateway_pdf, name="gateway_pdf"),
    path("accounts/settings/reminders/", views.reminder_settings, name="reminder_settings"),
]
