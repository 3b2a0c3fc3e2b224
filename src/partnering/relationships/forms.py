from __future__ import annotations

from typing import Any

from django import forms

from partnering.arrangements.models import Membership
from partnering.core.choices import Role, Side
from partnering.core.policy import Access


class _MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        roles = ", ".join(Role(ra.role).label for ra in getattr(obj, "current_roles", []))
        return f"{obj.user}" + (f" ({roles})" if roles else "")


def _members(access: Access, side: str | None = None) -> Any:
    from django.db.models import Prefetch

    from partnering.arrangements.models import RoleAssignment

    sides = [side] if side else [Side.CUSTOMER, Side.PROVIDER]
    qs = Membership.objects.filter(arrangement=access.arrangement, is_active=True, side__in=sides)
    qs = qs.select_related("user")
    current = RoleAssignment.objects.filter(ended_at__isnull=True)
    return qs.prefetch_related(Prefetch("role_assignments", queryset=current, to_attr="current_roles")).order_by(
        "side", "user__full_name"
    )


class PeerPairForm(forms.Form):
    customer_member = _MemberChoice(
        label="Customer side", queryset=Membership.objects.none(), empty_label="Choose a person", to_field_name="uuid"
    )
    provider_member = _MemberChoice(
        label="Provider side", queryset=Membership.objects.none(), empty_label="Choose a person", to_field_name="uuid"
    )
    label = forms.CharField(
        label="Relationship",
        max_length=120,
        required=False,
        help_text="For example “SRO–SRIE”. Leave blank to name it after their roles.",
    )

    def __init__(self, *args: Any, access: Access, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer_member"].queryset = _members(access, Side.CUSTOMER)
        self.fields["provider_member"].queryset = _members(access, Side.PROVIDER)


class PeerLabelForm(forms.Form):
    label = forms.CharField(label="Relationship", max_length=120)


class HandoverForm(forms.Form):
    role = forms.ChoiceField(
        label="Role", choices=[(r.value, r.label) for r in Role if r not in (Role.OBSERVER, Role.FACILITATOR)]
    )
    from_member = _MemberChoice(
        label="Handed over by", queryset=Membership.objects.none(), empty_label="Choose a person", to_field_name="uuid"
    )
    to_member = _MemberChoice(
        label="Taken on by",
        queryset=Membership.objects.none(),
        empty_label="Choose a person",
        to_field_name="uuid",
        help_text="Someone on the same side. Invite them on the Members page first if they are new.",
    )
    handover_note = forms.CharField(
        label="Handover note",
        widget=forms.Textarea,
        help_text="What the successor needs to know: open issues, commitments, who to talk to.",
    )
    leaves = forms.BooleanField(label="The person handing over leaves the arrangement", required=False)

    def __init__(self, *args: Any, access: Access, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = _members(access)
        if Role.SRO not in access.roles:  # only the SRO manages both sides
            members = members.filter(side=access.side)
        self.fields["from_member"].queryset = members
        self.fields["to_member"].queryset = members


class CommentForm(forms.Form):
    text = forms.CharField(label="Add a comment", max_length=5000, widget=forms.Textarea)
