from django import forms
from django.contrib.auth.forms import AuthenticationForm

from partnering.accounts.models import TokenScope


class SignInForm(AuthenticationForm):
    """The sign-in form with GOV.UK wording."""

    username = forms.EmailField(
        label="E-mail address", widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"})
    )
    password = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    error_messages = {
        "invalid_login": "Enter a correct e-mail address and password.",
        "inactive": "This account is not active.",
    }


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label="Name of the token", max_length=100, help_text="For example, the script or tool that will use it."
    )
    scope = forms.ChoiceField(
        label="What may it do?", choices=TokenScope.choices, initial=TokenScope.READ, widget=forms.RadioSelect
    )


class TwoFactorCodeForm(forms.Form):
    """A code from the authenticator app, or one of the backup codes."""

    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text="The 6-digit code your authenticator app shows now, or one of your backup codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "none"}
        ),
    )


class TwoFactorSetupForm(forms.Form):
    code = forms.CharField(
        label="Code from the app",
        max_length=10,
        help_text="The 6-digit code the app shows after you add the account.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
    )
