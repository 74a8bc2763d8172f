from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from amtshilfe.catalog.errors import XzufiInvalid
from amtshilfe.catalog.xzufi.importer import ImportSummary, import_xzufi
from amtshilfe.core.progress import Progress


def summary_line(summary: ImportSummary) -> str:
    parts = [
        f"{klasse}: {c.created} neu/new, {c.updated} geändert/updated, "
        f"{c.deleted} gelöscht/deleted, {c.unchanged} unverändert/unchanged"
        for klasse, c in summary.counts.items()
    ]
    prefix = "Probelauf, nichts gespeichert / dry run, nothing saved – " if summary.dry_run else ""
    return prefix + "; ".join(parts) + "."


class Command(BaseCommand):
    help = (
        "Import an XZuFi 2.2 transfer message (amtshilfe's subset, see "
        "catalog/xzufi/schema/README.md): Leistungen, Organisationseinheiten, Onlinedienste, "
        "Zuständigkeiten and deletions. The whole file is checked first; if anything is wrong, "
        "nothing changes and every problem is listed with its line and element path."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="XZuFi XML file (UTF-8)")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check and apply in a transaction that is rolled back; report what would change",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Datei nicht gefunden / file not found: {path}")
        try:
            summary = import_xzufi(path, dry_run=options["dry_run"], progress=Progress("XZuFi"))
        except XzufiInvalid as exc:
            raise CommandError(str(exc)) from exc
        for warning in summary.warnings:
            self.stderr.write(f"Warnung / warning: {warning}")
        self.stdout.write(self.style.SUCCESS(summary_line(summary)))
