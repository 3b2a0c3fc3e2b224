"""Writes to the shared risk register, for the pages, the API and the import.

Each risk says who owns it and why that party is best placed to manage it
(the guide: "clarity of who is responsible for and manages which risks is
also essential"). Private risks exist only when the agreed degree of openness
says there is no single risk register.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from partnering.actions.models import Action
from partnering.actions.services import action_create
from partnering.arrangements.models import Arrangement, Membership
from partnering.core import references
from partnering.core.choices import Side, Visibility
from partnering.core.concurrency import save_versioned
from partnering.core.policy import Access, Perm
from partnering.risks import scoring
from partnering.risks.models import OwningSide, Risk, RiskComment, RiskStatus

#: Fields a member may change on an existing risk (visibility changes only by sharing).
EDITABLE_FIELDS = (
    "title",
    "description",
    "category",
    "owning_side",
    "owner",
    "owner_rationale",
    "likelihood",
    "impact",
    "proximity",
    "response",
    "status",
    "next_review_date",
)

#: Risks are numbered R-001 (shared), RC-001 (customer only), RP-001 (provider only): see core.references.
LETTER = "R"


def format_reference(number: int, visibility: str = Visibility.SHARED) -> str:
    return references.format_reference(LETTER, visibility, number)


def reference_number(reference: str, visibility: str = Visibility.SHARED) -> int:
    """The number of an automatic reference of that visibility's sequence ("R-042" → 42), 0 for any other."""
    found = references.parse(LETTER, reference)
    return found[1] if found is not None and found[0] == visibility else 0


def check_given_reference(reference: str, visibility: str) -> None:
    """A reference given by hand (the import, the API's callers) is for a shared risk, never in a
    private sequence's style: private risks are numbered in their side's own sequence."""
    if not reference:
        return
    if visibility != Visibility.SHARED:
        raise ValidationError(
            {"reference": "A private risk is numbered in its side's own sequence: leave the reference blank."}
        )
    if references.is_private_style(LETTER, reference):
        raise ValidationError(
            {
                "reference": f"{reference} is a private risk's style of reference. Leave the reference blank for a new risk."
            }
        )


# -- openness ---------------------------------------------------------------------


def may_keep_private_risks(access: Access) -> bool:
    """ "How open should the relationship be?": without a single risk register
    each side may keep risks to itself until it shares them. The neutral
    facilitator has no side to keep them for.

    (A candidate for `Access` in core.policy, next to `sees_book_of`.)
    """
    return not access.openness.single_risk_register and access.side in (Side.CUSTOMER, Side.PROVIDER)


def check_visibility(access: Access, visibility: str) -> None:
    """A new risk is shared, or private to the creator's own side when openness allows."""
    if visibility == Visibility.SHARED:
        return
    if visibility not in (Visibility.CUSTOMER_ONLY, Visibility.PROVIDER_ONLY):
        raise ValidationError({"visibility": "Choose who can see this risk."})
    if not may_keep_private_risks(access):
        raise ValidationError({"visibility": "This arrangement keeps a single risk register: every risk is shared."})
    if visibility != access.side:
        raise ValidationError({"visibility": "A private risk can only be private to your own side."})


def members_by_user(arrangement: Arrangement) -> dict[int, str]:
    """Active members' sides by user id: one query, for checking owners in bulk."""
    return dict(Membership.objects.filter(arrangement=arrangement, is_active=True).values_list("user_id", "side"))


def owner_error(*, owner_side: str | None, owning_side: str, visibility: str) -> str | None:
    """Why this person cannot own the risk, or None if they can."""
    if owner_side is None:
        return "The owner must be a member of this arrangement."
    if owning_side in (OwningSide.CUSTOMER, OwningSide.PROVIDER) and owner_side != owning_side:
        return f"The owner of a {owning_side} risk must be on the {owning_side} side."
    if visibility != Visibility.SHARED and owner_side != visibility:
        return "A private risk must be owned by someone on that side."
    return None


def _check_owner(risk: Risk, sides: dict[int, str] | None = None) -> None:
    if risk.owner_id is None:
        return
    if sides is None:
        sides = dict(
            Membership.objects.filter(
                arrangement_id=risk.arrangement_id, user_id=risk.owner_id, is_active=True
            ).values_list("user_id", "side")
        )
    message = owner_error(owner_side=sides.get(risk.owner_id), owning_side=risk.owning_side, visibility=risk.visibility)
    if message:
        raise ValidationError({"owner": message})


def apply_scoring(risk: Risk) -> None:
    """Compute the stored score and rating once, whenever likelihood or impact is set."""
    if risk.likelihood in scoring.SCALE and risk.impact in scoring.SCALE:
        risk.score = scoring.score(risk.likelihood, risk.impact)
        risk.rating = scoring.rating_for(risk.score)
    else:
        raise ValidationError(
            {
                name: "Enter a number from 1 to 5."
                for name in ("likelihood", "impact")
                if getattr(risk, name) not in scoring.SCALE
            }
        )


def _require_editable(access: Access, risk: Risk) -> None:
    access.require(Perm.CONTRIBUTE)
    if risk.arrangement_id != access.arrangement.pk or not access.can_see(risk.visibility):
        raise PermissionDenied


def _stamp(record: Any, access: Access) -> None:
    """Name the person in the audit trail even outside a browser request (API tokens, imports)."""
    record._history_user = access.user


