from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from amtshilfe.catalog import demo as catalog_demo
from amtshilfe.core.progress import Progress
from amtshilfe.organisations import demo


class Command(BaseCommand):
    help = (
        "Create the embedded database, apply migrations, load Hesse's regions and the demo "
        "world (ministry, IT provider, 3 large and 6 small municipalities, staff in every "
        "role), the service catalogue with responsibilities and offerings, and print the demo "
        "logins. Safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(settings.LANGUAGE_CODE):  # role labels in the product's language
            self._handle()

    def _handle(self) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                "Demodaten gibt es nur im eingebetteten Betrieb / "
                "demo data is for the embedded mode only (AMTSHILFE_MODE=embedded)."
            )
        self.stdout.write("Datenbank / database: migrate …")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("import_regions", stdout=self.stdout, stderr=self.stderr)
        logins = demo.create_demo_world(progress=Progress("Demowelt / demo world"))
        rules = catalog_demo.create_catalog_demo(progress=Progress("Leistungen / services"))
        self.stdout.write("")
        self.stdout.write(
            f"Demo-Zugänge / demo logins (Passwort / password: {demo.DEMO_PASSWORD}):"
        )
        width = max(len(login.email) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.email.ljust(width)}  {login.role} – {login.organisation}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo bereit / demo ready: {len(logins)} Zugänge in "
                f"{len({login.organisation for login in logins})} Organisationen, "
                f"{rules} Zuständigkeiten."
            )
        )
