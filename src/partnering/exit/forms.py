from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from partnering.core.policy import Access
from partnering.exit.models import HandoverKind

User = get_user_model()

_DATE_HINT = "For example, 2027-06-04."


class StrategyForm(forms.Form):
    triggers = forms.CharField(
        label="What would trigger exit or recompetition",
        required=False,
        widget=forms.Textarea,
        help_text="For example the end of the contract term, a break clause, or persistent failure to meet service levels.",
    )
    timeline = forms.CharField(
        label="Timeline to the end of the contract or recompetition",
        required=False,
        widget=forms.Textarea,
        help_text="The steps, from the decision to handover, and who leads each.",
    )
    continuity = forms.CharField(
        label="Business-continuity measures",
        required=False,
        widget=forms.Textarea,
        help_text="How services to users continue, and risk is kept low, while the arrangement ends.",
    )
    decision_by = forms.DateField(
        label="Decide between extension, exit and recompetition by", required=False, help_text=_DATE_HINT
    )
    recompetition_starts = forms.DateField(label="Recompetition starts", required=False, help_text=_DATE_HINT)
    handover_by = forms.DateField(label="Handover complete by", required=False, help_text=_DATE_HINT)


class HandoverItemForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=HandoverKind.choices)
    title = forms.CharField(label="Item to hand over", max_length=300)
    description = forms.CharField(label="Details", required=False, widget=forms.Textarea)
    owner = forms.ModelChoiceField(
        label="Owner", queryset=User.objects.none(), required=False, empty_label="No owner yet"
    )
    due_date = forms.DateField(label="Due date", required=False, help_text=_DATE_HINT)

    def __init__(self, *args: Any, access: Access, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(
            memberships__arrangement=access.arrangement, memberships__is_active=True
        ).order_by("full_name")
