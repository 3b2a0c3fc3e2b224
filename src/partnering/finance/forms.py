from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from partnering.finance.models import Basis, Book, CostCategory
from partnering.finance.money import CURRENCIES

MONTH_FORMATS = ["%Y-%m", "%Y-%m-%d", "%d/%m/%Y"]


def _money(label: str, *, required: bool = True, help_text: str = "", **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=14, decimal_places=2, required=required, help_text=help_text, **kwargs
    )


def _percent(label: str, *, required: bool = True, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(100),
        required=required,
        help_text=help_text,
    )


class MonthField(forms.DateField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "The month, for example 2026-04.")
        super().__init__(input_formats=MONTH_FORMATS, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        return f"{value:%Y-%m}" if hasattr(value, "strftime") else value


class CostLineForm(forms.Form):
    period = MonthField(label="Period")
    category = forms.ChoiceField(label="Category", choices=CostCategory.choices)
    description = forms.CharField(label="Description", max_length=300)
    planned = _money("Planned", help_text="To the penny, for example 12500.00.")
    actual = _money("Actual", initial=Decimal("0.00"))
    margin_pct = _percent("Agreed profit margin (%)", required=False, help_text="The margin agreed on this cost.")

    def __init__(self, *args: Any, side: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if side != Book.PROVIDER:
            del self.fields["margin_pct"]


class BudgetConstraintForm(forms.Form):
    title = forms.CharField(label="Constraint", max_length=200, help_text="For example, capital budget for 2026/27.")
    description = forms.CharField(label="Details", required=False, widget=forms.Textarea)
    amount = _money("Amount", required=False)
    applies_from = forms.DateField(label="Applies from", required=False, help_text="For example, 2026-04-01.")
    applies_to = forms.DateField(label="Applies to", required=False, help_text="For example, 2027-03-31.")


class ValueMeasureForm(forms.Form):
    name = forms.CharField(label="Measure", max_length=200, help_text="For example, cost per resident transaction.")
    unit = forms.CharField(label="Unit counted", max_length=100, help_text="For example, transactions.")
    side = forms.ChoiceField(label="Costs from", choices=Book.choices, widget=forms.RadioSelect)

    def __init__(self, *args: Any, books: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["side"].choices = [(v, label) for v, label in Book.choices if v in books]


class MeasureCountForm(forms.Form):
    measure = forms.ChoiceField(label="Measure")
    period = MonthField(label="Period")
    units = forms.DecimalField(label="Units delivered", max_digits=14, decimal_places=2, min_value=Decimal(0))

    def __init__(self, *args: Any, measures: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = measures


class FinanceProfileForm(forms.Form):
    currency = forms.ChoiceField(label="Currency", choices=[(c, c) for c in CURRENCIES])
    joint_budget = _money(
        "Single project budget",
        required=False,
        min_value=Decimal(0),
        help_text="The one budget both sides manage together. Only when the openness profile says so.",
    )


class TermsForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    basis = forms.ChoiceField(label="Baseline", choices=Basis.choices, widget=forms.RadioSelect)
    baseline = _money("Baseline per period", min_value=Decimal(0))
    customer_gain_pct = _percent("Customer's gain share (%)")
    provider_gain_pct = _percent("Provider's gain share (%)")
    customer_pain_pct = _percent("Customer's pain share (%)")
    provider_pain_pct = _percent("Provider's pain share (%)")
    cap = _money("Cap on the provider's gain per period", required=False, help_text="Leave blank for no cap.")
    floor = _money(
        "Floor on the provider's loss per period",
        required=False,
        help_text="Zero or a negative amount, for example -5000.00. Leave blank for no floor.",
    )
    efficiency_share = forms.BooleanField(label="Profit share for efficiency", required=False)
    efficiency_threshold_pct = _percent(
        "Efficiency threshold (% of baseline)", required=False, help_text="The saving that earns the bonus."
    )
    efficiency_bonus_pct = _percent(
        "Efficiency bonus (percentage points)",
        required=False,
        help_text="Added to the provider's gain share, from the customer's, once the threshold is reached.",
    )
    reason = forms.CharField(label="Why", max_length=500, required=False)

    def terms(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("reason", None)
        return data


class IncentivePeriodForm(forms.Form):
    period = MonthField(label="Period")
    outcome = _money("Measured outcome", help_text="The period's measured cost or benefit, to the penny.")
    note = forms.CharField(label="Note", max_length=300, required=False)
