from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from amtshilfe.catalog.errors import CatalogFileInvalid
from amtshilfe.catalog.importers import import_leika_csv
from amtshilfe.core.progress import Progress


class Command(BaseCommand):
    help = (
        "Import LeiKa services from a CSV in the format of catalog/data/leika-common.csv. "
        "New LeiKa keys become services; existing services keep their texts and take only "
        "the LeiKa name, Typisierung and OZG-Leistung. Import the OZG catalogue first. "
        "Nothing changes if any row has an error."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="CSV file (UTF-8)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Datei nicht gefunden / file not found: {path}")
        try:
            summary = import_leika_csv(path, progress=Progress("LeiKa"))
        except CatalogFileInvalid as exc:
            raise CommandError(str(exc)) from exc
        for warning in summary.warnings:
            self.stderr.write(f"Warnung / warning: {warning}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Leistungen / services: {summary.created} neu/new, {summary.updated} "
                f"geändert/updated, {summary.unchanged} unverändert/unchanged."
            )
        )
