"""Template helpers that render Django forms as GOV.UK Design System components.

One place decides the markup of a field (label, hint, error message, input
classes, aria-describedby), so every form in the product looks and behaves
the same and keeps the accessibility rules of the design system.
"""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

register = template.Library()


def _kind(field: forms.BoundField) -> str:
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.FileInput):
        return "file"
    if isinstance(widget, forms.DateInput):
        return "date"
    return "input"


@register.simple_tag
def govuk_field(field: forms.BoundField, **options: Any) -> SafeString:
    """Render one field. Options: label_size (s, m, l), width (e.g. 'govuk-input--width-10'),
    heading (True to make the label the page heading), classes."""
    kind = _kind(field)
    context = {"field": field, "kind": kind, "opts": options, "describedby": _describedby(field)}
    if kind == "select":
        # Worked out once, not once per option: a select of a hundred choices otherwise asks the
        # bound field for its value a hundred times.
        current = field.value()
        context["current"] = "" if current is None else str(current)
    return render_to_string(f"includes/fields/{kind}.html", context)


def _describedby(field: forms.BoundField) -> str:
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    return " ".join(ids)


@register.simple_tag
def govuk_error_summary(*forms_: Any) -> SafeString:
    """The error summary at the top of the page, each message linking to its field."""
    items: list[dict[str, str]] = []
    for form in forms_:
        if form is None:
            continue
        for error in form.non_field_errors():
            items.append({"text": str(error), "href": ""})
        for field in form:
            for error in field.errors:
                anchor = field.auto_id
                if _kind(field) in ("checkboxes", "radios"):
                    anchor = f"{field.auto_id}_0"
                items.append({"text": str(error), "href": f"#{anchor}"})
    return render_to_string("includes/error_summary.html", {"items": items})


@register.filter
def tag_colour(value: str) -> str:
    """A GOV.UK tag colour for a status or verdict code."""
    return {
        "agreed": "green",
        "ready": "green",
        "going_well": "green",
        "no_concerns": "green",
        "done": "green",
        "submitted": "green",
        "revealed": "green",
        "pending": "yellow",
        "draft": "grey",
        "open": "blue",
        "in_progress": "blue",
        "needs_attention": "orange",
        "not_ready": "red",
        "overdue": "red",
        "incomplete": "grey",
        "red": "red",
        "amber": "orange",
        "green": "green",
    }.get(str(value), "grey")


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """dict[key] in a template."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def govuk_time(value: Any, precision: str = "") -> str:
    """GOV.UK style for times: "5:30pm", "3pm", "midday", "midnight" (in the local time zone).

    `precision="minute"` always gives the minutes ("3:00pm"): for records of when something
    happened, where "3pm" would read as rounded."""
    if not value:
        return ""
    from django.utils import timezone as tz

    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        value = tz.localtime(value)
    if value.hour == 12 and value.minute == 0:
        return "midday"
    if value.hour == 0 and value.minute == 0:
        return "midnight"
    hour = value.hour % 12 or 12
    minutes = f":{value.minute:02d}" if value.minute or precision == "minute" else ""
    return f"{hour}{minutes}{'am' if value.hour < 12 else 'pm'}"


@register.filter
def govuk_datetime(value: Any, precision: str = "") -> str:
    """GOV.UK style: "4 June 2027 at 5:30pm" (`precision="minute"`: "4 June 2027 at 3:00pm")."""
    if not value:
        return ""
    from django.utils import timezone as tz
    from django.utils.dateformat import format as date_format

    local = tz.localtime(value) if getattr(value, "tzinfo", None) else value
    return f"{date_format(local, 'j F Y')} at {govuk_time(local, precision)}"


@register.filter
def asked_of(question: Any, side: str | None) -> str:
    """A question's words as `side` is asked them: any object with `text_for(side)` (a bank's
    question, where the provider may have wording of its own), else its `text`."""
    text_for = getattr(question, "text_for", None)
    return text_for(side) if callable(text_for) else question.text


@register.filter
def answer_label(value: Any) -> str:
    """The label of an answer value on any built-in scale ("not_at_all" → "Not at all")."""
    if not value:
        return ""
    from partnering.assessments.bank_loader import SCALES

    for scale in SCALES.values():
        for option in scale.options:
            if option.value == value:
                return option.label
    return str(value)
