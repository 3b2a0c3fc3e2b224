"""The page cache (core.pagecache): a kept page is the same page, for its reader only, until written.

Every kept route is checked for every kind of user: what a hit serves is exactly what
a fresh render would (bar the per-render CSRF mask); refused people stay refused;
nobody is served a page rendered for someone else; and a write made through a
request, a role, a membership or the openness changing each retire the kept page.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partnering.accounts.models import TokenScope
from partnering.accounts.services import token_create
from partnering.arrangements.models import Membership, RoleAssignment
from partnering.assessments.tests.test_reports import build_annex_b
from partnering.core import downloads, pagecache
from partnering.core.choices import Role, Side, Stage
from partnering.core.prepared import Prepared
from partnering.risks.tests.factories import make_risk

pytestmark = pytest.mark.usefixtures("page_cache")

USERS = ("alice", "bob", "carol", "dave", "fran", "peter", "charlie")
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def _pages(world, assessment) -> dict[str, str]:
    slug = world.arrangement.slug
    return {
        "arrangement list": "/arrangements/",
        "overview": f"/arrangements/{slug}/",
        "members": f"/arrangements/{slug}/members/",
        "risk register": f"/arrangements/{slug}/risks/?status=open&sort=-score",
        "assessments": f"/arrangements/{slug}/assessments/",
        "assessment results": f"/arrangements/{slug}/assessments/{assessment.uuid}/results/",
        "my actions": "/actions/",
        "arrangement actions": f"/arrangements/{slug}/actions/",
        "KPIs": f"/arrangements/{slug}/kpis/",
        "portfolio": "/portfolio/",
        "home: what is waiting for you": "/",
    }


def _api(world) -> dict[str, str]:
    slug = world.arrangement.slug
    return {
        "API arrangements": "/api/v1/arrangements/",
        "API risks": f"/api/v1/arrangements/{slug}/risks/",
        "API assessments": f"/api/v1/arrangements/{slug}/assessments/",
        "API actions": f"/api/v1/arrangements/{slug}/actions/?open=false",
        "API my actions": "/api/v1/actions/mine/",
        "API my tasks": "/api/v1/me/tasks/",
    }


def _kept_count() -> int:
    return len(caches["pages"]._cache)  # the locmem backend's own store


def _body(response) -> bytes:
    return CSRF.sub(b"csrf", response.content)


@pytest.fixture
def busy(world):
    """Something on every page: a shared risk, a provider-private one, a revealed Annex B, an
    action each side may see, and alice and bob as their organisations' portfolio managers."""
    from partnering.actions.services import action_create

    profile = world.arrangement.openness
    profile.single_risk_register = False  # so that each side may keep risks of its own
    profile.save()
    make_risk(world.access(world.alice), title="Shared: data migration slips")
    make_risk(world.access(world.bob), title="Provider only: bid margin", visibility=Side.PROVIDER)
    action_create(access=world.access(world.alice), title="Joint action", owner=world.bob)
    action_create(
        access=world.access(world.bob), title="Provider-only action", owner=world.bob, visibility=Side.PROVIDER
    )
    for user in (world.alice, world.bob):
        user.is_portfolio_manager = True
        user.save()
    return build_annex_b(world)


def _risk_form(title: str) -> dict[str, str]:
    return {"title": title, "category": "other", "owning_side": "joint", "likelihood": "2", "impact": "4"} | {
        "visibility": "shared"
    }


def _signed_in(user) -> Client:
    """Signed in, with the CSRF cookie a browser has after its first page (see
    `test_without_a_csrf_cookie_the_page_is_rendered_not_kept`)."""
    client = Client()
    client.force_login(user)
    client.get("/accounts/settings/")
    assert "csrftoken" in client.cookies
    return client


@pytest.mark.parametrize("who", USERS)
def test_every_kept_page_serves_each_reader_exactly_their_own_fresh_render(world, busy, settings, who):
    user = getattr(world, who)
    client = _signed_in(user)
    for name, url in (_pages(world, busy) | _api(world)).items():
        api = name.startswith("API")
        settings.PAGE_CACHE_SECONDS = 0
        fresh = client.get(url, HTTP_ACCEPT="application/json") if api else client.get(url)
        settings.PAGE_CACHE_SECONDS = 300
        before = _kept_count()
        first = client.get(url, HTTP_ACCEPT="application/json") if api else client.get(url)
        stored = _kept_count()
        kept = client.get(url, HTTP_ACCEPT="application/json") if api else client.get(url)

        # A 200 is kept by the first request and served by the second; a refusal is never kept.
        assert stored == before + (1 if fresh.status_code == 200 else 0), (who, name)
        assert _kept_count() == stored, (who, name)

        assert fresh.status_code == first.status_code == kept.status_code, (who, name)
        assert _body(kept) == _body(first) == _body(fresh), (who, name)
        assert kept["Content-Type"] == fresh["Content-Type"], (who, name)
        if fresh.status_code == 200 and not api and "csrfmiddlewaretoken" in fresh.content.decode():
            assert kept.cookies.get("csrftoken") is None or kept.cookies["csrftoken"].value  # never emptied


