from django.urls import path

from partnering.assessments import reports, views

app_name = "assessments"

A = "arrangements/<slug:slug>/assessments/"

urlpatterns = [
    path(A, views.assessment_list, name="list"),
    path(A + "<uuid:assessment_uuid>/", views.assessment_detail, name="detail"),
    path(A + "<uuid:assessment_uuid>/answer/", views.answer, name="answer"),
    path(A + "<uuid:assessment_uuid>/autosave/", views.autosave, name="autosave"),
    path(A + "<uuid:assessment_uuid>/side/", views.side, name="side"),
    path(A + "<uuid:assessment_uuid>/results/", views.results, name="results"),
    path(A + "<uuid:assessment_uuid>/report.pdf", reports.report_pdf, name="report_pdf"),
    path(A + "<uuid:assessment_uuid>/answers.xlsx", reports.report_xlsx, name="report_xlsx"),
    path(A + "<uuid:assessment_uuid>/questions/<str:question_id>/action/", views.action_from, name="action_from"),
    path(A + "trend/<slug:bank_key>/", views.trend, name="trend"),
    path(A + "pulse/new/", views.pulse_new, name="pulse_new"),
    path(A + "pulse/<uuid:survey_uuid>/", views.pulse_results_view, name="pulse_results"),
    path(A + "pulse/<uuid:survey_uuid>/invite/", views.pulse_invite_view, name="pulse_invite"),
    path("banks/", views.bank_list, name="banks"),
    path("banks/<slug:bank_key>/v<int:version>/", views.bank_detail, name="bank_detail"),
    path("pulse/<str:token>/", views.pulse_public, name="pulse_public"),
]
