"""Text that must stay on one line: titles that end up in e-mail subjects and page headings.

A title with a line break in it (pasted into the API, or posted by hand: a browser's text input
drops line breaks itself) made every invitation and reminder about it fail, because an e-mail
header may not hold one. So titles are made single-line where they come in (forms, API fields,
services): any run of white space, line breaks and tabs included, becomes one space; any other
control character is refused with a clear error. E-mail subjects are built by
`core.mail.subject_line`, which also copes with titles stored before this rule.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from rest_framework import serializers

_WHITE_SPACE = re.compile(r"\s+")


def single_line(value: str) -> str:
    """The text with every run of white space (line breaks, tabs) as one space, trimmed."""
    return _WHITE_SPACE.sub(" ", value).strip()


def has_control_characters(value: str) -> bool:
    return any(unicodedata.category(c) == "Cc" for c in value)


def validate_no_control_characters(value: str) -> None:
    if has_control_characters(value):
        raise ValidationError("Enter text without control characters.", code="control_characters")


class SingleLineField(forms.CharField):
    """A form's text field for a title: one line, no control characters."""

    default_validators = [validate_no_control_characters]

    def to_python(self, value: Any) -> str:
        return single_line(super().to_python(value))


class SingleLineSerializerField(serializers.CharField):
    """The API's text field for a title: one line, no control characters."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.append(self._refuse_control_characters)

    @staticmethod
    def _refuse_control_characters(value: str) -> None:
        if has_control_characters(value):
            raise serializers.ValidationError("Enter text without control characters.")

    def to_internal_value(self, data: Any) -> str:
        return single_line(super().to_internal_value(data))
