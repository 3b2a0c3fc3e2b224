import hashlib

import pytest

from partnering.archive import gateway
from partnering.archive.models import GatewayPack


def test_generating_records_numbered_versions_with_their_digest(populated):
    access = populated.world.access(populated.world.alice)

    first = gateway.pack_generate(access=access, gate=0)
    second = gateway.pack_generate(access=access, gate=0)
    other_gate = gateway.pack_generate(access=access, gate=3)

    assert (first.number, second.number, other_gate.number) == (1, 2, 1)
    assert bytes(second.pdf).startswith(b"%PDF")
    assert second.sha256 == hashlib.sha256(bytes(second.pdf)).hexdigest()
    assert second.generated_by == populated.world.alice


def test_the_pack_holds_only_what_both_sides_see(populated):
    html = gateway.pack_html(gateway.build(populated.world.access(populated.world.bob), 0, number=1))

    assert "Key people leave" in html  # shared risk
    assert "Margin squeeze" not in html  # the provider's private risk, even for the provider
    assert "Gate 0 review" in html and "Gate 0 again" in html
    assert "Not revealed yet" in html  # the blind assessment's results stay out
    assert "Version</dt><dd>1" in html


def test_observers_cannot_generate_but_can_read(client, populated):
    world = populated.world
    base = f"/arrangements/{world.arrangement.slug}/gateway/"
    client.force_login(world.dave)

    assert client.post(base + "0/generate/").status_code == 403
    assert client.get(base).status_code == 200
    preview = client.get(base + "0/pack.pdf")
    assert preview.status_code == 200
    assert preview["Content-Type"] == "application/pdf"
    assert not GatewayPack.objects.exists()


def test_the_list_shows_past_versions_and_downloads_each(client, populated):
    world = populated.world
    base = f"/arrangements/{world.arrangement.slug}/gateway/"
    client.force_login(world.alice)

    response = client.post(base + "2/generate/")
    client.post(base + "2/generate/")
    page = client.get(base)
    download = client.get(base + "2/pack.pdf?version=1")

    assert response.status_code == 302
    assert "Version 2" in page.content.decode()
    assert download.content == bytes(GatewayPack.objects.get(gate=2, number=1).pdf)
    assert client.get(base + "2/pack.pdf?version=9").status_code == 404
    assert client.get(base + "7/pack.pdf").status_code == 404


@pytest.mark.parametrize("gate", [4, 5])
def test_later_gates_use_the_in_service_banks(gate):
    assert set(gateway.GATE_BANKS[gate]) <= {"first-year", "annual-health-check", "annex-b"}
