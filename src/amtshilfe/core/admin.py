"""Background tasks and workers, visible (read-only) to platform operators."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from amtshilfe.core.admin_site import operator_admin
from amtshilfe.core.models import WorkerHeartbeat


class ReadOnlyForOperators:
    admin_site: Any

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(self.admin_site.has_permission(request))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(self.admin_site.has_permission(request))

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TaskResultAdmin(ReadOnlyForOperators, DBTaskResultAdmin):
    pass


class WorkerHeartbeatAdmin(ReadOnlyForOperators, admin.ModelAdmin):
    list_display = ["worker_id", "hostname", "pid", "started_at", "seen_at"]


operator_admin.register(DBTaskResult, TaskResultAdmin)
operator_admin.register(WorkerHeartbeat, WorkerHeartbeatAdmin)
