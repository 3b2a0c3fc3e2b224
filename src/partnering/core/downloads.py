"""Files the service hands out and takes in: one way to send a download, one import page.

Every export (risk register, cost lines, KPI measurements, assessment reports, board packs, the
arrangement archive and Gateway packs) holds what one reader may see, often a side's private
records, so every download goes out the same way: as an attachment, never kept by a shared cache
or the browser (`private, no-store`), never sniffed into another type.

The three spreadsheet imports (risks, cost lines, KPI measurements) share one page: the upload
form, the whole-file check before anything is written, and either the success message or the
first errors by row and column with nothing imported (README: "Imports validate the whole file
first and write nothing unless every row is valid").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header

from partnering.core import importing
from partnering.core.uploads import SpreadsheetFileField

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
PDF = "application/pdf"
ZIP = "application/zip"
#: Errors listed on the import page; the count above them is of all of them.
MAX_ERRORS_SHOWN = 500


def attachment(content: bytes, filename: str, content_type: str) -> HttpResponse:
    """`content` as a download named `filename` (non-ASCII names encoded as RFC 6266 says)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_store=True)
    return response


class ImportForm(forms.Form):
    # Checked for zip bombs and endless sheets before the importer parses it (core/uploads.py).
    file = SpreadsheetFileField(
        label="Upload a file",
        help_text="An XLSX or CSV file laid out like the template, up to 5 MB and 20,000 rows.",
    )


def import_page(
    request: HttpRequest,
    *,
    run: Callable[[str, bytes], importing.ImportResult],
    noun: str,
    done_url: str,
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """The import page of one feature: `run(name, data)` checks and imports the whole file.

    On success the reader goes to `done_url` with a count of `noun` (plural: "risks") added,
    updated and unchanged; otherwise the page shows the form again with the file's errors.
    """
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > importing.MAX_UPLOAD_BYTES:
                raise importing.ImportRefused("The file is larger than 5 MB. Split it into smaller files.")
            result = run(upload.name, upload.read())
        except importing.ImportRefused as exc:
            form.add_error("file", str(exc))
        else:
            if result.ok:
                messages.success(
                    request,
                    f"Import complete: {result.created} {noun} added, {result.updated} updated, "
                    f"{result.unchanged} unchanged.",
                )
                return redirect(done_url)
            count = len(result.errors)
            form.add_error(
                "file",
                f"The file has {count} error{'s' if count != 1 else ''}. "
                "Nothing was imported. Correct them and upload the file again.",
            )
    return render(
        request,
        template,
        {
            **context,
            "form": form,
            "errors": result.errors[:MAX_ERRORS_SHOWN] if result else [],
            "error_count": len(result.errors) if result else 0,
            "max_rows": importing.MAX_ROWS,
        },
    )
