from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from amtshilfe.postbox import services


class Command(BaseCommand):
    help = (
        "Delete Postfach messages past their retention period, with their replies and "
        "attachments, and attachment files no message refers to. Run it daily (cron, "
        "systemd timer)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = services.purge_expired()
        swept = services.sweep_orphan_files()
        self.stdout.write(
            f"Postfach: {deleted} Nachrichten gelöscht / messages deleted, "
            f"{swept} verwaiste Dateien entfernt / orphaned files removed."
        )