def next_number(arrangement: Arrangement, visibility: str = Visibility.SHARED) -> int:
    """The next number of that visibility's sequence (with the arrangement locked)."""
    return references.next_number(Risk, LETTER, arrangement.pk, visibility)


# -- writes -----------------------------------------------------------------------


@transaction.atomic
def risk_create(
    *,
    access: Access,
    title: str,
    owning_side: str,
    likelihood: int,
    impact: int,
    description: str = "",
    category: str = "other",
    owner: Any = None,
    owner_rationale: str = "",
    proximity: str = "",
    response: str = "",
    status: str = RiskStatus.OPEN,
    next_review_date: date | None = None,
    visibility: str = Visibility.SHARED,
    reference: str = "",
) -> Risk:
    """Add a risk to the register, with the next reference of its visibility's sequence (R-001...
    shared, RC-001... customer only, RP-001... provider only) unless a shared risk is given one."""
    access.require(Perm.CONTRIBUTE)
    check_visibility(access, visibility)
    reference = reference.strip().upper()
    check_given_reference(reference, visibility)
    # Lock the arrangement so that two people adding risks get different numbers.
    Arrangement.objects.select_for_update().filter(pk=access.arrangement.pk).first()
    number = reference_number(reference) if reference else next_number(access.arrangement, visibility)
    risk = Risk(
        arrangement=access.arrangement,
        reference=reference or format_reference(number, visibility),
        number=number,
        title=title.strip(),
        description=description.strip(),
        category=category,
        owning_side=owning_side,
        owner=owner,
        owner_rationale=owner_rationale.strip(),
        likelihood=likelihood,
        impact=impact,
        proximity=proximity,
        response=response,
        status=status,
        next_review_date=next_review_date,
        visibility=visibility,
        created_by=access.user,
        shared_at=timezone.now() if visibility == Visibility.SHARED else None,
    )
    apply_scoring(risk)
    _check_owner(risk)
    risk.full_clean()
    _stamp(risk, access)
    risk.save()
    return risk


def risk_update(*, access: Access, risk: Risk, expected_version: int, changes: dict[str, Any]) -> Risk:
    """Edit a risk; a save based on an old version is refused with what changed (EditConflict)."""
    _require_editable(access, risk)
    for name, value in changes.items():
        if name not in EDITABLE_FIELDS:
            raise ValidationError(f"Cannot change {name}.")
        setattr(risk, name, value.strip() if isinstance(value, str) else value)
    apply_scoring(risk)
    _check_owner(risk)
    _stamp(risk, access)
    return save_versioned(risk, expected_version=expected_version, fields=list(EDITABLE_FIELDS))


def share_renumber(risk: Risk) -> None:
    """A private risk becoming shared takes the next number of the shared sequence (arrangement locked):
    the shared sequence stays gapless, and its private number is never seen by the other side."""
    number = references.next_number(Risk, LETTER, risk.arrangement_id, Visibility.SHARED)
    risk.visibility = Visibility.SHARED
    risk.number = number
    risk.reference = format_reference(number)


@transaction.atomic
def risk_share(*, access: Access, risk: Risk) -> Risk:
    """Share a side's private risk with the other side. Sharing cannot be undone.

    Its mitigation actions are shared with it, so that both sides see how the
    risk is being managed. The risk and each action it shares move on a
    version, like any other change (core.concurrency): an edit of one of them
    read before the share is refused, not saved over it.
    """
    _require_editable(access, risk)
    # Lock the arrangement (numbering) and the row, and share it as stored: an edit saved since `risk` was read stays.
    Arrangement.objects.select_for_update().filter(pk=risk.arrangement_id).first()
    stored = Risk.objects.select_for_update().get(pk=risk.pk)
    if stored.visibility != Visibility.SHARED:
        share_renumber(stored)
        stored.shared_at = timezone.now()
        stored.version += 1
        _stamp(stored, access)
        stored.save(update_fields=["visibility", "reference", "number", "shared_at", "version", "updated_at"])
        for action in risk_actions(risk=stored).exclude(visibility=Visibility.SHARED).select_for_update():
            action.visibility = Visibility.SHARED
            action.source_detail = f"risk {stored.reference}"  # never the private number
            action.version += 1
            _stamp(action, access)
            action.save(update_fields=["visibility", "source_detail", "version", "updated_at"])
    for f in Risk._meta.concrete_fields:
        setattr(risk, f.attname, getattr(stored, f.attname))
    return risk


def risk_actions(*, risk: Risk) -> Any:
    from django.contrib.contenttypes.models import ContentType

    return Action.objects.filter(
        arrangement_id=risk.arrangement_id,
        source_type=ContentType.objects.get_for_model(Risk),
        source_id=risk.pk,
    )


def risk_action_add(
    *,
    access: Access,
    risk: Risk,
    title: str,
    owner: Any = None,
    due_date: date | None = None,
    description: str = "",
) -> Action:
    """A mitigation action: the one action model, linked to the risk, seen by whoever sees it."""
    _require_editable(access, risk)
    return action_create(
        access=access,
        title=title,
        owner=owner,
        due_date=due_date,
        description=description,
        visibility=risk.visibility,
        source=risk,
        source_detail=f"risk {risk.reference}",
    )


@transaction.atomic
def risk_comment_add(*, access: Access, risk: Risk, text: str) -> RiskComment:
    """A comment in the risk's discussion, from either side."""
    _require_editable(access, risk)
    comment = RiskComment(risk=risk, author=access.user, text=text.strip())
    comment.full_clean()
    _stamp(comment, access)
    comment.save()
    return comment
