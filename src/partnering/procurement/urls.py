from django.urls import path

from partnering.procurement import views

app_name = "procurement"

BASE = "arrangements/<slug:slug>/procurement/"
ASSESSMENT = f"{BASE}assessments/<uuid:assessment_uuid>/"

urlpatterns = [
    path(BASE, views.overview, name="overview"),
    path(f"{BASE}contract/", views.facts_edit, name="facts_edit"),
    path(f"{BASE}kpis/<uuid:kpi_uuid>/publish/", views.kpi_publish, {"publish": True}, name="kpi_publish"),
    path(f"{BASE}kpis/<uuid:kpi_uuid>/unpublish/", views.kpi_publish, {"publish": False}, name="kpi_unpublish"),
    path(f"{BASE}assessments/new/", views.assessment_new, name="assessment_new"),
    path(f"{BASE}breaches/new/", views.issue_new, name="issue_new"),
    path(f"{BASE}breaches/<uuid:issue_uuid>/tell/", views.issue_tell, name="issue_tell"),
    path(ASSESSMENT, views.assessment_detail, name="assessment"),
    path(f"{ASSESSMENT}ratings/<uuid:rating_uuid>/", views.rating_set, name="rating_set"),
    path(f"{ASSESSMENT}share/", views.assessment_share, name="share"),
    path(f"{ASSESSMENT}respond/", views.response_add, name="respond"),
    path(f"{ASSESSMENT}approve/", views.assessment_approve, name="approve"),
    path(f"{ASSESSMENT}published/", views.publication_record, name="publication"),
    path(f"{ASSESSMENT}notice/", views.notice_preview, name="notice"),
    path(f"{ASSESSMENT}notice.json", views.notice_json, name="notice_json"),
    path(f"{ASSESSMENT}record.xlsx", views.record_xlsx, name="record_xlsx"),
    path(f"{ASSESSMENT}record.pdf", views.record_pdf, name="record_pdf"),
]
