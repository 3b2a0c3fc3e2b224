"""Writes of the Procurement Act features, for the pages and the API.

Who may do what (expressed here with the member's side and roles, on top of
`core.policy`; no new permission was added to the policy):

- The customer side's managers (members holding EDIT_ARRANGEMENT: SRO,
  relationship manager, contract manager) keep the contract facts, mark the
  published KPIs, draft and share assessments, rate KPIs and record breaches.
  The contract is the contracting authority's: the Act's duties are its own.
- The provider side (any member who may contribute) comments on or disagrees
  with a shared assessment.
- Only the customer's SRO approves an assessment: a member holding the SRO role
  on the customer side who also belongs to the customer organisation.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from partnering.arrangements.models import Membership
from partnering.core.choices import Role, Side, Visibility
from partnering.core.concurrency import save_versioned
from partnering.core.policy import Access, Perm
from partnering.kpis.models import Kpi
from partnering.procurement import ratings, selectors
from partnering.procurement.models import (
    AssessmentKind,
    AssessmentStatus,
    ContractFacts,
    Exemption,
    IssueKind,
    KpiRating,
    PerformanceAssessment,
    PerformanceIssue,
    ProviderResponse,
    PublishedKpi,
    Stance,
)

#: The contract facts a customer manager may change.
FACT_FIELDS = (
    "estimated_value",
    "regime",
    "exemption",
    "exemption_reason",
    "ocid",
    "notice_identifier",
    "buyer_scheme",
    "buyer_identifier",
    "supplier_scheme",
    "supplier_identifier",
    "terminated_on",
)
#: Provider-side roles told of a breach or performance failure first.
PROVIDER_LEADS = (Role.SRIE, Role.RELATIONSHIP_MANAGER, Role.CONTRACT_MANAGER)


def _stamp(record: Any, access: Access) -> None:
    """Name the person in the audit trail even outside a browser request (API tokens)."""
    record._history_user = access.user


def _require_customer_manager(access: Access) -> None:
    access.require(Perm.EDIT_ARRANGEMENT)
    if not access.is_customer:
        raise PermissionDenied("Only the customer side's managers keep the contract's Procurement Act records.")


def _require_customer_sro(access: Access) -> None:
    """Approval is the customer SRO's alone: the SRO role, on the customer side, of the customer organisation."""
    access.require(Perm.VIEW)
    organisation = getattr(access.user, "organisation_id", None)
    if not (access.is_customer and Role.SRO in access.roles and organisation == access.arrangement.customer_id):
        raise PermissionDenied("Only the customer's Senior Responsible Owner approves a contract performance notice.")


def _own(access: Access, record: Any) -> None:
    if record.arrangement_id != access.arrangement.pk:
        raise PermissionDenied


# -- contract facts ------------------------------------------------------------------


