from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from partnering.core.choices import Visibility
from partnering.core.policy import Access
from partnering.risks import scoring
from partnering.risks.models import Category, OwningSide, Proximity, Response, RiskStatus
from partnering.risks.scoring import Rating

User = get_user_model()

LIKELIHOOD_CHOICES = [(n, f"{n} – {label}") for n, label in scoring.LIKELIHOOD_LABELS.items()]
IMPACT_CHOICES = [(n, f"{n} – {label}") for n, label in scoring.IMPACT_LABELS.items()]


def _blank(choices: list[tuple[str, str]], label: str) -> list[tuple[str, str]]:
    return [("", label), *choices]


class RiskForm(forms.Form):
    title = forms.CharField(label="Title", max_length=300, help_text="A short name for the risk.")
    description = forms.CharField(
        label="Description",
        required=False,
        widget=forms.Textarea,
        help_text="The cause, the event and its effect on the arrangement.",
    )
    category = forms.ChoiceField(label="Category", choices=Category.choices)
    owning_side = forms.ChoiceField(label="Owning side", choices=OwningSide.choices, widget=forms.RadioSelect)
    owner = forms.ModelChoiceField(
        label="Owner", queryset=User.objects.none(), required=False, empty_label="No owner yet"
    )
    owner_rationale = forms.CharField(
        label="Why this party is best placed to manage it",
        required=False,
        widget=forms.Textarea,
        help_text="Risks sit with the party best able to manage them.",
    )
    likelihood = forms.TypedChoiceField(label="Likelihood", choices=LIKELIHOOD_CHOICES, coerce=int)
    impact = forms.TypedChoiceField(label="Impact", choices=IMPACT_CHOICES, coerce=int)
    proximity = forms.ChoiceField(
        label="Proximity",
        choices=_blank(Proximity.choices, "Not set"),
        required=False,
        help_text="How soon the risk could happen.",
    )
    response = forms.ChoiceField(label="Response", choices=_blank(Response.choices, "Not decided yet"), required=False)
    status = forms.ChoiceField(label="Status", choices=RiskStatus.choices, initial=RiskStatus.OPEN)
    next_review_date = forms.DateField(
        label="Next review date",
        required=False,
        widget=forms.DateInput,
        help_text="For example, 2027-06-04.",
    )
    visibility = forms.ChoiceField(
        label="Who can see this risk",
        choices=Visibility.choices,
        initial=Visibility.SHARED,
        widget=forms.RadioSelect,
        help_text="Without a single risk register, your side may keep a risk to itself until it shares it.",
    )

    def __init__(
        self, *args: Any, access: Access, allow_private: bool = False, creating: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(
            memberships__arrangement=access.arrangement, memberships__is_active=True
        ).order_by("full_name")
        if creating:
            del self.fields["status"]
        if not (creating and allow_private):
            del self.fields["visibility"]
        else:
            self.fields["visibility"].choices = [
                (v, label) for v, label in Visibility.choices if v in (Visibility.SHARED, access.side)
            ]

    def cleaned_changes(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("visibility", None)
        return data


class CommentForm(forms.Form):
    text = forms.CharField(label="Add a comment", max_length=5000, widget=forms.Textarea)


class FilterForm(forms.Form):
    """The register's filters, read from and written to the querystring."""

    q = forms.CharField(label="Search", required=False, help_text="Reference, title or description.")
    side = forms.ChoiceField(label="Owning side", required=False, choices=_blank(OwningSide.choices, "Any"))
    category = forms.ChoiceField(label="Category", required=False, choices=_blank(Category.choices, "Any"))
    owner = forms.ChoiceField(label="Owner", required=False)
    status = forms.ChoiceField(label="Status", required=False, choices=_blank(RiskStatus.choices, "Any"))
    rating = forms.ChoiceField(label="Rating", required=False, choices=_blank(Rating.choices, "Any"))
    overdue = forms.BooleanField(label="Only risks overdue for review", required=False)

    def __init__(self, *args: Any, owners: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "Anyone"), ("none", "No owner"), *owners]
