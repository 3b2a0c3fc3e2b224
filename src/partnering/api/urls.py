"""The REST API, version 1, mounted at /api/v1/.

Everything inside an arrangement hangs under arrangements/{arrangement_slug}/;
records are named by slug or UUID, never by database id.
"""

from django.urls import path
from rest_framework.routers import SimpleRouter

from partnering.actions.api import ActionViewSet, MyActionsView
from partnering.api.views_base import SLUG_REGEX
from partnering.arrangements.api import (
    ArrangementViewSet,
    MemberViewSet,
    OpennessProposalViewSet,
    OpennessViewSet,
    OrganisationViewSet,
    OutcomeViewSet,
)
from partnering.arrangements.people_api import InvitationViewSet, MyInvitationsView

NESTED = rf"arrangements/(?P<arrangement_slug>{SLUG_REGEX})"

router = SimpleRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("arrangements", ArrangementViewSet, basename="arrangement")
router.register(rf"{NESTED}/members", MemberViewSet, basename="arrangement-member")
router.register(rf"{NESTED}/outcomes", OutcomeViewSet, basename="arrangement-outcome")
router.register(rf"{NESTED}/invitations", InvitationViewSet, basename="arrangement-invitation")
router.register(
    rf"{NESTED}/openness/proposals",
    OpennessProposalViewSet,
    basename="arrangement-openness-proposal",
)
router.register(rf"{NESTED}/actions", ActionViewSet, basename="arrangement-action")

app_name = "api"

urlpatterns = [
    path("invitations/mine/", MyInvitationsView.as_view({"get": "list"}), name="my-invitations"),
    path(
        "invitations/mine/<uuid:uuid>/accept/",
        MyInvitationsView.as_view({"post": "accept"}),
        name="my-invitation-accept",
    ),
    path(
        "invitations/mine/<uuid:uuid>/decline/",
        MyInvitationsView.as_view({"post": "decline"}),
        name="my-invitation-decline",
    ),
    path("actions/mine/", MyActionsView.as_view(), name="my-actions"),
    path(
        "arrangements/<slug:arrangement_slug>/openness/",
        OpennessViewSet.as_view({"get": "current", "post": "propose"}),
        name="arrangement-openness",
    ),
    *router.urls,
]

# -- risks (partnering.risks) ---------------------------------------------------
from partnering.risks.api import RiskViewSet  # noqa: E402

_risks = SimpleRouter()
_risks.register(rf"{NESTED}/risks", RiskViewSet, basename="arrangement-risk")
urlpatterns += _risks.urls

# -- assessments (partnering.assessments) ----------------------------------------
from partnering.assessments.api import AssessmentViewSet, BankViewSet  # noqa: E402

_assessments = SimpleRouter()
_assessments.register(rf"{NESTED}/assessments", AssessmentViewSet, basename="arrangement-assessment")
urlpatterns += [
    path("banks/", BankViewSet.as_view({"get": "list", "post": "create"}), name="bank-list"),
    path("banks/<slug:key>/v<int:version>/", BankViewSet.as_view({"get": "retrieve"}), name="bank-detail"),
    *_assessments.urls,
]

# -- concerns and peers (partnering.concerns, partnering.relationships) ----------
from partnering.concerns.api import ConcernViewSet  # noqa: E402
from partnering.relationships.api import PeerPairViewSet  # noqa: E402

_concerns = SimpleRouter()
_concerns.register(rf"{NESTED}/concerns", ConcernViewSet, basename="arrangement-concern")
_concerns.register(rf"{NESTED}/peers", PeerPairViewSet, basename="arrangement-peer")
urlpatterns += _concerns.urls

# -- charter and board (partnering.charter, partnering.board) --------------------
from partnering.board.api import DecisionViewSet, MeetingViewSet  # noqa: E402
from partnering.charter.api import CharterVersionViewSet  # noqa: E402

