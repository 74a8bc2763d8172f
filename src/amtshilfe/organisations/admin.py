from django.contrib import admin

from amtshilfe.core.admin_site import AuditedModelAdmin, operator_admin
from amtshilfe.core.models import AuditEntry
from amtshilfe.organisations.models import (
    Authority,
    DelegationAgreement,
    Membership,
    OpeningHours,
    Organisation,
)


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


@admin.register(Organisation, site=operator_admin)
class OrganisationAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "slug", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "slug", "region__ars"]
    raw_id_fields = ["region"]
    audit_organisation_field = None

    def _organisation_of(self, obj):
        return obj.pk


@admin.register(Authority, site=operator_admin)
class AuthorityAdmin(AuditedModelAdmin):
    list_display = ["name", "organisation"]
    search_fields = ["name", "organisation__name"]
    raw_id_fields = ["organisation"]
    inlines = [OpeningHoursInline]


@admin.register(Membership, site=operator_admin)
class MembershipAdmin(AuditedModelAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["role"]
    search_fields = ["user__email", "organisation__name"]
    raw_id_fields = ["user", "organisation"]


@admin.register(DelegationAgreement, site=operator_admin)
class DelegationAgreementAdmin(AuditedModelAdmin):
    list_display = ["delegating", "processing", "scope", "scope_value", "valid_from", "valid_until"]
    raw_id_fields = ["delegating", "processing"]
    audit_organisation_field = "delegating"


@admin.register(AuditEntry, site=operator_admin)
class AuditEntryAdmin(admin.ModelAdmin):
    """Append-only: operators read, nobody writes."""

    list_display = ["at", "actor_label", "organisation", "action", "object_type", "object_id"]
    list_filter = ["action"]
    search_fields = ["action", "object_id", "actor_label"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return self.admin_site.has_permission(request)

    def has_module_permission(self, request):
        return self.admin_site.has_permission(request)
