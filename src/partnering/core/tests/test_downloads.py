"""Every download goes out one way: an attachment no cache keeps, whatever feature sends it."""

from __future__ import annotations

import pytest

from partnering.core import downloads


def test_a_download_is_an_attachment_that_no_cache_keeps():
    response = downloads.attachment(b"a,b\n", "northshire-risks.csv", downloads.CSV)

    assert response["Content-Disposition"] == 'attachment; filename="northshire-risks.csv"'
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert set(response["Cache-Control"].split(", ")) == {"private", "no-store"}
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == b"a,b\n"


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("Board pack – 3 Dec.pdf", "attachment; filename*=utf-8''Board%20pack%20%E2%80%93%203%20Dec.pdf"),
        ('a"b.pdf', 'attachment; filename="a\\"b.pdf"'),
    ],
)
def test_a_name_that_is_not_plain_ascii_is_encoded_not_broken(name, header):
    assert downloads.attachment(b"%PDF", name, downloads.PDF)["Content-Disposition"] == header
