"""Assessment reports (PDF and XLSX). Being written: see the reports helper."""

from django.http import HttpRequest, HttpResponse

from partnering.core.gate import arrangement_page
from partnering.core.policy import Access, Perm


@arrangement_page(Perm.VIEW)
def report_pdf(request: HttpRequest, access: Access, assessment_uuid: str) -> HttpResponse:
    raise NotImplementedError


@arrangement_page(Perm.VIEW)
def report_xlsx(request: HttpRequest, access: Access, assessment_uuid: str) -> HttpResponse:
    raise NotImplementedError
