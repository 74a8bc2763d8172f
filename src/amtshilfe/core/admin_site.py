"""The operators' admin: only platform operators get in, and every write is audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from amtshilfe.core import access, audit


class OperatorAdminSite(admin.AdminSite):
    site_header = _("amtshilfe operation")
    site_title = _("amtshilfe operation")
    index_title = _("Platform operation")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        return any(role == access.Role.PLATFORM_OPERATOR for _, role in access.memberships_of(user))

    def admin_view(self, view: Any, cacheable: bool = False) -> Any:
        inner = super().admin_view(view, cacheable)

        def scoped_view(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            # Operators see the whole installation: the grant is installation-wide, and the
            # admin checked has_permission before we get here.
            with scopes_disabled():
                response = inner(request, *args, **kwargs)
                if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                    response.render()
                return response

        scoped_view.__name__ = getattr(view, "__name__", "admin_view")
        return scoped_view


operator_admin = OperatorAdminSite(name="admin")


class AuditedModelAdmin(admin.ModelAdmin):
    """Writes through the admin land in the audit trail like every other staff write."""

    audit_fields: tuple[str, ...] = ()
    # Web addresses typed without a scheme are taken as https (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    audit_organisation_field: str | None = "organisation"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.admin_site.has_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.admin_site.has_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.admin_site.has_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.admin_site.has_permission(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.admin_site.has_permission(request)

    def _organisation_of(self, obj: models.Model) -> Any:
        if self.audit_organisation_field is None:
            return None
        return getattr(obj, f"{self.audit_organisation_field}_id", None)

    def _fields(self, obj: models.Model) -> tuple[str, ...]:
        return self.audit_fields or tuple(
            f.name for f in obj._meta.concrete_fields if not f.primary_key
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        fields = self._fields(obj)
        before: dict[str, Any] = {}
        if change and obj.pk is not None:
            before = audit.snapshot(type(obj)._default_manager.get(pk=obj.pk), fields)
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            verb = "changed" if change else "created"
            audit.record(
                actor=request.user,
                action=f"admin.{obj._meta.label_lower}.{verb}",
                obj=obj,
                organisation=self._organisation_of(obj),
                changes=audit.diff(before, audit.snapshot(obj, fields)),
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            audit.record(
                actor=request.user,
                action=f"admin.{obj._meta.label_lower}.deleted",
                obj=obj,
                organisation=self._organisation_of(obj),
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)
