"""Templates of ours fail loudly in tests when they refer to something that does not exist."""

from __future__ import annotations

import pytest
from django.template import Context, Engine, Origin, Template

from partnering.core.strict_templates import PACKAGE_DIR, MissingTemplateVariable


class Book:
    title = "Open book"
    owner = None

    def period_rows(self, grain):
        return [(grain, 1)]


def render(source: str, *, ours: bool = True, **context) -> str:
    name = f"{PACKAGE_DIR}/core/templates/example.html" if ours else "/elsewhere/example.html"
    engine = Engine.get_default()
    return Template(source, origin=Origin(name=name), engine=engine).render(Context(context))


def test_a_missing_attribute_fails():
    with pytest.raises(MissingTemplateVariable, match="Book has no 'titel'"):
        render("{{ book.titel }}", book=Book())


def test_a_missing_attribute_fails_even_when_only_tested():
    with pytest.raises(MissingTemplateVariable):
        render("{% if book.titel %}yes{% endif %}", book=Book())


def test_a_method_that_needs_an_argument_fails_in_a_loop():
    with pytest.raises(MissingTemplateVariable, match="'period_rows' needs arguments"):
        render("{% for label, n in book.period_rows %}{{ label }}{% endfor %}", book=Book())


def test_printing_a_name_the_context_does_not_hold_fails():
    with pytest.raises(MissingTemplateVariable, match="no 'missing' in the context"):
        render("{{ missing }}")


def test_testing_an_optional_name_and_reading_through_none_are_allowed():
    assert (
        render("{% if form %}form{% endif %}{% for m in messages %}{% endfor %}[{{ book.owner.name }}]", book=Book())
        == "[]"
    )


def test_a_default_filter_says_the_name_may_be_missing():
    assert render("{{ opts.width|default:'full' }} {{ missing|default:'none' }}", opts={}) == "full none"


def test_printing_a_key_a_dict_does_not_hold_fails():
    with pytest.raises(MissingTemplateVariable, match="no 'width' in dict"):
        render("{{ opts.width }}", opts={})


def test_testing_a_field_a_form_may_not_have_is_allowed():
    from django import forms

    class RiskForm(forms.Form):
        title = forms.CharField()

    assert render("{% if form.status %}status{% endif %}ok", form=RiskForm()) == "ok"


def test_what_exists_renders_as_before():
    assert render("{{ book.title }}", book=Book()) == "Open book"


def test_templates_that_are_not_ours_keep_djangos_behaviour():
    assert render("[{{ missing }}{{ book.titel }}]", ours=False, book=Book()) == "[]"
