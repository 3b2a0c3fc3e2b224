"""Two-factor sign-in with django-otp: an authenticator app (TOTP) and backup codes.

A person who has set up an authenticator app is asked for a code after their password, and an
organisation may require its people to set one up before they see any arrangement. Whether the
session still needs a code, or still needs a set-up, is decided at sign-in and kept in the session
(`STATE_KEY`), so that ordinary requests cost no query for it. Turning an organisation's requirement
on or off (`organisation_require_two_factor`) brings its people's signed-in sessions into line at
once, rather than at their next sign-in, up to a working day later.
"""

from __future__ import annotations

import secrets
from base64 import b32encode
from binascii import unhexlify
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY, user_has_device
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from partnering.accounts.models import Organisation

STATE_KEY = "partnering_two_factor"
VERIFY = "verify"  # has an authenticator app: must give a code before anything else
SET_UP = "set-up"  # the organisation requires one and there is none yet
PENDING_KEY_SESSION = "partnering_totp_key"
BACKUP_CODE_COUNT = 10
SSO_BACKEND = "partnering.accounts.sso.SsoBackend"


def state_at_sign_in(user: Any) -> str | None:
    """What a new session of `user` must do before reaching the service, or None.

    Single sign-on leaves the second factor to the organisation's identity provider.
    """
    if getattr(user, "backend", None) == SSO_BACKEND:
        return None
    if user_has_device(user, confirmed=True):
        return VERIFY
    if user.organisation_id and user.organisation.require_two_factor:
        return SET_UP
    return None


def on_user_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    state = state_at_sign_in(user)
    if state:
        request.session[STATE_KEY] = state
    else:
        request.session.pop(STATE_KEY, None)


@dataclass(frozen=True)
class RequirementChange:
    required: bool
    #: Signed-in sessions sent to set up an app (or asked for their code), or let go of the set-up.
    sessions_changed: int


def organisation_require_two_factor(*, organisation: Organisation, required: bool) -> RequirementChange:
    """Require two-factor sign-in of an organisation's people, or stop requiring it, from their next page.

    The sessions of its people who are signed in with a password alone are brought into line now:
    when it is required, each is sent to set up an app (or, for someone who has one, asked for a code)
    before anything else; when it is not, a session waiting only for that set-up is let go. Sessions
    that gave a code, and sign-ins through the organisation's own identity provider (which owns the
    second factor there), are left as they are.

    The flag is committed first, so that every sign-in from then on reads it; then each session is
    changed on its own, locked and read again, and written with an UPDATE (a session signed out in
    the meantime stays gone), without holding other organisations' sessions. Left open: a sign-in
    that read the old flag a moment before and saves its session after the sweep has passed, and a
    request already under way that saves its whole session over the change; both need a sign-in or
    a session write in the same instant, and the next sign-in puts them right.
    """
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":  # pragma: no cover - settings fix it
        raise RuntimeError("Sessions must be kept in the database to be brought into line.")
    with transaction.atomic():
        Organisation.objects.filter(pk=organisation.pk).update(require_two_factor=required)
    organisation.require_two_factor = required
    people = {str(pk) for pk in organisation.people.values_list("pk", flat=True)}
    with_device = {
        str(pk)
        for model in (TOTPDevice, StaticDevice)
        for pk in model.objects.filter(user__organisation=organisation, confirmed=True).values_list(
            "user_id", flat=True
        )
    }

    def brought_into_line(data: dict[str, Any]) -> bool:
        user_id = data.get(SESSION_KEY)
        if user_id not in people or data.get(BACKEND_SESSION_KEY) == SSO_BACKEND or data.get(DEVICE_ID_SESSION_KEY):
            return False
        state = data.get(STATE_KEY)
        if required and state is None:
            data[STATE_KEY] = VERIFY if user_id in with_device else SET_UP
            return True
        if not required and state == SET_UP:
            del data[STATE_KEY]
            return True
        return False

    live = Session.objects.filter(expire_date__gt=timezone.now())
    candidates = [s.session_key for s in live.iterator() if brought_into_line(s.get_decoded())]
    changed = 0
    for key in candidates:
        with transaction.atomic():
            session = live.select_for_update().filter(pk=key).first()
            if session is None:
                continue  # signed out meanwhile
            data = session.get_decoded()
            if brought_into_line(data):
                changed += Session.objects.filter(pk=key).update(session_data=Session.objects.encode(data))
    return RequirementChange(required=required, sessions_changed=changed)


def pending_key(request: HttpRequest) -> str:
    """The secret of the authenticator app being set up, kept in the session until confirmed."""
    key = request.session.get(PENDING_KEY_SESSION)
    if not key:
        key = default_key()
        request.session[PENDING_KEY_SESSION] = key
    return key


def secret_for_display(key: str) -> str:
    """The base32 secret people type into an app, in groups of four."""
    text = b32encode(unhexlify(key)).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def matching_step(key: str, code: str) -> int | None:
    """The TOTP time step at which `code` is right for `key` (one step of clock drift allowed), or None."""
    code = "".join(str(code).split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = TOTP(unhexlify(key))
    return totp.t() if totp.verify(int(code), tolerance=1) else None


@transaction.atomic
def two_factor_enable(*, user: Any, key: str, step: int) -> tuple[TOTPDevice, list[str]]:
    """Replace the person's authenticator app and backup codes; return the new device and codes.

    `step` is the time step of the code that confirmed the app: that code cannot be used again.
    """
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice(user=user, name="Authenticator app", key=key, confirmed=True, last_t=step)
    device.full_clean()
    device.save()
    return device, backup_codes_replace(user=user)


@transaction.atomic
def backup_codes_replace(*, user: Any) -> list[str]:
    """New single-use backup codes, the old ones withdrawn. Shown once, stored as given."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    codes = [secrets.token_hex(5) for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@dataclass(frozen=True)
class Verification:
    ok: bool
    #: When the devices refuse codes for a while after several wrong ones.
    locked_until: datetime | None = None


def verify(request: HttpRequest, code: str) -> Verification:
    """Check a six-digit code from the app, or else a backup code; verify the session on a match.

    django-otp throttles each device: after each wrong code the next is refused for twice as long.
    """
    code = "".join(code.split()).lower()
    if not code:
        return Verification(False)
    model = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    locked_until = None
    with transaction.atomic():
        for device in model.objects.devices_for_user(request.user, confirmed=True).select_for_update():
            allowed, why = device.verify_is_allowed()
            if not allowed:
                locked_until = (why or {}).get("locked_until")
                continue
            if device.verify_token(code):
                mark_verified(request, device)
                return Verification(True)
    return Verification(False, locked_until)


def mark_verified(request: HttpRequest, device: Any) -> None:
    otp_login(request, device)
    request.session.pop(STATE_KEY, None)
    request.session.pop(PENDING_KEY_SESSION, None)
