"""The `amtshilfe` command: serve, web, worker, demo, check, import-regions, and Django's own.

Each subcommand is a Django management command, so each has `--help`.
"""

from __future__ import annotations

import os
import sys

ALIASES = {"import-regions": "import_regions"}
OVERVIEW = """\
amtshilfe – Plattform für die Online-Dienste der Kommunen / platform for municipal online services

Befehle / commands:
  serve                Webserver und Hintergrund-Worker in einem / web server plus worker
  web                  nur der Webserver / the web server only (production)
  worker               nur der Hintergrund-Worker / the background worker only (production)
  demo                 Datenbank, Regionen und Demowelt anlegen / database, regions, demo world
  check --deploy       Produktiv-Einstellungen prüfen / check production settings
  import-regions FILE  Regionen (neu) laden / (re)load region reference data
  <django-command>     jeder Django-Befehl, z. B. migrate, createsuperuser, shell

`amtshilfe BEFEHL --help` zeigt die Optionen / shows the options of a command.
"""


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amtshilfe.config.settings")
    if len(argv) < 2 or argv[1] in {"-h", "--help", "help"}:
        sys.stdout.write(OVERVIEW)
        return
    argv[1] = ALIASES.get(argv[1], argv[1])
    argv[0] = "amtshilfe"
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
