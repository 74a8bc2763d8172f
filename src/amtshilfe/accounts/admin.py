from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from amtshilfe.accounts.models import IdentityProvider, User
from amtshilfe.core.admin_site import AuditedModelAdmin, operator_admin


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "kind")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "kind", "is_active", "is_staff")

    email = forms.EmailField()


@admin.register(User, site=operator_admin)
class UserAdmin(AuditedModelAdmin, BaseUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "full_name", "kind", "is_active", "is_staff"]
    list_filter = ["kind", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    filter_horizontal = ()
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "kind")}),
        (_("Status"), {"fields": ("is_active", "is_staff")}),
    )
    add_fieldsets = ((None, {"fields": ("email", "full_name", "kind", "password1", "password2")}),)
    audit_fields = ("email", "full_name", "kind", "is_active", "is_staff")
    audit_organisation_field = None


class IdentityProviderForm(forms.ModelForm):
    class Meta:
        model = IdentityProvider
        fields = (
            "slug",
            "name",
            "issuer",
            "client_id",
            "client_secret",
            "scopes",
            "claim_mapping",
            "acr_mapping",
            "default_level",
            "attributes_verified",
            "enabled",
        )
        widgets = {"client_secret": forms.PasswordInput(render_value=True)}


@admin.register(IdentityProvider, site=operator_admin)
class IdentityProviderAdmin(AuditedModelAdmin):
    """External login providers; the audit trail records every change but never the secret."""

    form = IdentityProviderForm
    list_display = ["name", "slug", "issuer", "default_level", "enabled"]
    audit_organisation_field = None
    audit_fields = (
        "slug",
        "name",
        "issuer",
        "client_id",
        "scopes",
        "claim_mapping",
        "acr_mapping",
        "default_level",
        "attributes_verified",
        "enabled",
    )
