from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from partnering.charter.models import SECTIONS, WorkshopKind
from partnering.core.policy import Access

User = get_user_model()

#: Blank pairs offered for new free sections on each edit.
NEW_SECTION_SLOTS = 1


class CharterForm(forms.Form):
    """The standard sections, the free sections already there, and room for one more."""

    def __init__(self, *args: Any, extra_sections: list[dict[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, heading, hint in SECTIONS:
            self.fields[name] = forms.CharField(label=heading, help_text=hint, required=False, widget=forms.Textarea)
        existing = list(extra_sections or [])
        self.extra_count = len(existing) + NEW_SECTION_SLOTS
        if self.is_bound:
            # Keep sections added in this very submission (a redisplay after an error).
            while f"extra_{self.extra_count}_heading" in self.data:
                self.extra_count += 1
        for i in range(self.extra_count):
            new = i >= len(existing)
            self.fields[f"extra_{i}_heading"] = forms.CharField(
                label="Heading of a new section" if new else f"Heading of added section {i + 1}",
                required=False,
                max_length=200,
                help_text="Add a section of your own." if new else "Clear the heading and text to remove the section.",
                initial="" if new else existing[i].get("heading", ""),
            )
            self.fields[f"extra_{i}_text"] = forms.CharField(
                label="Text of the new section" if new else f"Text of added section {i + 1}",
                required=False,
                widget=forms.Textarea,
                initial="" if new else existing[i].get("text", ""),
            )

    def extra_pairs(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"extra_{i}_heading"], self[f"extra_{i}_text"]) for i in range(self.extra_count)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for i in range(self.extra_count):
            if (data.get(f"extra_{i}_text") or "").strip() and not (data.get(f"extra_{i}_heading") or "").strip():
                self.add_error(f"extra_{i}_heading", "Enter a heading for this section.")
        return data

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values: dict[str, Any] = {name: data.get(name, "") for name, _heading, _hint in SECTIONS}
        values["extra_sections"] = [
            {"heading": data.get(f"extra_{i}_heading", ""), "text": data.get(f"extra_{i}_text", "")}
            for i in range(self.extra_count)
        ]
        return values


class ReviewDateForm(forms.Form):
    review_date = forms.DateField(
        label="Next review date", required=False, widget=forms.DateInput, help_text="For example, 2027-06-04."
    )


class CommentForm(forms.Form):
    text = forms.CharField(label="Add a comment", max_length=5000, widget=forms.Textarea)


class WorkshopForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of meeting", choices=WorkshopKind.choices, widget=forms.RadioSelect)
    title = forms.CharField(label="Title", max_length=300)
    held_on = forms.DateField(label="Date", widget=forms.DateInput, help_text="For example, 2027-06-04.")
    facilitator = forms.CharField(label="Facilitator", max_length=200, required=False)
    attendees = forms.ModelMultipleChoiceField(
        label="Attendees",
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Members who took part, from both sides.",
    )
    other_attendees = forms.CharField(
        label="Other attendees",
        required=False,
        widget=forms.Textarea,
        help_text="People who are not members of the arrangement, one a line.",
    )
    outputs = forms.CharField(
        label="Outputs", required=False, widget=forms.Textarea, help_text="What the meeting produced or agreed."
    )

    def __init__(self, *args: Any, access: Access, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = User.objects.filter(
            memberships__arrangement=access.arrangement, memberships__is_active=True
        ).order_by("full_name")
        self.fields["attendees"].queryset = members
        sides = dict(access.arrangement.memberships.filter(is_active=True).values_list("user_id", "side"))
        self.fields["attendees"].label_from_instance = lambda u: f"{u} ({str(sides.get(u.pk, '')).capitalize()})"
