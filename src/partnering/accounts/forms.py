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
