from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from partnering.kpis.models import Direction, Frequency, KpiKind, Source

_VALUE = {
    "max_digits": 16,
    "decimal_places": 4,
    "min_value": Decimal("-999999999999"),
    "max_value": Decimal("999999999999"),
}


class KpiForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200, help_text="For example, Calls answered within 60 seconds.")
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea, help_text="What is measured, and how."
    )
    kind = forms.ChoiceField(
        label="KpiKind of KPI", choices=KpiKind.choices, widget=forms.RadioSelect, initial=KpiKind.SERVICE
    )
    unit = forms.CharField(label="Unit", max_length=40, help_text="For example %, days, calls or £.")
    direction = forms.ChoiceField(
        label="Which way is better", choices=Direction.choices, widget=forms.RadioSelect, initial=Direction.HIGHER
    )
    frequency = forms.ChoiceField(
        label="How often it is measured", choices=Frequency.choices, initial=Frequency.MONTHLY
    )
    data_source = forms.CharField(
        label="Data source",
        max_length=300,
        required=False,
        help_text="Where the figures come from, for example the service desk tool.",
    )
    source = forms.ChoiceField(
        label="Measured from",
        choices=Source.choices,
        initial=Source.MEASURED,
        widget=forms.RadioSelect,
        help_text="A relationship KPI can draw on each side's Annex B results instead.",
    )

    def __init__(self, *args: Any, creating: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["source"]


class ProposalForm(forms.Form):
    value = forms.DecimalField(label="Value", **_VALUE)
    note = forms.CharField(
        label="Reasoning",
        required=False,
        widget=forms.Textarea,
        help_text="Why this value: the evidence, and what it assumes.",
    )
    uncertainty = forms.CharField(
        label="How uncertain is this baseline",
        required=False,
        widget=forms.Textarea,
        help_text="Baselines are often hard to establish at the outset: say how reliable the figures are.",
    )

    def __init__(self, *args: Any, what: str, **kwargs: Any) -> None:
        super().__init__(*args, prefix=what, **kwargs)
        self.what = what
        self.fields["value"].label = f"Proposed {what}"
        if what != "baseline":
            del self.fields["uncertainty"]


class MeasurementForm(forms.Form):
    period = forms.DateField(
        label="Period", help_text="Any date in the period, for example 2027-03-01.", widget=forms.DateInput
    )
    value = forms.DecimalField(label="Value", **_VALUE)
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, prefix="measurement", **kwargs)
        if editing:
            del self.fields["period"]
