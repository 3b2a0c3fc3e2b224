from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from partnering.actions.models import ActionStatus
from partnering.core.policy import Access

User = get_user_model()


class ActionForm(forms.Form):
    title = forms.CharField(label="What needs to be done", max_length=300)
    description = forms.CharField(label="Details", required=False, widget=forms.Textarea)
    owner = forms.ModelChoiceField(label="Owner", queryset=User.objects.none(), empty_label="Choose an owner")
    due_date = forms.DateField(label="Due date", widget=forms.DateInput, help_text="For example, 2027-06-04.")
    status = forms.ChoiceField(label="Status", choices=ActionStatus.choices, initial=ActionStatus.OPEN)

    def __init__(self, *args: Any, access: Access, with_status: bool = True, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(
            memberships__arrangement=access.arrangement, memberships__is_active=True
        ).order_by("full_name")
        if not with_status:
            del self.fields["status"]
