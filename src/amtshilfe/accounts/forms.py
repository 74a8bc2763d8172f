from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

INPUT = "kern-form-input__input"


class LoginForm(AuthenticationForm):
    """E-mail and password, for everyone: citizens, members of organisation accounts, staff."""

    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "username", "class": INPUT}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "class": INPUT}),
    )

    # One message for a wrong address, a wrong password and an unconfirmed account alike.
    error_messages = {
        "invalid_login": _(
            "The e-mail address or the password is not correct. Please check both and try again."
        ),
        "inactive": _(
            "The e-mail address or the password is not correct. Please check both and try again."
        ),
    }


#: The form the staff login was built with; one login for everyone now.
StaffLoginForm = LoginForm


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_(
            "The six-digit code from your authenticator app, or one of your recovery codes."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "class": INPUT,
                "spellcheck": "false",
                "autocapitalize": "off",
            }
        ),
    )


class TotpConfirmForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=6,
        min_length=6,
        help_text=_("Enter the six-digit code the app shows now."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "class": INPUT}
        ),
    )


class RegistrationForm(forms.Form):
    full_name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name", "class": INPUT}),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("We send you a link to confirm it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "class": INPUT}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_(
            "At least 12 characters. A sentence of several words is easy to remember and hard "
            "to guess. Common passwords are not accepted."
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "class": INPUT}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "class": INPUT}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are not the same."))
        elif first:
            try:
                password_validation.validate_password(first)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class ResetRequestForm(PasswordResetForm):
    """Only the address; ``services.request_password_reset`` sends, through the worker (the
    answer never tells whether the address has an account, and takes as long either way)."""

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "class": INPUT}),
    )


class ProfileForm(forms.Form):
    """The self-declared profile items; every field may stay empty."""

    given_name = forms.CharField(label=_("Given name"), max_length=100, required=False)
    family_name = forms.CharField(label=_("Family name"), max_length=100, required=False)
    birth_date = forms.DateField(
        label=_("Date of birth"),
        required=False,
        help_text=_("For example 17.03.1985"),
        input_formats=["%d.%m.%Y", "%Y-%m-%d"],
        widget=forms.DateInput(format="%d.%m.%Y"),
    )
    birth_place = forms.CharField(label=_("Place of birth"), max_length=100, required=False)
    street = forms.CharField(label=_("Street and house number"), max_length=200, required=False)
    postal_code = forms.RegexField(
        label=_("Postal code"),
        regex=r"^\d{5}$",
        required=False,
        error_messages={"invalid": _("A German postal code has five digits.")},
    )
    city = forms.CharField(
        label=pgettext_lazy("postal address", "Town"), max_length=100, required=False
    )
    country = forms.CharField(label=_("Country"), max_length=100, required=False)
    phone = forms.RegexField(
        label=_("Phone"),
        regex=r"^\+?[0-9 ()/-]{5,30}$",
        required=False,
        error_messages={"invalid": _("Please enter a phone number with digits only.")},
    )

    AUTOCOMPLETE = {
        "given_name": "given-name",
        "family_name": "family-name",
        "birth_date": "bday",
        "street": "street-address",
        "postal_code": "postal-code",
        "city": "address-level2",
        "country": "country-name",
        "phone": "tel",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.update(
                {"class": INPUT, "autocomplete": self.AUTOCOMPLETE.get(name, "off")}
            )

    def values(self) -> dict[str, str]:
        data = self.cleaned_data
        values = {name: str(data.get(name) or "") for name in self.fields}
        if data.get("birth_date"):
            values["birth_date"] = data["birth_date"].isoformat()
        return values


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "class": INPUT}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account and its data will be deleted for good."),
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."))
        return str(password)
