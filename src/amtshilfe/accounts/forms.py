from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class StaffLoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(
            attrs={"autocomplete": "username", "class": "kern-form-input__input"}
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "current-password", "class": "kern-form-input__input"}
        ),
    )

    error_messages = {
        "invalid_login": _(
            "The e-mail address or the password is not correct. Please check both and try again."
        ),
        "inactive": _("This account is not active."),
    }