def test_a_hit_runs_only_the_session_the_user_and_the_standing(world, busy):
    client = _signed_in(world.alice)
    url = f"/arrangements/{world.arrangement.slug}/risks/"
    client.get(url)

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)

    assert response.status_code == 200
    assert len(ctx.captured_queries) == 3, [q["sql"][:120] for q in ctx.captured_queries]


def test_a_page_kept_for_one_reader_is_never_served_to_another(world, busy):
    """Bob's register shows his side's private risk; alice's, asked for after his, does not."""
    url = f"/arrangements/{world.arrangement.slug}/risks/"
    bob_page = _signed_in(world.bob).get(url).content.decode()
    kept_before = _kept_count()

    alice_page = _signed_in(world.alice).get(url).content.decode()

    assert "Provider only: bid margin" in bob_page
    assert "Provider only: bid margin" not in alice_page
    bob_header, alice_header = bob_page.split("</header>")[0], alice_page.split("</header>")[0]
    assert world.bob.get_short_name() in bob_header and world.bob.get_short_name() not in alice_header
    assert world.alice.get_short_name() in alice_header
    assert _kept_count() == kept_before + 1  # alice's was rendered for her, not taken from bob's


def test_a_new_session_of_the_same_person_gets_a_fresh_render(world, busy):
    """The forms carry a CSRF token made from the session's cookie: a page is kept per session."""
    url = f"/arrangements/{world.arrangement.slug}/"
    _signed_in(world.alice).get(url)
    kept_before = _kept_count()

    _signed_in(world.alice).get(url)

    assert _kept_count() == kept_before + 1


def test_a_removed_member_is_refused_even_with_a_kept_page(world, busy):
    """The membership is read live on every request: a change made outside any request (here the
    ORM, so no write counter moves) still takes effect at once."""
    client = _signed_in(world.dave)
    url = f"/arrangements/{world.arrangement.slug}/"
    assert client.get(url).status_code == 200

    Membership.objects.filter(user=world.dave, arrangement=world.arrangement).update(is_active=False)

    assert client.get(url).status_code == 404
    assert client.get(f"/api/v1/arrangements/{world.arrangement.slug}/risks/").status_code in (403, 404)


def test_a_role_change_is_a_new_page(world, busy):
    """Dave, an observer, cannot add risks; made a contract manager (outside any request), his next
    page offers the button at once."""
    client = _signed_in(world.dave)
    url = f"/arrangements/{world.arrangement.slug}/risks/"
    assert "Add a risk" not in client.get(url).content.decode()

    membership = Membership.objects.get(user=world.dave, arrangement=world.arrangement)
    RoleAssignment.objects.filter(membership=membership).update(ended_at=timezone.now())
    RoleAssignment.objects.create(
        arrangement=world.arrangement, membership=membership, role=Role.CONTRACT_MANAGER, started_at=timezone.now()
    )

    assert "Add a risk" in client.get(url).content.decode()


def test_an_openness_change_is_a_new_page(world, busy):
    """With the risk register no longer single, each side sees only its own and shared risks; a
    change of openness (here outside any request) changes the key at once."""
    client = _signed_in(world.alice)
    url = f"/arrangements/{world.arrangement.slug}/"
    before = client.get(url)
    kept_before = _kept_count()

    profile = world.arrangement.openness
    profile.problems_visible = not profile.problems_visible
    profile.save()
    after = client.get(url)

    assert before.status_code == after.status_code == 200
    assert _kept_count() == kept_before + 1


def test_a_write_through_a_request_retires_every_readers_kept_page(world, busy):
    url = f"/arrangements/{world.arrangement.slug}/risks/"
    alice, dave = _signed_in(world.alice), _signed_in(world.dave)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=world.alice, name='t')[1]}")
    api_url = f"/api/v1/arrangements/{world.arrangement.slug}/risks/"
    assert "Key architect leaves" not in alice.get(url).content.decode() + dave.get(url).content.decode()
    assert "Key architect leaves" not in api.get(api_url).content.decode()

    response = _signed_in(world.bob).post(url + "new/", _risk_form("Key architect leaves"))

    assert response.status_code == 302
    assert "Key architect leaves" in alice.get(url).content.decode()
    assert "Key architect leaves" in dave.get(url).content.decode()
    assert "Key architect leaves" in api.get(api_url).content.decode()


