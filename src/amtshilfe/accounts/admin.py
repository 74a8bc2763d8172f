from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from amtshilfe.accounts.models import User
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
