from __future__ import annotations

from decimal import Decimal

from django import forms

from partnering.procurement.models import AssessmentKind, Exemption, IssueKind, Regime, Stance
from partnering.procurement.ratings import Rating


class ContractFactsForm(forms.Form):
    estimated_value = forms.DecimalField(
        label="Estimated contract value (£)",
        required=False,
        max_digits=15,
        decimal_places=2,
        min_value=Decimal("0"),
        help_text="The contract's estimated value as the Act values it. From £5 million the KPI duty applies.",
    )
    regime = forms.ChoiceField(label="Procurement regime", choices=Regime.choices, widget=forms.RadioSelect)
    exemption = forms.ChoiceField(label="Exemption relied on", choices=Exemption.choices, widget=forms.RadioSelect)
    exemption_reason = forms.CharField(
        label="Reason for the exemption", required=False, widget=forms.Textarea, help_text="Needed with any exemption."
    )
    ocid = forms.CharField(
        label="Open contracting ID (OCID)", max_length=100, required=False, help_text="For example ocds-h6vhtk-04f3a1."
    )
    notice_identifier = forms.CharField(label="Contract details notice identifier", max_length=100, required=False)
    buyer_scheme = forms.CharField(
        label="Customer identifier scheme", max_length=40, required=False, help_text="For example GB-PPON."
    )
    buyer_identifier = forms.CharField(label="Customer identifier", max_length=100, required=False)
    supplier_scheme = forms.CharField(
        label="Provider identifier scheme", max_length=40, required=False, help_text="For example GB-COH or GB-PPON."
    )
    supplier_identifier = forms.CharField(label="Provider identifier", max_length=100, required=False)
    terminated_on = forms.DateField(
        label="Contract terminated on",
        required=False,
        help_text="Only once the contract has ended: a notice is then due on termination. For example 2027-03-31.",
    )


class AssessmentStartForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of assessment", choices=AssessmentKind.choices, widget=forms.RadioSelect, initial="annual"
    )
    period_start = forms.DateField(label="Period from", help_text="For example 2025-04-01.")
    period_end = forms.DateField(label="Period to", help_text="For example 2026-03-31.")
    summary = forms.CharField(label="Overall comments", required=False, widget=forms.Textarea)


class RatingForm(forms.Form):
    rating = forms.ChoiceField(label="Rating", choices=Rating.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Reasons", widget=forms.Textarea, help_text="The evidence for the rating: the provider reads this."
    )

    def __init__(self, *args, prefix: str | None = None, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, prefix=prefix, **kwargs)


class ResponseForm(forms.Form):
    stance = forms.ChoiceField(label="Your view", choices=Stance.choices, widget=forms.RadioSelect, initial="comment")
    text = forms.CharField(label="Response", widget=forms.Textarea)


class PublicationForm(forms.Form):
    published_on = forms.DateField(label="Published on the platform on", help_text="For example 2026-12-01.")
    platform_notice_id = forms.CharField(label="Notice identifier on the platform", max_length=100, required=False)


class IssueForm(forms.Form):
    kind = forms.ChoiceField(label="What happened", choices=IssueKind.choices, widget=forms.RadioSelect)
    description = forms.CharField(label="Description", widget=forms.Textarea)
    occurred_on = forms.DateField(label="Happened on", help_text="For example 2026-09-14.")
