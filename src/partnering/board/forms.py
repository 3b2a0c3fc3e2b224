from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from partnering.board.models import BoardRole
from partnering.core.policy import Access

User = get_user_model()


class MeetingForm(forms.Form):
    title = forms.CharField(label="Title", max_length=300, help_text="For example, Joint board: quarter 2 review.")
    held_on = forms.DateField(label="Date", widget=forms.DateInput, help_text="For example, 2027-06-04.")
    location = forms.CharField(label="Location", max_length=200, required=False)
    attendees = forms.ModelMultipleChoiceField(
        label="Attendees", queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )
    agenda = forms.CharField(label="Agenda", required=False, widget=forms.Textarea, help_text="One item a line.")
    minutes = forms.CharField(label="Minutes", required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, access: Access, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = User.objects.filter(
            memberships__arrangement=access.arrangement, memberships__is_active=True
        ).order_by("full_name")
        sides = dict(access.arrangement.memberships.filter(is_active=True).values_list("user_id", "side"))
        self.fields["attendees"].label_from_instance = lambda u: f"{u} ({str(sides.get(u.pk, '')).capitalize()})"


class DecisionForm(forms.Form):
    title = forms.CharField(label="Decision", max_length=300)
    rationale = forms.CharField(label="Why", required=False, widget=forms.Textarea)


class BoardRolesForm(forms.Form):
    """One board-role choice for each board member, limited to what the guide allows them."""

    def __init__(self, *args: Any, members: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = members
        for m in members:
            self.fields[f"role_{m.membership.uuid}"] = forms.ChoiceField(
                label=f"{m.user}",
                choices=[(r, BoardRole(r).label) for r in m.allowed],
                initial=m.board_role,
            )

    def roles(self) -> dict[int, str]:
        return {m.membership.pk: self.cleaned_data[f"role_{m.membership.uuid}"] for m in self.members}
