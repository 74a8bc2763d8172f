"""The `amtshilfe` command: serve, web, worker, demo, check, import-regions, and Django's own.

Each subcommand is a Django management command, so each has `--help`.
"""

from __future__ import annotations

import os
import sys

from django.core.management import BaseCommand, ManagementUtility

from amtshilfe.config.env import SettingError

ALIASES = {
    "import-regions": "import_regions",
    "import-ozg": "import_ozg",
    "import-leika": "import_leika",
    "import-xzufi": "import_xzufi",
    "export-catalog": "export_catalog",
}
OVERVIEW = """\
amtshilfe – Plattform für die Online-Dienste der Kommunen / platform for municipal online services

Befehle / commands:
  serve                Webserver und Hintergrund-Worker in einem / web server plus worker
  web                  nur der Webserver / the web server only (production)
  worker               nur der Hintergrund-Worker / the background worker only (production)
  demo                 Datenbank, Regionen und Demowelt anlegen / database, regions, demo world
  check --deploy       Produktiv-Einstellungen prüfen / check production settings
  import-regions FILE  Regionen (neu) laden / (re)load region reference data
  import-ozg FILE      OZG-Katalog laden / load the OZG catalogue (CSV)
  import-leika FILE    LeiKa-Leistungen laden / load LeiKa services (CSV)
  import-xzufi FILE    XZuFi-Nachricht einspielen / import an XZuFi message [--dry-run]
  export-catalog       Katalog als XZuFi-XML oder JSON / export the catalogue (--format xml|json)
  <django-command>     jeder Django-Befehl, z. B. migrate, createsuperuser, shell

`amtshilfe BEFEHL --help` zeigt die Optionen / shows the options of a command.
"""


class Utility(ManagementUtility):
    """Django's command dispatcher, knowing our hyphenated names (so `--help` shows them)."""

    def fetch_command(self, subcommand: str) -> BaseCommand:
        return super().fetch_command(ALIASES.get(subcommand, subcommand))


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amtshilfe.config.settings")
    if len(argv) < 2 or argv[1] in {"-h", "--help", "help"}:
        sys.stdout.write(OVERVIEW)
        return
    argv[0] = "amtshilfe"
    try:
        Utility(argv).execute()
    except SettingError as exc:  # a mistyped environment variable: one clear line, no traceback
        sys.stderr.write(f"amtshilfe: Einstellung ungültig / invalid setting: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
