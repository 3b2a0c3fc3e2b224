from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from partnering.arrangements.models import RoleAssignment
from partnering.assessments.bank_loader import BankSpec
from partnering.assessments.models import Assessment, QuestionBank
from partnering.core.choices import Role, Side
from partnering.core.policy import Access
from partnering.core.text import SingleLineField

User = get_user_model()

MAX_BANK_UPLOAD_BYTES = 1024 * 1024


class StartForm(forms.Form):
    bank = forms.ModelChoiceField(
        label="Question bank", queryset=QuestionBank.objects.none(), empty_label="Choose a question bank"
    )
    title = SingleLineField(
        label="Title", required=False, max_length=300, help_text="Leave blank to use the bank's title."
    )
    subject = SingleLineField(
        label="Organisation being assessed",
        required=False,
        max_length=200,
        help_text="For partner suitability: the potential partner.",
    )
    due_date = forms.DateField(
        label="Answers due by", required=False, widget=forms.DateInput, help_text="For example, 2027-06-04."
    )
    previous = forms.ModelChoiceField(
        label="Start from the agreed answers of an earlier cycle",
        required=False,
        queryset=Assessment.objects.none(),
        empty_label="No: start blank",
        help_text="For a repeated check such as the annual health check or Annex B. Every changed answer is flagged.",
    )

    also_ask_other_lead = forms.BooleanField(
        label="Also ask the provider's side (the SRIE and whoever they invite)",
        required=False,
        help_text=(
            "The guide asks these questions of the SRO, and says SRIEs “will also benefit”. From contract "
            "award, for the relationship questions, the provider's side can answer too, in wording written "
            "for it (ours), and both sides' answers are revealed side by side."
        ),
    )

    ask_other_view = forms.BooleanField(
        label="Also ask each side how it sees the other party",
        required=False,
        help_text=(
            "For Annex B and the health check (ours, not the guide's): each question is asked twice, and the "
            "results compare how each side sees itself with how the other side sees it. It doubles the form."
        ),
    )

    def __init__(self, *args: Any, banks: Any, previous: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["bank"].queryset = banks
        self.fields["bank"].label_from_instance = lambda b: (
            b.title + ("" if b.is_builtin else " (your organisation's bank)")
        )
        self.fields["previous"].queryset = previous


class InviteRespondentsForm(forms.Form):
    sides = forms.MultipleChoiceField(
        label="Everyone on a side",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(Side.CUSTOMER.value, "Customer side"), (Side.PROVIDER.value, "Provider side")],
    )
    roles = forms.MultipleChoiceField(
        label="Everyone with a role",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(r.value, r.label) for r in Role if r not in (Role.FACILITATOR, Role.OBSERVER)],
    )
    people = forms.ModelMultipleChoiceField(
        label="Named people", required=False, queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, access: Access, answering: tuple[str, ...] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        answering = answering or (Side.CUSTOMER, Side.PROVIDER)
        # Only the sides the assessment asks (the SRO's banks: the customer side alone).
        self.fields["sides"].choices = [c for c in self.fields["sides"].choices if c[0] in answering]
        # Observers only read, so they are never asked to answer.
        observers = RoleAssignment.objects.filter(
            arrangement=access.arrangement, role=Role.OBSERVER, ended_at__isnull=True
        ).values("membership__user_id")
        self.fields["people"].queryset = (
            User.objects.filter(
                memberships__arrangement=access.arrangement,
                memberships__is_active=True,
                memberships__side__in=list(answering),
            )
            .exclude(pk__in=observers)
            .select_related("organisation")  # each label names the person's organisation
            .order_by("full_name")
        )
        self.fields["people"].label_from_instance = lambda u: f"{u.full_name} ({u.organisation})"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("sides") or data.get("roles") or data.get("people")):
            raise forms.ValidationError("Choose a side, a role or at least one person to invite.")
        return data


class AssessmentActionForm(forms.Form):
    title = forms.CharField(label="What needs to be done", max_length=300)
    description = forms.CharField(label="Details", required=False, widget=forms.Textarea)
    owner = forms.ModelChoiceField(label="Owner", queryset=User.objects.none(), empty_label="Choose an owner")
    due_date = forms.DateField(label="Due date", widget=forms.DateInput, help_text="For example, 2027-06-04.")

    def __init__(self, *args: Any, access: Access, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(
            memberships__arrangement=access.arrangement, memberships__is_active=True
        ).order_by("full_name")


class BankUploadForm(forms.Form):
    file = forms.FileField(
        label="Question bank file (YAML)",
        help_text="Up to 1 MB. The whole file is checked first: if anything is wrong, nothing is saved and every problem is listed.",
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BANK_UPLOAD_BYTES:
            raise forms.ValidationError("The file must be smaller than 1 MB.")
        raw = upload.read(MAX_BANK_UPLOAD_BYTES + 1)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError("The file must be text in UTF-8 (a YAML file).") from exc


class PulseCreateForm(forms.Form):
    bank = forms.ModelChoiceField(label="Question bank", queryset=QuestionBank.objects.none(), empty_label=None)
    title = forms.CharField(label="Title", max_length=300, initial="Staff pulse survey")
    teams = forms.CharField(
        label="Teams",
        required=False,
        widget=forms.Textarea,
        help_text="One team name per line. Each person is invited in a team; a team's answers are shown only where at least 5 of its people answered.",
    )

    def __init__(self, *args: Any, banks: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["bank"].queryset = banks

    def team_list(self) -> list[str]:
        return [t.strip()[:100] for t in self.cleaned_data.get("teams", "").splitlines() if t.strip()][:50]


class PulseInviteForm(forms.Form):
    team = forms.ChoiceField(label="Their team", required=False)
    emails = forms.CharField(
        label="E-mail addresses",
        widget=forms.Textarea,
        max_length=60_000,
        help_text="One a line. Each person gets their own link, which takes one response.",
    )

    def __init__(self, *args: Any, teams: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", "No team"), *[(t, t) for t in teams]]

    def addresses(self) -> list[str]:
        return self.cleaned_data["emails"].replace(",", "\n").replace(";", "\n").splitlines()


def pulse_answer_form(bank: BankSpec) -> type[forms.Form]:
    """A form for one anonymous pulse response: one answer per question (the side and the team
    come from the person's link)."""
    fields: dict[str, forms.Field] = {}
    for q in bank.questions:
        fields[f"q_{q.id}"] = forms.ChoiceField(
            label=q.text[:1].upper() + q.text[1:],
            widget=forms.RadioSelect,
            choices=[(o.value, o.label) for o in bank.scale.options],
        )
    return type("PulseAnswerForm", (forms.Form,), fields)
