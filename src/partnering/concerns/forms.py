from __future__ import annotations

from typing import Any

from django import forms

from partnering.concerns.models import Level


class ConcernForm(forms.Form):
    title = forms.CharField(label="Title", max_length=300, help_text="A short name for the concern.")
    description = forms.CharField(
        label="What the concern is",
        widget=forms.Textarea,
        help_text="Raise it early: the sooner it is raised, the easier it is to resolve.",
    )
    impact = forms.CharField(label="Impact if it is not resolved", widget=forms.Textarea)
    other_side_view = forms.CharField(
        label="How the other party sees the issue",
        widget=forms.Textarea,
        help_text="Explain the issue from the other party's perspective, as they would put it.",
    )
    level = forms.TypedChoiceField(
        label="Where it is being dealt with",
        choices=Level.choices,
        coerce=int,
        initial=Level.WORKING,
        widget=forms.RadioSelect,
        help_text="Most concerns start at working level.",
    )

    def __init__(self, *args: Any, creating: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["level"]


class EscalateForm(forms.Form):
    to_level = forms.TypedChoiceField(label="Move to", choices=Level.choices, coerce=int, widget=forms.RadioSelect)
    reason = forms.CharField(label="Reason", widget=forms.Textarea, max_length=2000)

    def __init__(self, *args: Any, current: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if current is not None:
            self.fields["to_level"].choices = [(v, label) for v, label in Level.choices if v != current]


class StatementForm(forms.Form):
    text = forms.CharField(
        label="Your side's statement",
        widget=forms.Textarea,
        max_length=5000,
        help_text="How your side sees the issue, in your own words.",
    )


class ResolveForm(forms.Form):
    summary = forms.CharField(
        label="Resolution summary",
        widget=forms.Textarea,
        help_text="What happened and what resolved it. No blame: describe causes, not culprits.",
    )
    publishable_as_lesson = forms.BooleanField(label="This may be published as a lesson", required=False)
    lesson_text = forms.CharField(
        label="Lesson learned",
        widget=forms.Textarea,
        required=False,
        help_text="For the lessons log. Leave blank to use the summary.",
    )


class CommentForm(forms.Form):
    text = forms.CharField(label="Add a comment", max_length=5000, widget=forms.Textarea)
