from __future__ import annotations

from typing import Any

from django import forms

from partnering.core.choices import Side, Stage, Visibility
from partnering.core.policy import Access
from partnering.lessons.models import Source


def _blank(choices: list[tuple[str, str]], label: str) -> list[tuple[str, str]]:
    return [("", label), *choices]


class LessonForm(forms.Form):
    title = forms.CharField(label="Title", max_length=300, help_text="A short name for the lesson.")
    what_happened = forms.CharField(
        label="What happened",
        widget=forms.Textarea,
        help_text="The facts, in no-blame words: what the arrangement did, not who was at fault.",
    )
    lesson = forms.CharField(label="The lesson", widget=forms.Textarea)
    recommendation = forms.CharField(
        label="Recommendation for future arrangements", required=False, widget=forms.Textarea
    )
    tags = forms.CharField(
        label="Tags",
        required=False,
        max_length=500,
        help_text="Separate tags with commas, for example: data, handover.",
    )
    stage = forms.ChoiceField(label="Lifecycle stage it applies to", choices=Stage.choices)
    visibility = forms.ChoiceField(
        label="Who can see this lesson", choices=Visibility.choices, initial=Visibility.SHARED, widget=forms.RadioSelect
    )
    joint = forms.BooleanField(
        label="Written jointly by both sides",
        required=False,
        help_text="A joint lesson is shared, and is published only when both sides' leads agree "
        "(our rule, not the guide's). Otherwise your side wrote it, and only your side publishes it.",
    )
    source_ref = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, access: Access, creating: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["visibility"]
            del self.fields["source_ref"]
            del self.fields["joint"]
        elif access.side not in (Side.CUSTOMER, Side.PROVIDER):
            del self.fields["joint"]  # the facilitator's lessons are always joint
        else:
            self.fields["visibility"].choices = [
                (v, label) for v, label in Visibility.choices if v in (Visibility.SHARED, access.side)
            ]

    def cleaned_changes(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("visibility", None)
        data.pop("source_ref", None)
        data.pop("joint", None)
        return data


class SearchForm(forms.Form):
    q = forms.CharField(label="Search lessons", required=False, max_length=200)
    stage = forms.ChoiceField(label="Lifecycle stage", required=False, choices=_blank(Stage.choices, "Any"))
    source = forms.ChoiceField(label="Learned from", required=False, choices=_blank(Source.choices, "Anything"))
    tag = forms.CharField(label="Tag", required=False, max_length=60)
    published = forms.BooleanField(label="Only lessons published to future arrangements", required=False)
