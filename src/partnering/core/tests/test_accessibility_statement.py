"""The accessibility statement: in the GOV.UK model, open to anyone, linked from every page."""

from __future__ import annotations

MODEL_SECTIONS = [
    "How accessible this service is",
    "Feedback and contact information",
    "Enforcement procedure",
    "Technical information about this service’s accessibility",
    "Compliance status",
    "Non-accessible content",
    "Preparation of this accessibility statement",
]


def test_anyone_can_read_it_signed_out(client, db):
    response = client.get("/accessibility/")

    assert response.status_code == 200
    body = response.content.decode()
    for section in MODEL_SECTIONS:
        assert section in body, section
    assert "partially compliant" in body and "axe-core" in body


def test_it_names_the_contact_when_one_is_configured(client, db, settings):
    settings.ACCESSIBILITY_CONTACT_EMAIL = "access@northshire.example"

    body = client.get("/accessibility/").content.decode()

    assert 'href="mailto:access@northshire.example"' in body


def test_every_page_links_to_it_from_the_footer(client, world):
    signed_out = client.get("/accounts/sign-in/").content.decode()
    client.force_login(world.alice)
    signed_in = client.get(f"/arrangements/{world.arrangement.slug}/").content.decode()

    for body in (signed_out, signed_in):
        footer = body[body.index('<footer class="govuk-footer">') :]
        assert 'href="/accessibility/">Accessibility statement</a>' in footer
