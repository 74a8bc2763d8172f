"""The catalogue in the operators' admin: audited like every staff write; edits reindex."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from amtshilfe.catalog.models import OzgBundle, OzgTopic, Responsibility, Service
from amtshilfe.catalog.search import reindex_services
from amtshilfe.core.admin_site import AuditedModelAdmin, operator_admin


@admin.register(Service, site=operator_admin)
class ServiceAdmin(AuditedModelAdmin):
    list_display = ["name_de", "leika_key", "typisierung", "trust_level", "ozg_bundle"]
    list_filter = ["typisierung", "trust_level"]
    search_fields = ["name_de", "name_en", "leika_key", "slug"]
    raw_id_fields = ["ozg_bundle"]
    audit_organisation_field = None

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        reindex_services([obj.pk])  # the search must find what the operator just wrote

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        pk = obj.pk
        super().delete_model(request, obj)
        reindex_services([pk])  # a deleted id leaves the index


@admin.register(Responsibility, site=operator_admin)
class ResponsibilityAdmin(AuditedModelAdmin):
    list_display = ["service", "area", "authority", "organisation"]
    search_fields = ["area", "service__name_de", "organisation__name"]
    raw_id_fields = ["service", "authority", "organisation"]


@admin.register(OzgBundle, site=operator_admin)
class OzgBundleAdmin(AuditedModelAdmin):
    list_display = ["ozg_id", "name", "topic"]
    search_fields = ["ozg_id", "name"]
    audit_organisation_field = None


@admin.register(OzgTopic, site=operator_admin)
class OzgTopicAdmin(AuditedModelAdmin):
    list_display = ["name"]
    audit_organisation_field = None
