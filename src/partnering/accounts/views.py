from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from partnering.accounts import sso, two_factor
from partnering.accounts.forms import SignInForm, TokenCreateForm, TwoFactorCodeForm, TwoFactorSetupForm
from partnering.accounts.models import ApiToken
from partnering.accounts.services import token_create, token_revoke


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):  # noqa: ANN003, ANN201
        return {**super().get_context_data(**kwargs), "sso_enabled": sso.enabled()}


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    html_email_template_name = "accounts/email/password_reset.html"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@login_required
def settings_view(request: HttpRequest) -> HttpResponse:
    """Account settings: who you are, and your API tokens."""
    form = TokenCreateForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        token, new_token = token_create(user=request.user, **form.cleaned_data)
        messages.success(request, f"Token ‘{token.name}’ created. Copy it now: it will not be shown again.")
        form = TokenCreateForm()
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    context = {"form": form, "tokens": tokens, "new_token": new_token, "two_factor_on": user_has_device(request.user)}
    return render(request, "accounts/settings.html", context)


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, token_uuid: str) -> HttpResponse:
    try:
        token = token_revoke(user=request.user, token_uuid=token_uuid)
    except ApiToken.DoesNotExist as exc:
        raise Http404 from exc
    messages.success(request, f"Token ‘{token.name}’ revoked.")
    return redirect("accounts:settings")


def _next_url(request: HttpRequest) -> str:
    """The page to go on to after a second-factor step: `next` if it stays on this site."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure()):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@login_required
def two_factor_verify_view(request: HttpRequest) -> HttpResponse:
    """After the password: a code from the authenticator app, or a backup code."""
    if request.session.get(two_factor.STATE_KEY) != two_factor.VERIFY:
        return redirect(_next_url(request))
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = two_factor.verify(request, form.cleaned_data["code"])
        if result.ok:
            return redirect(_next_url(request))
        if result.locked_until:
            form.add_error("code", "Too many wrong codes. Wait a minute, then enter the code your app shows then.")
        else:
            form.add_error("code", "Enter the code your authenticator app shows now, or an unused backup code.")
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)})


@login_required
def two_factor_setup_view(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: its secret as text, as an otpauth:// link and as a QR code.

    The secret stays in the session until a code from the app confirms it, so a set-up left
    half-way leaves nothing behind. Confirming replaces any earlier app and backup codes.
    """
    key = two_factor.pending_key(request)
    form = TwoFactorSetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        step = two_factor.matching_step(key, form.cleaned_data["code"])
        if step is None:
            form.add_error("code", "That code does not match. Enter the code the app shows now.")
        else:
            device, codes = two_factor.two_factor_enable(user=request.user, key=key, step=step)
            two_factor.mark_verified(request, device)
            return render(
                request, "accounts/two_factor_backup_codes.html", {"codes": codes, "next": _next_url(request)}
            )
    uri = TOTPDevice(user=request.user, key=key).config_url
    qr = segno.make(uri, error="m").svg_inline(scale=4, border=4, dark="#0b0c0c", light="#ffffff")
    context = {
        "form": form,
        "secret": two_factor.secret_for_display(key),
        "otpauth_uri": uri,
        "qr_svg": mark_safe(qr),  # noqa: S308 - generated by segno from our own URI: paths, no text
        "required": bool(request.user.organisation_id and request.user.organisation.require_two_factor),
        "has_device": user_has_device(request.user),
        "next": _next_url(request),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@login_required
@require_POST
def backup_codes_view(request: HttpRequest) -> HttpResponse:
    """New backup codes, shown once; only for a session verified with the second factor."""
    if not user_has_device(request.user) or not request.user.is_verified():
        messages.error(request, "Set up an authenticator app first.")
        return redirect("accounts:two_factor_setup")
    codes = two_factor.backup_codes_replace(user=request.user)
    return render(
        request, "accounts/two_factor_backup_codes.html", {"codes": codes, "next": resolve_url("accounts:settings")}
    )
