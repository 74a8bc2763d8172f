from django.contrib import admin

from amtshilfe.core.admin_site import operator_admin
from amtshilfe.regions.models import Region


@admin.register(Region, site=operator_admin)
class RegionAdmin(admin.ModelAdmin):
    """Reference data: loaded with `amtshilfe import-regions`, read-only here."""

    list_display = ["ars", "name", "kind", "population"]
    list_filter = ["kind"]
    search_fields = ["ars", "ags", "name", "name_folded"]
    readonly_fields = [f.name for f in Region._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return self.admin_site.has_permission(request)

    def has_module_permission(self, request):
        return self.admin_site.has_permission(request)
