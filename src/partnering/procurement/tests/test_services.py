"""The assessment's life: drafted by the customer, shared, answered by the provider, approved by the SRO."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from partnering.core.choices import Role, Side
from partnering.procurement import services
from partnering.procurement.models import AssessmentStatus, KpiRating, PublishedKpi
from partnering.testing import UserFactory, add_member

from .conftest import rate_all


def test_each_published_kpi_gets_a_suggested_rating_from_its_figures(world, draft):
    suggested = {r.kpi.name: r.suggested for r in draft.ratings.select_related("kpi")}

    assert suggested == {
        "Calls answered in 60 seconds": "good",
        "First-time fix": "approaching_target",
        "Forms completed unaided": "inadequate",
    }
    assert all(not r.rating for r in draft.ratings.all()), "the product suggests; it never rates"


def test_an_exemption_needs_a_reason(world):
    with pytest.raises(ValidationError) as exc:
        services.contract_facts_save(
            access=world.access(world.alice), expected_version=0, values={"exemption": "framework"}
        )

    assert "exemption_reason" in exc.value.message_dict


def test_only_customer_managers_keep_the_contract_facts(world):
    with pytest.raises(PermissionDenied):
        services.contract_facts_save(
            access=world.access(world.bob), expected_version=0, values={"estimated_value": Decimal("1")}
        )


def test_the_provider_cannot_mark_published_kpis(world, three_kpis):
    with pytest.raises(PermissionDenied):
        services.kpi_unpublish(access=world.access(world.bob), kpi=three_kpis[0])
    assert PublishedKpi.objects.count() == 3


def test_a_rating_needs_reasons(world, draft):
    rating = draft.ratings.first()

    with pytest.raises(ValidationError) as exc:
        services.rating_set(access=world.access(world.alice), rating=rating, value="good", reason=" ")

    assert "reason" in exc.value.message_dict


def test_the_provider_responds_only_once_the_assessment_is_shared(world, draft):
    with pytest.raises(ValidationError):
        services.response_add(access=world.access(world.bob), assessment=draft, text="We disagree.")


def test_the_provider_may_disagree_with_one_rating_and_it_is_recorded(world, shared):
    rating = shared.ratings.first()

    response = services.response_add(
        access=world.access(world.bob), assessment=shared, rating=rating, stance="disagree", text="The data is late."
    )

    assert response.rating == rating and response.author == world.bob
    assert response.history.count() == 1


def test_the_customer_cannot_respond_as_the_provider(world, shared):
    with pytest.raises(PermissionDenied):
        services.response_add(access=world.access(world.alice), assessment=shared, text="Fine.")


def test_approval_needs_the_assessment_shared_first(world, draft):
    rate_all(world, draft)

    with pytest.raises(ValidationError, match="Share"):
        services.assessment_approve(access=world.access(world.alice), assessment=draft)


def test_approval_needs_every_kpi_rated(world, draft):
    services.assessment_share(access=world.access(world.alice), assessment=draft)

    with pytest.raises(ValidationError, match="Rate every published KPI"):
        services.assessment_approve(access=world.access(world.alice), assessment=draft)


@pytest.mark.parametrize("who", ["carol", "bob", "peter"])
def test_only_the_customer_sro_approves(world, shared, who):
    with pytest.raises(PermissionDenied):
        services.assessment_approve(access=world.access(getattr(world, who)), assessment=shared)


def test_an_sro_of_another_organisation_does_not_approve(world, shared):
    # An SRO role given to someone who does not belong to the customer organisation.
    from partnering.arrangements.models import RoleAssignment

    RoleAssignment.objects.filter(arrangement=world.arrangement, role=Role.SRO).update(ended_at="2026-01-01T00:00Z")
    stranger = UserFactory(email="sro@elsewhere.example", organisation=world.provider)
    add_member(world.arrangement, stranger, Side.CUSTOMER, Role.SRO)

    with pytest.raises(PermissionDenied):
        services.assessment_approve(access=world.access(stranger), assessment=shared)


def test_the_sro_approves_and_the_figures_are_frozen(world, approved):
    assert approved.status == AssessmentStatus.APPROVED and approved.approved_by == world.alice
    calls = approved.ratings.get(kpi__name="Calls answered in 60 seconds")
    assert calls.evidence == [["2025-04-01", "85"], ["2025-05-01", "88"], ["2025-06-01", "91"], ["2025-07-01", "92"]]


def test_an_approved_assessment_cannot_be_rerated(world, approved):
    with pytest.raises(ValidationError):
        services.rating_set(
            access=world.access(world.alice), rating=approved.ratings.first(), value="other", reason="x"
        )


def test_every_proposed_and_final_rating_is_in_the_audit_trail(world, draft):
    rating = draft.ratings.get(kpi__name="First-time fix")
    alice = world.access(world.alice)
    services.rating_set(access=alice, rating=rating, value="good", reason="First go.")
    services.rating_set(access=alice, rating=rating, value="approaching_target", reason="On reflection.")

    values = list(KpiRating.history.filter(id=rating.pk).order_by("history_date").values_list("rating", "reason"))

    assert values == [("", ""), ("good", "First go."), ("approaching_target", "On reflection.")]


def test_publication_is_recorded_after_approval(world, approved):
    done = services.assessment_record_publication(
        access=world.access(world.carol), assessment=approved, published_on=date.today(), platform_notice_id="UK9-1"
    )

    assert done.status == AssessmentStatus.PUBLISHED and done.published_on == date.today()


def test_publication_cannot_be_recorded_before_approval(world, shared):
    with pytest.raises(ValidationError):
        services.assessment_record_publication(
            access=world.access(world.alice), assessment=shared, published_on=date.today()
        )


def test_one_assessment_at_a_time(world, draft):
    with pytest.raises(ValidationError, match="already being prepared"):
        services.assessment_start(
            access=world.access(world.alice), period_start=date(2026, 4, 1), period_end=date(2026, 11, 30)
        )


def test_an_assessment_needs_published_kpis(world, in_scope):
    with pytest.raises(ValidationError, match="published KPIs first"):
        services.assessment_start(
            access=world.access(world.alice), period_start=date(2025, 4, 1), period_end=date(2026, 3, 31)
        )


# -- breaches: the provider told first ---------------------------------------------


def test_a_breach_is_the_customers_alone_until_the_provider_is_told(world, draft, django_capture_on_commit_callbacks):
    issue = services.issue_add(
        access=world.access(world.alice),
        kind="poor_performance",
        description="Release 2 missed after an improvement notice.",
        occurred_on=date(2026, 2, 1),
        assessment=draft,
    )
    from partnering.procurement import selectors

    assert not selectors.issues_visible(access=world.access(world.bob)).exists()

    with django_capture_on_commit_callbacks(execute=True):
        services.issue_tell_provider(access=world.access(world.alice), issue=issue)

    assert selectors.issues_visible(access=world.access(world.bob)).get() == issue
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["bob@brightwave.example"]
    assert "Release 2 missed" in mail.outbox[0].body


def test_an_assessment_carrying_an_untold_breach_is_not_approved(world, shared):
    services.issue_add(
        access=world.access(world.alice),
        kind="breach_damages",
        description="Data loss.",
        occurred_on=date(2026, 1, 5),
        assessment=shared,
    )

    with pytest.raises(ValidationError, match="Tell the provider"):
        services.assessment_approve(access=world.access(world.alice), assessment=shared)