def _check_facts(facts: ContractFacts, access: Access) -> None:
    errors: dict[str, str] = {}
    if facts.exemption != Exemption.NONE and not facts.exemption_reason.strip():
        errors["exemption_reason"] = "Say why the exemption applies: the reason is kept with the record."
    if facts.ocid and not facts.ocid.startswith("ocds-"):
        errors["ocid"] = "An OCID starts with its publisher's prefix, for example ocds-h6vhtk-0001a2."
    start = access.arrangement.contract_start
    if facts.terminated_on and start and facts.terminated_on < start:
        errors["terminated_on"] = "The contract cannot end before it started."
    if facts.terminated_on and facts.terminated_on > timezone.localdate():
        errors["terminated_on"] = "Record a termination once it has happened."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def contract_facts_save(*, access: Access, expected_version: int, values: dict[str, Any]) -> ContractFacts:
    """Create or change the contract facts; a save based on an old version is refused (EditConflict)."""
    _require_customer_manager(access)
    unknown = set(values) - set(FACT_FIELDS)
    if unknown:
        raise ValidationError(f"Cannot change {', '.join(sorted(unknown))}.")
    cleaned = {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
    facts = ContractFacts.objects.filter(arrangement=access.arrangement).first()
    if facts is None:
        facts = ContractFacts(arrangement=access.arrangement, **cleaned)
        _check_facts(facts, access)
        facts.full_clean()
        _stamp(facts, access)
        facts.save()
        return facts
    for name, value in cleaned.items():
        setattr(facts, name, value)
    _check_facts(facts, access)
    _stamp(facts, access)
    return save_versioned(facts, expected_version=expected_version, fields=list(FACT_FIELDS))


# -- published KPIs ------------------------------------------------------------------------


@transaction.atomic
def kpi_publish(*, access: Access, kpi: Kpi) -> PublishedKpi:
    """Mark a KPI as one of the contract's published KPIs (s.52: at least three)."""
    _require_customer_manager(access)
    _own(access, kpi)
    if PublishedKpi.objects.filter(kpi=kpi).exists():
        raise ValidationError("This KPI is already one of the contract's published KPIs.")
    published = PublishedKpi(arrangement=access.arrangement, kpi=kpi, marked_by=access.user)
    _stamp(published, access)
    published.save()
    return published


@transaction.atomic
def kpi_unpublish(*, access: Access, kpi: Kpi) -> None:
    """Take a KPI off the published list; the ratings already given to it stay in their assessments."""
    _require_customer_manager(access)
    _own(access, kpi)
    published = PublishedKpi.objects.filter(kpi=kpi).first()
    if published is None:
        raise ValidationError("This KPI is not one of the contract's published KPIs.")
    _stamp(published, access)
    published.delete()


# -- assessments -------------------------------------------------------------------------


def _check_assessment(access: Access, assessment: PerformanceAssessment, *, editable: bool = True) -> None:
    _own(access, assessment)
    if editable and not assessment.is_editable:
        raise ValidationError("This assessment is approved: it can no longer be changed.")


@transaction.atomic
def assessment_start(
    *, access: Access, period_start: date, period_end: date, kind: str = AssessmentKind.ANNUAL, summary: str = ""
) -> PerformanceAssessment:
    """Start drafting an assessment: one rating per published KPI, each with the product's suggestion."""
    _require_customer_manager(access)
    if period_end < period_start:
        raise ValidationError({"period_end": "The period must end on or after the day it starts."})
    if kind not in AssessmentKind.values:
        raise ValidationError({"kind": "Choose an annual or a termination assessment."})
    kpis = list(selectors.published_kpis(access=access))
    if not kpis:
        raise ValidationError("Mark the contract's published KPIs first: an assessment rates each of them.")
    open_ = PerformanceAssessment.objects.filter(
        arrangement=access.arrangement, status__in=[AssessmentStatus.DRAFT, AssessmentStatus.SHARED]
    )
    if open_.exists():
        raise ValidationError("An assessment is already being prepared: approve it before starting another.")
    assessment = PerformanceAssessment(
        arrangement=access.arrangement,
        kind=kind,
        period_start=period_start,
        period_end=period_end,
        summary=summary.strip(),
        created_by=access.user,
    )
    assessment.full_clean()
    _stamp(assessment, access)
    assessment.save()
    suggestions = _suggestions(access, assessment, kpis)
    for kpi in kpis:
        rule = suggestions[kpi.pk]
        rating = KpiRating(assessment=assessment, kpi=kpi, suggested=rule.rating, suggestion_reason=rule.meaning[:300])
        _stamp(rating, access)
        rating.save()
    return assessment


def _suggestions(access: Access, assessment: PerformanceAssessment, kpis: list[Kpi]) -> dict[int, ratings.Rule]:
    values = selectors.period_values(assessment=assessment, kpis=kpis)
    return {
        k.pk: ratings.suggest(
            [v for _p, v in values.get(k.pk, [])],
            baseline=k.baseline_value,  # type: ignore[attr-defined]
            target=k.target_value,  # type: ignore[attr-defined]
            direction=k.direction,
        )
        for k in kpis
    }


@transaction.atomic
def rating_set(*, access: Access, rating: KpiRating, value: str, reason: str) -> KpiRating:
    """The customer's rating of one KPI, with its reasons. Every proposal is kept in the audit trail."""
    _require_customer_manager(access)
    assessment = PerformanceAssessment.objects.select_for_update().get(pk=rating.assessment_id)
    _check_assessment(access, assessment)
    errors = {}
    if value not in ratings.Rating.values:
        errors["rating"] = "Choose one of the Act's five ratings."
    if not reason.strip():
        errors["reason"] = "Give the reasons for the rating: the provider reads them before it is final."
    if errors:
        raise ValidationError(errors)
    rating.rating = value
    rating.reason = reason.strip()
    rating.rated_by = access.user
    _stamp(rating, access)
    rating.save(update_fields=["rating", "reason", "rated_by", "updated_at"])
    _touch(assessment, access)
    return rating


def _touch(assessment: PerformanceAssessment, access: Access) -> None:
    """Move the assessment's version on, so that a page open on the old one knows it changed."""
    assessment.version += 1
    _stamp(assessment, access)
    assessment.save(update_fields=["version", "updated_at"])


@transaction.atomic
def assessment_share(*, access: Access, assessment: PerformanceAssessment) -> PerformanceAssessment:
    """Show the draft to the provider ("no surprises"): from now on both sides see it and its ratings."""
    _require_customer_manager(access)
    assessment = PerformanceAssessment.objects.select_for_update().get(pk=assessment.pk)
    _check_assessment(access, assessment)
    if assessment.status != AssessmentStatus.DRAFT:
        raise ValidationError("This assessment has already been shared with the provider.")
    kpis = list(selectors.published_kpis(access=access).filter(pk__in=assessment.ratings.values("kpi_id")))
    suggestions = _suggestions(access, assessment, kpis)
    for rating in assessment.ratings.all():
        rating.visibility = Visibility.SHARED
        if rating.kpi_id in suggestions:  # refreshed: measurements may have come in since the draft began
            rating.suggested = suggestions[rating.kpi_id].rating
            rating.suggestion_reason = suggestions[rating.kpi_id].meaning[:300]
        _stamp(rating, access)
        rating.save(update_fields=["visibility", "suggested", "suggestion_reason", "updated_at"])
    assessment.status = AssessmentStatus.SHARED
    assessment.visibility = Visibility.SHARED
    assessment.shared_at = timezone.now()
    assessment.shared_by = access.user
    assessment.version += 1
    _stamp(assessment, access)
    assessment.save()
    return assessment


@transaction.atomic
def response_add(
    *, access: Access, assessment: PerformanceAssessment, text: str, stance: str = Stance.COMMENT, rating: Any = None
) -> ProviderResponse:
    """The provider comments on, or disagrees with, a shared assessment (or one KPI's rating)."""
    access.require(Perm.CONTRIBUTE)
    if not access.is_provider:
        raise PermissionDenied("Only the provider responds to the customer's assessment.")
    _check_assessment(access, assessment)
    if assessment.status != AssessmentStatus.SHARED:
        raise ValidationError("The provider responds once the customer has shared the assessment.")
    if rating is not None and rating.assessment_id != assessment.pk:
        raise PermissionDenied
    if stance not in Stance.values:
        raise ValidationError({"stance": "Choose comment or disagree."})
    if not text.strip():
        raise ValidationError({"text": "Write your response."})
    response = ProviderResponse(
        assessment=assessment, rating=rating, stance=stance, text=text.strip(), author=access.user
    )
    _stamp(response, access)
    response.save()
    return response


@transaction.atomic
def assessment_approve(*, access: Access, assessment: PerformanceAssessment) -> PerformanceAssessment:
    """The customer SRO's approval: the ratings become final and the period's figures are frozen with them."""
    _require_customer_sro(access)
    assessment = PerformanceAssessment.objects.select_for_update().get(pk=assessment.pk)
    _check_assessment(access, assessment)
    if assessment.status != AssessmentStatus.SHARED:
        raise ValidationError("Share the assessment with the provider before approving it: no surprises.")
    rows = list(assessment.ratings.select_related("kpi"))
    unrated = [r.kpi.name for r in rows if not r.rating or not r.reason]
    if unrated:
        raise ValidationError(f"Rate every published KPI, with reasons, first: {', '.join(unrated)}.")
    if assessment.issues.filter(provider_told_at__isnull=True).exists():
        raise ValidationError("Tell the provider of every breach or failure this notice carries first.")
    values = selectors.period_values(assessment=assessment, kpis=[r.kpi for r in rows])
    for rating in rows:
        rating.evidence = [[p.isoformat(), f"{v.normalize():f}"] for p, v in values.get(rating.kpi_id, [])]
        _stamp(rating, access)
        rating.save(update_fields=["evidence", "updated_at"])
    assessment.status = AssessmentStatus.APPROVED
    assessment.approved_at = timezone.now()
    assessment.approved_by = access.user
    assessment.version += 1
    _stamp(assessment, access)
    assessment.save()
    return assessment


@transaction.atomic
def assessment_record_publication(
    *, access: Access, assessment: PerformanceAssessment, published_on: date, platform_notice_id: str = ""
) -> PerformanceAssessment:
    """Record that a person published the notice on the platform (the product never publishes itself)."""
    _require_customer_manager(access)
    assessment = PerformanceAssessment.objects.select_for_update().get(pk=assessment.pk)
    _check_assessment(access, assessment, editable=False)
    if assessment.status != AssessmentStatus.APPROVED:
        raise ValidationError("Only an approved assessment, not yet recorded as published, can be recorded.")
    if published_on > timezone.localdate():
        raise ValidationError({"published_on": "Record the publication once it has happened."})
    if assessment.approved_at and published_on < timezone.localdate(assessment.approved_at):
        raise ValidationError({"published_on": "The notice cannot have been published before it was approved."})
    assessment.status = AssessmentStatus.PUBLISHED
    assessment.published_on = published_on
    assessment.platform_notice_id = platform_notice_id.strip()
    assessment.published_recorded_by = access.user
    assessment.version += 1
    _stamp(assessment, access)
    assessment.save()
    return assessment


# -- breaches and performance failures -------------------------------------------------------


@transaction.atomic
def issue_add(
    *,
    access: Access,
    kind: str,
    description: str,
    occurred_on: date,
    assessment: PerformanceAssessment | None = None,
) -> PerformanceIssue:
    """Record a breach or performance failure, seen by the customer only until the provider is told."""
    _require_customer_manager(access)
    if assessment is not None:
        _check_assessment(access, assessment)
    errors = {}
    if kind not in IssueKind.values:
        errors["kind"] = "Choose what kind of breach or failure it was."
    if not description.strip():
        errors["description"] = "Describe what happened."
    if occurred_on > timezone.localdate():
        errors["occurred_on"] = "Record it once it has happened."
    if errors:
        raise ValidationError(errors)
    issue = PerformanceIssue(
        arrangement=access.arrangement,
        assessment=assessment,
        kind=kind,
        description=description.strip(),
        occurred_on=occurred_on,
        created_by=access.user,
    )
    issue.full_clean()
    _stamp(issue, access)
    issue.save()
    return issue


@transaction.atomic
def issue_tell_provider(*, access: Access, issue: PerformanceIssue) -> PerformanceIssue:
    """Tell the provider first: the issue becomes visible to them and their leads are e-mailed.

    Until then it stays on the customer side, and an assessment that carries it
    cannot be approved.
    """
    _require_customer_manager(access)
    _own(access, issue)
    issue = PerformanceIssue.objects.select_for_update().get(pk=issue.pk)
    if issue.provider_told_at is not None:
        raise ValidationError("The provider has already been told of this.")
    issue.provider_told_at = timezone.now()
    issue.provider_told_by = access.user
    issue.visibility = Visibility.SHARED
    _stamp(issue, access)
    issue.save()
    _email_provider(access, issue)
    return issue


def _email_provider(access: Access, issue: PerformanceIssue) -> None:
    arrangement = access.arrangement
    members = Membership.objects.filter(arrangement=arrangement, side=Side.PROVIDER, is_active=True)
    leads = members.filter(role_assignments__role__in=PROVIDER_LEADS, role_assignments__ended_at__isnull=True)
    emails = sorted(
        set(leads.values_list("user__email", flat=True)) or set(members.values_list("user__email", flat=True))
    )
    if not emails:
        return
    link = settings.SITE_URL.rstrip("/") + reverse("procurement:overview", kwargs={"slug": arrangement.slug})
    context = {"issue": issue, "arrangement": arrangement, "link": link, "told_by": access.user}
    subject = f"{arrangement.title}: {issue.get_kind_display().lower()} recorded for the contract performance notice"
    body = render_to_string("procurement/email/issue.txt", context)
    transaction.on_commit(lambda: send_mail(subject, body, None, emails))
