from django.urls import path

from partnering.risks import views

app_name = "risks"

BASE = "arrangements/<slug:slug>/risks/"

urlpatterns = [
    path(BASE, views.register, name="register"),
    path(f"{BASE}new/", views.risk_new, name="new"),
    path(f"{BASE}export.xlsx", views.export_xlsx, name="export_xlsx"),
    path(f"{BASE}export.csv", views.export_csv, name="export_csv"),
    path(f"{BASE}template.xlsx", views.template_xlsx, name="template"),
    path(f"{BASE}import/", views.risk_import, name="import"),
    path(f"{BASE}<uuid:risk_uuid>/", views.risk_detail, name="detail"),
    path(f"{BASE}<uuid:risk_uuid>/share/", views.risk_share, name="share"),
    path(f"{BASE}<uuid:risk_uuid>/actions/", views.risk_action_add, name="action_add"),
    path(f"{BASE}<uuid:risk_uuid>/comments/", views.risk_comment_add, name="comment_add"),
]
