"""Saving an edit page's form over a versioned record, the same way on every page that uses it.

The page posts the version it showed. The service saves only over that version
(`core.concurrency.save_versioned`) and otherwise raises EditConflict with the record as it
now is. The reader then sees the page again with 409, their own values still in the form, the
latest version beside them and a message that says what happened: nothing is lost and nothing
is overwritten (README: "concurrent edits detected, not overwritten").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from partnering.arrangements.forms import validation_to_form
from partnering.core.concurrency import EditConflict

CONFLICT = (
    "Someone else changed this record while you were editing it. Check what changed below, "
    "then save again if you still want your version."
)


def posted_version(request: HttpRequest) -> int:
    """The version the page showed; 0 (which never matches a saved record) when it is missing."""
    try:
        return int(request.POST.get("version"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0


def version_to_show(
    request: HttpRequest, record: Any, *, form: forms.Form | None = None, conflict: EditConflict | None = None
) -> int:
    """The version an edit page posts back.

    After a conflict, the latest (the reader has now seen it). When the page comes back with the
    reader's own values (a refused value), the version they started from, so that a save over a
    change someone made meanwhile is still caught. Otherwise the record's.
    """
    if conflict is not None:
        return conflict.current.version
    if form is not None and form.is_bound:
        return posted_version(request)
    return record.version


def save_edit(
    request: HttpRequest,
    form: forms.Form,
    record: Any,
    *,
    save: Callable[..., Any],
    show: Callable[..., HttpResponse],
    saved: str,
    done_url: str,
    conflict: str = CONFLICT,
) -> HttpResponse:
    """Save a bound `form` over `record` with `save(expected_version=, changes=)`.

    `show(record, form=, conflict=, status=)` draws the edit page: with the latest record and
    409 on a conflict, with the errors in place (and the record as saved) on a ValidationError. On success the reader
    goes to `done_url` with the message `saved`.
    """
    if form.is_valid():
        try:
            save(expected_version=posted_version(request), changes=dict(form.cleaned_data))
        except EditConflict as exc:
            form.add_error(None, conflict)
            return show(exc.current, form=form, conflict=exc, status=409)
        except ValidationError as exc:
            validation_to_form(form, exc)
            # A service may have set the new values on the record before refusing them: the
            # page shows the record as it is saved, and the refused values only in the form.
            try:
                record.refresh_from_db()
            except ObjectDoesNotExist:
                raise Http404 from None
        else:
            messages.success(request, saved)
            return redirect(done_url)
    return show(record, form=form, conflict=None, status=200)