_charter_board = SimpleRouter()
_charter_board.register(rf"{NESTED}/charter/versions", CharterVersionViewSet, basename="arrangement-charter-version")
_charter_board.register(rf"{NESTED}/board/meetings", MeetingViewSet, basename="arrangement-board-meeting")
_charter_board.register(rf"{NESTED}/board/decisions", DecisionViewSet, basename="arrangement-board-decision")
urlpatterns += _charter_board.urls

# -- KPIs (partnering.kpis) -----------------------------------------------------------
from partnering.kpis.api import KpiViewSet  # noqa: E402

_kpis = SimpleRouter()
_kpis.register(rf"{NESTED}/kpis", KpiViewSet, basename="arrangement-kpi")
urlpatterns += _kpis.urls

# -- portfolio and early warnings (partnering.portfolio) ------------------------------
from partnering.portfolio.api import PortfolioView, WarningsView  # noqa: E402

urlpatterns += [
    path("portfolio/", PortfolioView.as_view(), name="portfolio"),
    path("arrangements/<slug:arrangement_slug>/warnings/", WarningsView.as_view(), name="arrangement-warnings"),
]

# -- lessons and exit (partnering.lessons, partnering.exit) ---------------------------
from partnering.exit.api import ExitStrategyAgreeView, ExitStrategyView, HandoverItemsView  # noqa: E402
from partnering.lessons.api import LessonSearchView, LessonViewSet  # noqa: E402

_lessons = SimpleRouter()
_lessons.register(rf"{NESTED}/lessons", LessonViewSet, basename="arrangement-lesson")
urlpatterns += [
    path("lessons/", LessonSearchView.as_view(), name="lesson-search"),
    path("arrangements/<slug:arrangement_slug>/exit-strategy/", ExitStrategyView.as_view(), name="arrangement-exit"),
    path(
        "arrangements/<slug:arrangement_slug>/exit-strategy/agree/",
        ExitStrategyAgreeView.as_view(),
        name="arrangement-exit-agree",
    ),
    path(
        "arrangements/<slug:arrangement_slug>/exit-strategy/handover/",
        HandoverItemsView.as_view(),
        name="arrangement-exit-handover",
    ),
    *_lessons.urls,
]

# -- open book and incentives (partnering.finance) ------------------------------
from partnering.finance.api import CostLineViewSet, IncentiveMechanismViewSet  # noqa: E402

_finance = SimpleRouter()
_finance.register(rf"{NESTED}/finance/lines", CostLineViewSet, basename="arrangement-cost-line")
_finance.register(rf"{NESTED}/finance/incentives", IncentiveMechanismViewSet, basename="arrangement-incentive")
urlpatterns += _finance.urls

# -- the Procurement Act 2023 (partnering.procurement) ----------------------------------
from partnering.procurement.api import (  # noqa: E402
    PerformanceAssessmentViewSet,
    PerformanceIssueViewSet,
    ProcurementView,
    PublishedKpisView,
)

_procurement = SimpleRouter()
_procurement.register(
    rf"{NESTED}/procurement/assessments", PerformanceAssessmentViewSet, basename="arrangement-performance-assessment"
)
_procurement.register(
    rf"{NESTED}/procurement/breaches", PerformanceIssueViewSet, basename="arrangement-performance-issue"
)
urlpatterns += [
    path(
        "arrangements/<slug:arrangement_slug>/procurement/", ProcurementView.as_view(), name="arrangement-procurement"
    ),
    path(
        "arrangements/<slug:arrangement_slug>/procurement/published-kpis/",
        PublishedKpisView.as_view(),
        name="arrangement-procurement-published-kpis",
    ),
    *_procurement.urls,
]

# -- what is waiting for the caller (partnering.tasks) ------------------------------
from partnering.tasks.api import MyTasksView  # noqa: E402

urlpatterns += [path("me/tasks/", MyTasksView.as_view(), name="my-tasks")]