def test_an_api_write_retires_the_pages_across_arrangements(world, busy):
    """My actions reads every arrangement of the reader: a new action for them, added through the
    API in one arrangement, shows at once."""
    client = _signed_in(world.bob)
    assert "Fresh from the API" not in client.get("/actions/").content.decode()
    _, raw = token_create(user=world.alice, name="writer", scope=TokenScope.READ_WRITE)
    writer = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    response = writer.post(
        f"/api/v1/arrangements/{world.arrangement.slug}/actions/",
        {"title": "Fresh from the API", "owner": world.bob.email},
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    assert "Fresh from the API" in client.get("/actions/").content.decode()


def test_a_revoked_token_is_refused_even_with_a_kept_list(world, busy):
    token, raw = token_create(user=world.alice, name="soon revoked")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    url = f"/api/v1/arrangements/{world.arrangement.slug}/risks/"
    assert api.get(url).status_code == 200

    token.revoked_at = timezone.now()
    token.save()

    assert api.get(url).status_code == 401


def test_a_page_showing_a_message_is_not_kept(world, busy):
    """The one-off "saved" message belongs to one view of the page, not to the kept page."""
    client = _signed_in(world.bob)
    url = f"/arrangements/{world.arrangement.slug}/risks/"
    response = client.post(url + "new/", _risk_form("With a message"))
    assert response.status_code == 302

    shown = client.get(url).content.decode()
    again = client.get(url).content.decode()

    assert "govuk-notification-banner--success" in shown
    assert "govuk-notification-banner--success" not in again


def test_a_new_day_is_a_new_page(world, busy, monkeypatch):
    """Actions and reviews fall overdue with the date, so the date is in the key."""
    client = _signed_in(world.alice)
    url = "/actions/"
    client.get(url)
    kept_before = _kept_count()
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    monkeypatch.setattr(pagecache.timezone, "localdate", lambda: tomorrow)

    client.get(url)

    assert _kept_count() == kept_before + 1


def test_a_new_lesson_or_bank_elsewhere_retires_the_assessments_page(world, busy):
    """The assessments page offers lessons from the reader's other arrangements and the banks of
    both organisations: both are written outside this arrangement."""
    from partnering.lessons.models import Lesson

    before = pagecache.table_version(Lesson)
    Lesson.objects.create(
        arrangement=world.other_arrangement,
        title="Elsewhere",
        what_happened="x",
        lesson="y",
        stage=Stage.STRATEGIC_ASSESSMENT,
    )

    assert pagecache.table_version(Lesson) != before


def test_switched_off_nothing_is_kept(world, busy, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client = _signed_in(world.alice)

    client.get(f"/arrangements/{world.arrangement.slug}/")

    assert _kept_count() == 0


# -- prepared queries -------------------------------------------------------------------


def test_a_prepared_query_puts_each_value_in_its_stand_ins_place(world):
    from partnering.arrangements.models import Membership as M

    prepared = Prepared(
        lambda stand: (
            M.objects.filter(user_id=stand.int("user"), is_active=True, side=stand.str("side"))
            .order_by("pk")
            .values_list("arrangement_id", flat=True)
        )
    )

    assert prepared.rows(user=world.alice.pk, side=Side.CUSTOMER) == [(world.arrangement.pk,)]
    assert prepared.rows(user=world.alice.pk, side=Side.PROVIDER) == []
    assert prepared.rows(user=world.charlie.pk, side=Side.CUSTOMER) == [(world.other_arrangement.pk,)]
    with pytest.raises(TypeError, match="side"):
        prepared.rows(user=world.alice.pk)


def test_the_standing_matches_the_full_access(world):
    from partnering.core.policy import standing_for

    for who in ("alice", "bob", "dave", "fran"):
        user = getattr(world, who)
        standing = standing_for(user=user, arrangement_slug=world.arrangement.slug)
        access = world.access(user)
        assert (standing.side, standing.roles, standing.membership_id, standing.arrangement_id) == (
            access.side,
            access.roles,
            access.membership.pk,
            access.arrangement.pk,
        )
    assert standing_for(user=world.charlie, arrangement_slug=world.arrangement.slug) is None


def test_a_prepared_query_refuses_a_stand_in_that_a_lookup_transforms():
    from partnering.arrangements.models import Arrangement

    prepared = Prepared(lambda stand: Arrangement.objects.filter(title__contains=stand.str("words")).values_list("pk"))

    with pytest.raises(ValueError, match="words"):
        prepared.rows(words="digital")


def test_without_a_csrf_cookie_the_page_is_rendered_not_kept(world, busy):
    """The render sets the cookie its forms' tokens come from; a kept copy could not set it again."""
    client = Client()
    client.force_login(world.alice)
    url = f"/arrangements/{world.arrangement.slug}/"

    response = client.get(url)

    assert "csrftoken" in response.cookies and _kept_count() == 0
    client.get(url)
    assert _kept_count() == 1


def test_a_head_request_goes_through_the_view_every_time(world, busy):
    client = _signed_in(world.alice)
    url = f"/arrangements/{world.arrangement.slug}/risks/"
    client.get(url)
    client.get(url)

    assert client.head(url).status_code == 405  # the register is GET only, kept or not


def test_a_response_marked_no_store_is_never_kept():
    assert pagecache.Kept.of(HttpResponse(b"page")) is not None
    assert pagecache.Kept.of(downloads.attachment(b"a,b\n", "risks.csv", downloads.CSV)) is None
