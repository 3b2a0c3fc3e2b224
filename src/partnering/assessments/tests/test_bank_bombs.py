"""YAML bombs in an uploaded question bank: refused quickly, in place, and nothing stored.

The loader's own tests cover each refusal line by line (test_bank_loader.py); these send the
classic bombs through the upload page and the API, as an attacker would.
"""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from partnering.assessments.bank_loader import MAX_DOCUMENT_BYTES, BankValidationError, load_bank_text
from partnering.assessments.models import QuestionBank

BILLION_LAUGHS = "format: partnering.bank/1\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{b}: &{b} [{', '.join(['*' + a] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)
DEEP_BLOCKS = "".join(f"{'  ' * depth}k{depth}:\n" for depth in range(200)) + "  " * 200 + "leaf\n"
DEEP_FLOW = "key: " + "[" * 100_000
HUGE_SCALAR = "title: " + "x" * (MAX_DOCUMENT_BYTES - 100) + "\n"
MANY_VALUES = "key: [" + "0," * (MAX_DOCUMENT_BYTES // 2 - 10) + "0]\n"
# Half a million values in 1 MB: PyYAML, in pure Python, would take 15 s or more to compose them.

BOMBS = [
    pytest.param(BILLION_LAUGHS, "YAML anchors are not allowed in a question bank", id="billion-laughs"),
    pytest.param(DEEP_BLOCKS, "the document is nested too deeply", id="deep-blocks"),
    pytest.param(DEEP_FLOW, "the document is nested too deeply", id="deep-flow"),
    pytest.param(HUGE_SCALAR, "is too long (1048476 characters; at most 200)", id="huge-scalar"),
    pytest.param(MANY_VALUES, "the document has more than 20,000 values", id="many-values"),
]


@pytest.mark.parametrize(("text", "expected"), BOMBS)
def test_the_loader_refuses_each_bomb_quickly(text, expected):
    started = time.perf_counter()
    with pytest.raises(BankValidationError) as caught:
        load_bank_text(text)

    assert time.perf_counter() - started < 5  # about 1 s on a busy 2-core machine; 15 s without the caps
    messages = [e.message for e in caught.value.errors]
    assert any(expected in m for m in messages), messages
    assert sum(len(str(e)) for e in caught.value.errors) < 2000  # no error echoes the bomb back


def test_a_field_name_as_long_as_the_document_is_shortened_in_the_error():
    name = "x" * 100_000
    with pytest.raises(BankValidationError) as caught:
        load_bank_text(f'format: partnering.bank/1\n? "{name}"\n: 1\n')  # an explicit key may be that long

    fields = [e.field for e in caught.value.errors if "unknown field" in e.message]
    assert fields == ["x" * 60 + "…"]


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "expected"), BOMBS)
def test_the_upload_page_refuses_each_bomb_in_place_and_stores_nothing(client, world, text, expected):
    client.force_login(world.carol)
    before = QuestionBank.objects.count()

    response = client.post(
        "/banks/", {"file": SimpleUploadedFile("bank.yaml", text.encode(), content_type="application/x-yaml")}
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body and "Nothing was saved" in body and expected in body
    assert QuestionBank.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "expected"), BOMBS)
def test_the_api_answers_400_to_each_bomb_and_stores_nothing(world, text, expected):
    client = APIClient()
    client.force_login(world.carol)
    before = QuestionBank.objects.count()

    response = client.post("/api/v1/banks/", {"yaml": text}, format="json")

    assert response.status_code == 400
    assert "Nothing was saved" in response.json()["detail"]
    assert any(expected in e["message"] for e in response.json()["errors"])
    assert QuestionBank.objects.count() == before


@pytest.mark.django_db
def test_a_file_over_1_mb_is_refused_before_it_is_parsed(client, world):
    client.force_login(world.carol)
    text = "# padding\n" * (MAX_DOCUMENT_BYTES // 10 + 1)

    page = client.post("/banks/", {"file": SimpleUploadedFile("bank.yaml", text.encode())})
    api = APIClient()
    api.force_login(world.carol)
    answer = api.post("/api/v1/banks/", {"yaml": text}, format="json")

    assert "The file must be smaller than 1 MB." in page.content.decode()
    assert answer.status_code == 400 and "no more than 1048576 characters" in str(answer.json())
    assert not QuestionBank.objects.filter(organisation__isnull=False).exists()
