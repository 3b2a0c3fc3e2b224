from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from partnering.accounts.forms import SignInForm, TokenCreateForm
from partnering.accounts.models import ApiToken
from partnering.accounts.services import token_create, token_revoke


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


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
    return render(request, "accounts/settings.html", {"form": form, "tokens": tokens, "new_token": new_token})


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, token_uuid: str) -> HttpResponse:
    try:
        token = token_revoke(user=request.user, token_uuid=token_uuid)
    except ApiToken.DoesNotExist as exc:
        raise Http404 from exc
    messages.success(request, f"Token ‘{token.name}’ revoked.")
    return redirect("accounts:settings")
