"""Templates that fail loudly in tests (installed by the root conftest.py, never in production).

Django's template language turns a name it cannot find into an empty string. That hid a real bug:
the open book looped over `book.period_rows`, a method that needs an argument, and so always showed
"No cost lines yet." beside the totals. In tests, a template of ours now raises
`MissingTemplateVariable` when it:

- reads an attribute, key or index that the object does not have (`{{ risk.titel }}`,
  `{% if arrangement.nonsense %}`), or calls a method that needs arguments
  (`{% for row in book.period_rows %}`) or that alters data;
- prints or passes on a name the context (or a key a dict) does not hold (`{{ missing }}`,
  `{% url 'x' missing %}`, `{{ opts.missing }}`).

What stays allowed, because it is how templates are meant to be written: testing a name the view
(a key an options dict, a field a form) may leave out (`{% if form %}`, `{% for m in messages %}`,
`{% if opts.heading %}`, `{% if form.status %}` for a field only an edit form has, `{{ opts.width|default:"" }}`), reading through `None`
(`{{ risk.owner.name }}` for a risk without an owner prints nothing) and a related object that does
not exist (`{% if arrangement.charter %}`: Django's `silent_variable_failure`). Templates outside
this package (Django's admin and forms, DRF, drf-spectacular) keep Django's forgiving behaviour:
some of them probe variables on purpose.

The two functions below are Django 5.2's `Variable._resolve_lookup` and `FilterExpression.resolve`
with those checks added; `install()` puts them in place.
"""

from __future__ import annotations

import contextvars
from collections.abc import Mapping
from inspect import signature
from pathlib import Path
from typing import Any

from django.forms import BaseForm
from django.template import base as template_base
from django.template.base import FilterExpression, Variable, VariableDoesNotExist
from django.template.context import BaseContext
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime

PACKAGE_DIR = str(Path(__file__).resolve().parent.parent)

#: True while a variable is resolved to be printed or passed on, not merely tested.
_printing: contextvars.ContextVar[bool] = contextvars.ContextVar("_printing", default=False)


class MissingTemplateVariable(Exception):
    """A template of ours refers to something that does not exist."""


def _template_name(context: Any) -> str | None:
    """The file of the template being rendered, if it is one of ours."""
    render_context = getattr(context, "render_context", None)
    template = getattr(render_context, "template", None)
    origin = getattr(template, "origin", None)
    name = getattr(origin, "name", None)
    if isinstance(name, str) and name.startswith(PACKAGE_DIR):
        return name[len(PACKAGE_DIR) + 1 :]
    return None


def _missing(context: Any, var: Variable, what: str) -> MissingTemplateVariable:
    return MissingTemplateVariable(f"{_template_name(context)}: {{{{ {var.var} }}}}: {what}")


def _strict_resolve_lookup(self: Variable, context: Any) -> Any:  # noqa: C901 - Django's own shape
    if _template_name(context) is None:
        return _django_resolve_lookup(self, context)
    current = context
    try:
        for bit in self.lookups:
            try:
                if not hasattr(type(current), "__getitem__"):
                    raise TypeError
                current = current[bit]
            except (TypeError, AttributeError, KeyError, ValueError, IndexError):
                try:
                    if isinstance(current, BaseContext) and getattr(type(current), bit):
                        raise AttributeError
                    current = getattr(current, bit)
                except (TypeError, AttributeError):
                    if not isinstance(current, BaseContext) and bit in dir(current):
                        raise
                    try:
                        current = current[int(bit)]
                    except (IndexError, ValueError, KeyError, TypeError):
                        if isinstance(current, BaseContext | Mapping | BaseForm):
                            if _printing.get():
                                where = "the context" if isinstance(current, BaseContext) else type(current).__name__
                                raise _missing(context, self, f"no {bit!r} in {where}") from None
                        elif current is not None:
                            raise _missing(context, self, f"{type(current).__name__} has no {bit!r}") from None
                        raise VariableDoesNotExist("Failed lookup for key [%s] in %r", (bit, current)) from None
            if callable(current):
                if getattr(current, "do_not_call_in_templates", False):
                    pass
                elif getattr(current, "alters_data", False):
                    raise _missing(context, self, f"{bit!r} alters data and may not be called from a template")
                else:
                    try:
                        current = current()
                    except TypeError:
                        try:
                            current_signature = signature(current)
                        except ValueError:
                            raise _missing(context, self, f"{bit!r} cannot be called from a template") from None
                        try:
                            current_signature.bind()
                        except TypeError:
                            raise _missing(context, self, f"{bit!r} needs arguments") from None
                        raise
    except Exception as e:
        if getattr(e, "silent_variable_failure", False):
            current = context.template.engine.string_if_invalid
        else:
            raise
    return current


def _strict_filter_resolve(self: FilterExpression, context: Any, ignore_failures: bool = False) -> Any:
    if self.is_var:
        # `{{ x|default:"…" }}` says in the template that x may be missing.
        defaulted = bool(self.filters) and self.filters[0][0].__name__ in {"default", "default_if_none"}
        token = _printing.set(not ignore_failures and not defaulted)
        try:
            obj = self.var.resolve(context)
        except VariableDoesNotExist:
            if ignore_failures:
                obj = None
            else:
                string_if_invalid = context.template.engine.string_if_invalid
                if string_if_invalid:
                    return string_if_invalid % self.var if "%s" in string_if_invalid else string_if_invalid
                obj = string_if_invalid
        finally:
            _printing.reset(token)
    else:
        obj = self.var
    for func, args in self.filters:
        arg_vals = []
        for lookup, arg in args:
            arg_vals.append(mark_safe(arg) if not lookup else arg.resolve(context))  # noqa: S308 - Django's own: a literal argument
        if getattr(func, "expects_localtime", False):
            obj = template_localtime(obj, context.use_tz)
        if getattr(func, "needs_autoescape", False):
            new_obj = func(obj, *arg_vals, autoescape=context.autoescape)
        else:
            new_obj = func(obj, *arg_vals)
        obj = mark_safe(new_obj) if getattr(func, "is_safe", False) and isinstance(obj, SafeData) else new_obj  # noqa: S308
    return obj


_django_resolve_lookup = Variable._resolve_lookup
_django_filter_resolve = FilterExpression.resolve


def install() -> None:
    """Make templates of this package fail loudly (tests only)."""
    assert template_base.Variable is Variable
    Variable._resolve_lookup = _strict_resolve_lookup  # type: ignore[method-assign]
    FilterExpression.resolve = _strict_filter_resolve  # type: ignore[method-assign]
