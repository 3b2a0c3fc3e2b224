from django.urls import path

from partnering.kpis import views

app_name = "kpis"

BASE = "arrangements/<slug:slug>/kpis/"
KPI = f"{BASE}<uuid:kpi_uuid>/"

urlpatterns = [
    path(BASE, views.kpi_list, name="list"),
    path(f"{BASE}new/", views.kpi_new, name="new"),
    path(f"{BASE}import/", views.measurement_import, name="import"),
    path(f"{BASE}template.xlsx", views.template_xlsx, name="template"),
    path(f"{BASE}measurements.csv", views.export_csv, name="export_csv"),
    path(KPI, views.kpi_detail, name="detail"),
    path(f"{KPI}edit/", views.kpi_edit, name="edit"),
    path(f"{KPI}baseline/", views.propose, {"what": "baseline"}, name="baseline_propose"),
    path(f"{KPI}target/", views.propose, {"what": "target"}, name="target_propose"),
    path(f"{KPI}baseline/<uuid:baseline_uuid>/agree/", views.agree, {"what": "baseline"}, name="baseline_agree"),
    path(f"{KPI}target/<uuid:target_uuid>/agree/", views.agree, {"what": "target"}, name="target_agree"),
    path(f"{KPI}measurements/", views.measurement_add, name="measurement_add"),
    path(f"{KPI}measurements/<uuid:measurement_uuid>/", views.measurement_edit, name="measurement_edit"),
]
