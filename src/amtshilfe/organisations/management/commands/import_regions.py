from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from amtshilfe.core.progress import Progress
from amtshilfe.organisations import services as organisation_services
from amtshilfe.regions import services
from amtshilfe.regions.errors import RegionFileInvalid


class Command(BaseCommand):
    help = (
        "(Re)load the regions of Hesse from a CSV (default: the Destatis extract shipped with "
        "amtshilfe) and make every Gemeinde and Kreis an organisation. Nothing changes if the "
        "file has an error."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", nargs="?", type=Path, help="CSV file (columns: see docs)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path | None = options["file"]
        if path is not None and not path.is_file():
            raise CommandError(f"Datei nicht gefunden / file not found: {path}")
        try:
            summary = services.import_regions(path, progress=Progress("Regionen / regions"))
        except RegionFileInvalid as exc:
            raise CommandError(str(exc)) from exc
        orgs = organisation_services.sync_from_regions(
            progress=Progress("Organisationen / organisations")
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Regionen: {summary.total} ({summary.created} neu, {summary.updated} geändert, "
                f"{summary.unchanged} unverändert); Organisationen: {orgs.created} neu, "
                f"{orgs.updated} geändert, {orgs.unchanged} unverändert."
            )
        )
