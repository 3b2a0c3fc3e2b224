"""Error pages are the service's own styled pages, never a stack trace."""

from __future__ import annotations

import pytest
from django.urls import path

from partnering.arrangements.models import Arrangement


def _boom(request):
    raise RuntimeError("secret internals")


# This module doubles as a URLconf for the 500 test.
urlpatterns = [path("boom/", _boom)]
handler500 = "partnering.core.views.error_500"


def _styled(response) -> str:
    body = response.content.decode()
    assert "govuk-heading-l" in body
    assert "Traceback" not in body
    return body


def test_an_unknown_page_shows_the_styled_404(client, world):
    client.force_login(world.alice)

    response = client.get("/arrangements/no-such-arrangement/")

    assert response.status_code == 404
    assert "Page not found" in _styled(response)


def test_an_outsider_sees_the_same_404_as_for_a_missing_arrangement(client, world):
    client.force_login(world.charlie)
    missing = client.get("/arrangements/no-such-arrangement/")

    hidden = client.get(f"/arrangements/{world.arrangement.slug}/")

    assert hidden.status_code == missing.status_code == 404
    assert world.arrangement.title not in hidden.content.decode()


def test_a_forbidden_page_shows_the_styled_403(client, world):
    client.force_login(world.dave)

    response = client.get(f"/arrangements/{world.arrangement.slug}/edit/")

    assert response.status_code == 403
    assert "You cannot do this" in _styled(response)


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_crash_shows_the_styled_500_without_details(client):
    client.raise_request_exception = False

    response = client.get("/boom/")

    assert response.status_code == 500
    body = _styled(response)
    assert "Sorry, there is a problem with the service" in body
    assert "secret internals" not in body


def test_error_pages_do_not_leak_the_arrangement(client, world):
    Arrangement.objects.filter(pk=world.arrangement.pk).update(title="Top secret merger")
    client.force_login(world.charlie)

    response = client.get(f"/arrangements/{world.arrangement.slug}/members/")

    assert "Top secret merger" not in response.content.decode()


# -- in development (DEBUG on) ------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/no-such-page/", "/arrangements/no-such-arrangement/"])
def test_under_debug_a_404_is_still_the_services_page(client, world, settings, path):
    settings.DEBUG = True
    client.force_login(world.alice)

    response = client.get(path)

    assert response.status_code == 404
    body = _styled(response)
    assert "Page not found" in body and "URLconf" not in body


def test_under_debug_a_403_is_the_services_page(client, world, settings):
    settings.DEBUG = True
    client.force_login(world.dave)

    response = client.get(f"/arrangements/{world.arrangement.slug}/edit/")

    assert response.status_code == 403
    assert "You cannot do this" in _styled(response)


def test_a_developer_who_asks_gets_djangos_technical_404(client, world, settings):
    settings.DEBUG = True
    settings.DEBUG_ERROR_PAGES = True
    client.force_login(world.alice)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "URLconf" in response.content.decode()


def test_under_debug_an_address_missing_its_slash_is_still_redirected(client, world, settings):
    settings.DEBUG = True
    client.force_login(world.alice)

    response = client.get("/arrangements")

    assert response.status_code == 301 and response["Location"] == "/arrangements/"
