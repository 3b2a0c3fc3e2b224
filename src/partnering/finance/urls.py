from django.urls import path

from partnering.finance import views

app_name = "finance"

BASE = "arrangements/<slug:slug>/finance/"

urlpatterns = [
    path(BASE, views.books, name="books"),
    path(f"{BASE}lines/", views.lines, name="lines"),
    path(f"{BASE}lines/new/", views.line_new, name="line_new"),
    path(f"{BASE}lines/import/", views.line_import, name="import"),
    path(f"{BASE}lines/<uuid:line_uuid>/", views.line_detail, name="line"),
    path(f"{BASE}export.xlsx", views.export_xlsx, name="export_xlsx"),
    path(f"{BASE}export.csv", views.export_csv, name="export_csv"),
    path(f"{BASE}template.xlsx", views.template_xlsx, name="template"),
    path(f"{BASE}constraints/new/", views.constraint_new, name="constraint_new"),
    path(f"{BASE}measures/", views.measures, name="measures"),
    path(f"{BASE}settings/", views.settings, name="settings"),
    path(f"{BASE}incentives/", views.incentives, name="incentives"),
    path(f"{BASE}incentives/<uuid:mechanism_uuid>/", views.incentive_detail, name="incentive"),
    path(f"{BASE}incentives/<uuid:mechanism_uuid>/change/", views.incentive_change, name="incentive_change"),
    path(f"{BASE}incentives/proposals/<uuid:proposal_uuid>/agree/", views.proposal_agree, name="proposal_agree"),
    path(
        f"{BASE}incentives/proposals/<uuid:proposal_uuid>/withdraw/",
        views.proposal_withdraw,
        name="proposal_withdraw",
    ),
]
