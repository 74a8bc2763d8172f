from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from amtshilfe.catalog.xzufi import exporter


class Command(BaseCommand):
    help = (
        "Export the service catalogue (services, authorities with responsibilities, "
        "responsibilities, online offerings) as an XZuFi 2.2 transfer message (xml, "
        "amtshilfe's subset schema) or as JSON (structure: catalog/xzufi/schema/README.md)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--format", choices=["xml", "json"], default="xml")
        parser.add_argument("--output", type=Path, help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["format"] == "xml":
            data = exporter.export_xml()
        else:
            data = exporter.export_json().encode("utf-8")
        output: Path | None = options["output"]
        if output is None:
            self.stdout.write(data.decode("utf-8"), ending="")
            return
        output.write_bytes(data)
        self.stderr.write(f"{len(data)} Bytes geschrieben / written: {output}")
