from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from partnering.accounts.models import Organisation, OrganisationKind
from partnering.arrangements.models import OpennessProfile
from partnering.core.choices import ROLE_SIDES, OpenBook, Role, Stage
from partnering.core.text import SingleLineField

YES_NO = [("yes", "Yes"), ("no", "No")]


class DateField(forms.DateField):
    widget = forms.DateInput(attrs={"autocomplete": "off"})


class ArrangementForm(forms.Form):
    title = SingleLineField(
        label="Title", max_length=200, help_text="For example, ‘Digital citizen services partnership’."
    )
    description = forms.CharField(
        label="Description",
        required=False,
        widget=forms.Textarea,
        help_text="What the arrangement is for, in a few sentences.",
    )
    contract_start = DateField(label="Contract start date", required=False, help_text="For example, 2027-04-01.")
    contract_end = DateField(
        label="Contract end date",
        required=False,
        help_text="Partnering is a long-term relationship, usually over five years.",
    )

    def clean(self):  # noqa: ANN201
        data = super().clean()
        start, end = data.get("contract_start"), data.get("contract_end")
        if start and end and end < start:
            self.add_error("contract_end", "The contract end date must be on or after the start date.")
        return data


class ArrangementCreateForm(ArrangementForm):
    provider = forms.ModelChoiceField(
        label="Provider organisation",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="Choose a provider",
        help_text="The IT service provider you will partner with.",
    )
    new_provider = forms.CharField(label="Or add a provider organisation not listed", required=False, max_length=200)
    stage = forms.ChoiceField(label="Lifecycle stage", choices=Stage.choices, initial=Stage.STRATEGIC_ASSESSMENT)
    outcomes = forms.CharField(
        label="Shared business outcomes",
        required=False,
        widget=forms.Textarea,
        help_text="One outcome per line. The guide expresses the aims of partnering as business outcomes, not outputs.",
    )
    creator_role = forms.ChoiceField(
        label="Your role in this arrangement",
        choices=[(r.value, r.label) for r in (Role.SRO, Role.RELATIONSHIP_MANAGER, Role.CONTRACT_MANAGER)],
        initial=Role.SRO,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = Organisation.objects.filter(kind=OrganisationKind.PROVIDER)

    def clean(self):  # noqa: ANN201
        data = super().clean()
        if not data.get("provider") and not (data.get("new_provider") or "").strip():
            self.add_error("provider", "Choose the provider organisation, or add one.")
        return data

    def outcome_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("outcomes", "").splitlines() if line.strip()]


class StageForm(forms.Form):
    stage = forms.ChoiceField(label="New lifecycle stage", choices=Stage.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=500,
        widget=forms.Textarea,
        help_text="For example, the Gateway review that was passed.",
    )


class OutcomeForm(forms.Form):
    text = forms.CharField(label="Shared business outcome", max_length=500)


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    full_name = forms.CharField(
        label="Full name", required=False, max_length=200, help_text="Needed if they do not have an account yet."
    )
    roles = forms.MultipleChoiceField(label="Roles", choices=Role.choices, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, side: str | None = None, **kwargs):  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        if side is not None:  # a side adds its own people: offer only the roles that side can hold
            self.fields["roles"].choices = [(r.value, r.label) for r in Role if side in ROLE_SIDES[r]]


class ProviderLeadForm(forms.Form):
    email = forms.EmailField(label="E-mail address of the provider's lead")
    full_name = forms.CharField(
        label="Full name",
        required=False,
        max_length=200,
        help_text="Needed only if the provider organisation has nobody here yet.",
    )
    message = forms.CharField(label="Message (optional)", required=False, max_length=500, widget=forms.Textarea)


class FacilitatorForm(forms.Form):
    email = forms.EmailField(label="Facilitator's e-mail address")
    full_name = forms.CharField(
        label="Full name", required=False, max_length=200, help_text="Needed if they do not have an account yet."
    )
    organisation_name = forms.CharField(
        label="Their organisation",
        required=False,
        max_length=200,
        help_text="Needed if they do not have an account yet. A facilitator belongs to neither side.",
    )
    message = forms.CharField(
        label="Why this facilitator (optional)", required=False, max_length=500, widget=forms.Textarea
    )


class HandoverForm(forms.Form):
    successor = forms.ChoiceField(label="Successor", widget=forms.RadioSelect)
    handover_note = forms.CharField(
        label="Handover note",
        widget=forms.Textarea,
        help_text="What your successor needs to know. Continuity preserves corporate memory.",
    )

    def __init__(self, *args, candidates=(), **kwargs):  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["successor"].choices = [(str(m.uuid), m.user.full_name) for m in candidates]


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(label="Roles", choices=Role.choices, widget=forms.CheckboxSelectMultiple)
    handover_note = forms.CharField(
        label="Handover note",
        required=False,
        widget=forms.Textarea,
        help_text="For any role this person gives up: what their successor needs to know. Continuity preserves corporate memory.",
    )


class RemoveMemberForm(forms.Form):
    handover_note = forms.CharField(label="Handover note", required=False, widget=forms.Textarea)


def _yes_no(label: str, help_text: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=YES_NO, widget=forms.RadioSelect, help_text=help_text)


class OpennessForm(forms.Form):
    """The guide's six questions of "How open should the relationship be?"."""

    joint_project_board = _yes_no(
        "Single/joint project board?", "A joint project board chaired by the SRO, with the SRIE actively involved."
    )
    single_risk_register = _yes_no(
        "Single risk register?", "If no, each side may keep private risks until it shares them."
    )
    problems_visible = _yes_no(
        "Visibility of potential problems?", "If no, concerns are visible to the side that raised them until escalated."
    )
    open_book = forms.ChoiceField(
        label="Open book accounting – on both sides?", choices=OpenBook.choices, widget=forms.RadioSelect
    )
    single_project_budget = _yes_no("Single project budget and account managed together by customer and provider?")
    staff_360_reporting = _yes_no(
        "360° staff reporting – on both sides?", "Anonymous pulse surveys of both organisations' staff."
    )
    facilitator_sees_blind_answers = _yes_no(
        "May the partnering facilitator see each side's self-assessment answers before they are revealed?"
    )
    reason = forms.CharField(label="Reason for the change", required=False, max_length=500, widget=forms.Textarea)

    @classmethod
    def initial_from(cls, profile: OpennessProfile | dict) -> dict[str, str]:
        values = profile if isinstance(profile, dict) else profile.as_dict()
        return {k: ("yes" if v is True else "no" if v is False else v) for k, v in values.items()}

    def settings(self) -> dict[str, object]:
        data = self.cleaned_data
        return {name: (data[name] if name == "open_book" else data[name] == "yes") for name in OpennessProfile.SETTINGS}


def validation_to_form(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form, in place, field by field."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
