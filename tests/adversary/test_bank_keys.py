"""Issue 13, finding 6 (question banks): a bank key was unique across every organisation, so
uploading one told you whether another organisation held that key ("belongs to another
organisation's bank"), and the first organisation to load a key claimed it from all others.

Now keys are unique per organisation (the built-in banks shipped with the product stay global):
a second organisation loads a bank under the same key and gets exactly the answer it would get
for a fresh key, and neither organisation sees the other's bank.
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from partnering.assessments import selectors
from partnering.assessments.models import QuestionBank

BANK = """\
format: partnering.bank/1
key: {key}
version: 1
title: "{title}"
source: "Our own questions"
scale: yes_partly_no_unknown
verdict_rule: attention
stages: [in_service]
sections:
  - title: Only
    guide_section: Local
    questions:
      - id: N1
        text: {question}
"""


def _bank(key: str, title: str, question: str = "Did the supplier day go well?") -> str:
    return BANK.format(key=key, title=title, question=question)


def _api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _upload(user, text: str):
    return _api(user).post("/api/v1/banks/", {"yaml": text}, format="json")


def _comparable(response) -> dict:
    data = dict(response.data)
    for varying in ("uuid", "created_at", "updated_at", "title", "key", "sections", "source_text"):
        data.pop(varying, None)
    return data


def test_a_second_organisation_loads_a_bank_under_a_key_another_holds(world):
    charlie_first = _upload(world.charlie, _bank("supplier-day", "Eastbridge supplier day"))

    alice_same_key = _upload(world.alice, _bank("supplier-day", "Northshire supplier day"))
    alice_fresh_key = _upload(world.alice, _bank("a-key-nobody-holds", "Northshire fresh"))

    assert charlie_first.status_code == alice_same_key.status_code == alice_fresh_key.status_code == 201
    # One and the same answer whatever another organisation holds: nothing to probe.
    assert _comparable(alice_same_key) | {"organisation": None} == _comparable(alice_fresh_key) | {"organisation": None}
    assert alice_same_key.data["version"] == 1 and alice_same_key.data["is_current"] is True
    assert QuestionBank.objects.filter(key="supplier-day").count() == 2


def test_neither_organisation_sees_the_others_bank_of_the_same_key(world):
    _upload(world.charlie, _bank("supplier-day", "Eastbridge supplier day"))
    _upload(world.alice, _bank("supplier-day", "Northshire supplier day"))

    alices = _api(world.alice).get("/api/v1/banks/supplier-day/v1/")
    charlies = _api(world.charlie).get("/api/v1/banks/supplier-day/v1/")
    alices_list = _api(world.alice).get("/api/v1/banks/", {"limit": 100}).data["results"]

    assert alices.data["title"] == "Northshire supplier day"
    assert charlies.data["title"] == "Eastbridge supplier day"
    assert [b["title"] for b in alices_list if b["key"] == "supplier-day"] == ["Northshire supplier day"]


def test_the_upload_page_answers_the_same_for_a_key_another_organisation_holds(client, world):
    _upload(world.charlie, _bank("supplier-day", "Eastbridge supplier day"))
    client.force_login(world.alice)

    response = client.post(
        "/banks/",
        {"file": SimpleUploadedFile("bank.yaml", _bank("supplier-day", "Ours").encode(), "application/x-yaml")},
    )

    assert response.status_code == 302
    assert QuestionBank.objects.get(key="supplier-day", organisation=world.customer).title == "Ours"
    page = client.get("/banks/").content.decode()
    assert "Ours" in page and "Eastbridge supplier day" not in page
    assert client.get("/banks/supplier-day/v1/").content.decode().count("Eastbridge") == 0


def test_a_next_version_is_counted_within_the_organisation(world):
    _upload(world.charlie, _bank("supplier-day", "Eastbridge supplier day"))
    _upload(world.charlie, _bank("supplier-day", "Eastbridge supplier day", "Was it useful?"))

    ours = _upload(world.alice, _bank("supplier-day", "Northshire supplier day"))

    assert ours.data["version"] == 1
    theirs = QuestionBank.objects.filter(key="supplier-day").exclude(organisation=world.customer)
    assert list(theirs.values_list("version", "is_current").order_by("version")) == [(1, False), (2, True)]


def test_each_side_of_an_arrangement_starts_from_its_own_bank_of_a_shared_key(world):
    _upload(world.bob, _bank("supplier-day", "Brightwave supplier day"))
    _upload(world.alice, _bank("supplier-day", "Northshire supplier day"))

    for user, title in ((world.alice, "Northshire supplier day"), (world.bob, "Brightwave supplier day")):
        bank = selectors.bank_by_key(access=world.access(user), key="supplier-day")
        assert bank is not None and bank.title == title
