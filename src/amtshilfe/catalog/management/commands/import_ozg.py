from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from amtshilfe.catalog.errors import CatalogFileInvalid
from amtshilfe.catalog.importers import import_ozg_catalogue


class Command(BaseCommand):
    help = (
        "Import the OZG catalogue (Themenfelder and OZG-Leistungen) from a CSV in the format "
        "of catalog/data/ozg-katalog.csv. Nothing changes if any row has an error."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="CSV file (UTF-8)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Datei nicht gefunden / file not found: {path}")
        try:
            summary = import_ozg_catalogue(path)
        except CatalogFileInvalid as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"OZG-Leistungen: {summary.created} neu/new, {summary.updated} geändert/updated, "
                f"{summary.unchanged} unverändert/unchanged."
            )
        )
