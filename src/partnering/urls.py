from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from partnering.core import views as core_views
from partnering.tasks import views as task_views

handler400 = "partnering.core.views.error_400"
handler403 = "partnering.core.views.error_403"
handler404 = "partnering.core.views.error_404"
handler500 = "partnering.core.views.error_500"

urlpatterns = [
    path("", task_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accessibility/", core_views.accessibility, name="accessibility"),
    path("accounts/", include("partnering.accounts.urls")),
    path("arrangements/", include("partnering.arrangements.urls")),
    path("", include("partnering.assessments.urls")),
    path("", include("partnering.actions.urls")),
    path("", include("partnering.risks.urls")),
    path("", include("partnering.charter.urls")),
    path("", include("partnering.board.urls")),
    path("", include("partnering.concerns.urls")),
    path("", include("partnering.relationships.urls")),
    path("", include("partnering.kpis.urls")),
    path("", include("partnering.finance.urls")),
    path("", include("partnering.portfolio.urls")),
    path("", include("partnering.lessons.urls")),
    path("", include("partnering.exit.urls")),
    path("", include("partnering.archive.urls")),
    path("", include("partnering.procurement.urls")),
    path("api/v1/", include("partnering.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
