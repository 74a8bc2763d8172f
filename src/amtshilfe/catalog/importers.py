"""Importing the LeiKa and OZG catalogue files: check every row first, then write atomically.

Formats: ``data/leika-common.csv`` and ``data/ozg-katalog.csv`` (see ``data/README.md``).
Both imports are idempotent; a file with any error changes nothing and the error names the
line and the column of every problem. Imports run as the system: audit entries have no actor.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from amtshilfe.catalog import content
from amtshilfe.catalog.errors import CatalogFileInvalid, Problem
from amtshilfe.catalog.models import OzgBundle, OzgTopic, Service
from amtshilfe.catalog.search import reindex_services
from amtshilfe.core import audit
from amtshilfe.core.text import german_slug

LEIKA_COLUMNS = ("leika_key", "name_de", "typisierung", "ozg_id")
OZG_COLUMNS = ("themenfeld", "lebens_oder_unternehmenslage", "ozg_id", "ozg_leistung")
_LEIKA_KEY = re.compile(r"\d{14}")
_OZG_ID = re.compile(r"\d{5}")
_BOM = b"\xef\xbb\xbf"
Progress = Callable[[int, int], None]


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    #: problems that did not stop the import (e.g. a Typisierung left empty)
    warnings: list[Problem] = field(default_factory=list)


def upsert(instance: Any, values: dict[str, Any], action: str, organisation: Any = None) -> str:
    """Set ``values``, save and audit if anything changed: "created", "updated", "unchanged"."""
    is_new = instance.pk is None
    before = {} if is_new else audit.snapshot(instance, values)
    for key, value in values.items():
        setattr(instance, key, value)
    after = audit.snapshot(instance, values)
    if before == after:
        return "unchanged"
    instance.save()
    verb = "created" if is_new else "changed"
    audit.record(
        actor=None,
        action=f"{action}.{verb}",
        obj=instance,
        organisation=organisation,
        changes=audit.diff(before, after),
    )
    return "created" if is_new else "updated"


def unique_slug(name: str, taken: set[str]) -> str:
    """A service address from its name, not in ``taken`` (which it joins)."""
    base = german_slug(name)[:100].strip("-") or "leistung"
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    taken.add(slug)
    return slug


def _rows(data: bytes, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """The rows of a UTF-8 CSV with their line numbers; problems of the file as a whole raise."""
    try:
        text = data.removeprefix(_BOM).decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        error = f"byte 0x{data[exc.start]:02x}"
        raise CatalogFileInvalid(
            [Problem(_("The file is not UTF-8: %(error)s") % {"error": error}, line=line)]
        ) from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise CatalogFileInvalid(
            [Problem(_("Line 1: missing columns: %(columns)s.") % {"columns": ", ".join(missing)})]
        )
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[Problem] = []
    try:
        for raw in reader:
            if None in raw:
                problems.append(Problem(_("Too many values."), line=reader.line_num))
                continue
            rows.append((reader.line_num, {k: (v or "").strip() for k, v in raw.items()}))
    except csv.Error as exc:
        problems.append(Problem(str(exc), line=reader.line_num))
    if problems:
        raise CatalogFileInvalid(problems)
    if not rows:
        raise CatalogFileInvalid([Problem(_("The file contains no rows."))])
    return rows


# ---------------------------------------------------------------------------- LeiKa


@dataclass(frozen=True)
class LeikaRow:
    line: int
    leika_key: str
    name: str
    typisierung: str
    ozg_id: str


def _too_long(model: type[Any], field_name: str, value: str) -> bool:
    limit = model._meta.get_field(field_name).max_length
    return limit is not None and len(value) > limit


def parse_leika(data: bytes) -> tuple[list[LeikaRow], list[Problem]]:
    """Check every row of a LeiKa CSV; raise :class:`CatalogFileInvalid` listing each problem.

    Returns the rows and the warnings (Typisierungen amtshilfe does not know are left empty).
    """
    problems: list[Problem] = []
    warnings: list[Problem] = []
    rows: list[LeikaRow] = []
    seen: dict[str, int] = {}
    raw_rows = _rows(data, LEIKA_COLUMNS)
    ozg_ids = {raw["ozg_id"] for _line, raw in raw_rows if raw["ozg_id"]}
    bundles = set(OzgBundle.objects.filter(ozg_id__in=ozg_ids).values_list("ozg_id", flat=True))
    for line, raw in raw_rows:
        key, name, ozg_id, typisierung = (
            raw["leika_key"],
            raw["name_de"],
            raw["ozg_id"],
            raw["typisierung"],
        )
        before = len(problems)
        if not _LEIKA_KEY.fullmatch(key):
            problems.append(Problem(_("A LeiKa key has exactly 14 digits."), line, "leika_key"))
        elif key in seen:
            problems.append(
                Problem(
                    _("The LeiKa key %(key)s repeats line %(first)d.")
                    % {"key": key, "first": seen[key]},
                    line,
                    "leika_key",
                )
            )
        if not name:
            problems.append(Problem(_("The name is empty."), line, "name_de"))
        elif _too_long(Service, "leika_name", name):
            problems.append(Problem(_("The name is too long."), line, "name_de"))
        if ozg_id and ozg_id not in bundles:
            problems.append(
                Problem(
                    _("There is no OZG-Leistung %(ozg_id)s; import the OZG catalogue first.")
                    % {"ozg_id": ozg_id},
                    line,
                    "ozg_id",
                )
            )
        if typisierung not in Service.Typisierung.values:
            if typisierung:
                warnings.append(
                    Problem(
                        _("Typisierung %(value)s is not one amtshilfe knows; it is left empty.")
                        % {"value": typisierung},
                        line,
                        "typisierung",
                    )
                )
            typisierung = ""
        if len(problems) == before:
            seen[key] = line
            rows.append(LeikaRow(line, key, name, typisierung, ozg_id))
    if problems:
        raise CatalogFileInvalid(problems)
    return rows, warnings


@transaction.atomic
def import_leika_csv(path: Path, *, progress: Progress | None = None) -> ImportSummary:
    """Create services for new LeiKa keys; for known ones update only what LeiKa says.

    A service that exists keeps its curated texts: only its LeiKa name, Typisierung and
    OZG-Leistung follow the file (an empty Typisierung or OZG id leaves it as it is).
    """
    rows, warnings = parse_leika(path.read_bytes())
    summary = ImportSummary(warnings=warnings)
    existing = {
        s.leika_key: s for s in Service.objects.filter(leika_key__in=[r.leika_key for r in rows])
    }
    bundles = {b.ozg_id: b for b in OzgBundle.objects.filter(ozg_id__in={r.ozg_id for r in rows})}
    slugs: set[str] | None = None
    written: list[int] = []
    for index, row in enumerate(rows, start=1):
        service = existing.get(row.leika_key)
        values: dict[str, Any] = {"leika_name": row.name}
        if row.typisierung or service is None:
            values["typisierung"] = row.typisierung
        if row.ozg_id:
            values["ozg_bundle"] = bundles[row.ozg_id]
        if service is None:
            slugs = (
                slugs if slugs is not None else set(Service.objects.values_list("slug", flat=True))
            )
            service = Service(leika_key=row.leika_key, name_de=row.name)
            values["slug"] = unique_slug(row.name, slugs)
        outcome = upsert(service, values, "catalog.import.service")
        setattr(summary, outcome, getattr(summary, outcome) + 1)
        if outcome != "unchanged":
            written.append(service.pk)
        if progress is not None:
            progress(index, len(rows))
    if written:  # the search index is not kept in step by signals
        reindex_services(written)
    return summary


# ------------------------------------------------------------------------------ OZG


def check_ozg(data: bytes) -> None:
    """Check every row of an OZG catalogue CSV; raise :class:`CatalogFileInvalid` if needed."""
    problems: list[Problem] = []
    seen: dict[str, tuple[int, tuple[str, ...]]] = {}
    limits = {
        "themenfeld": (OzgTopic, "name"),
        "lebens_oder_unternehmenslage": (OzgBundle, "situation"),
        "ozg_leistung": (OzgBundle, "name"),
    }
    for line, raw in _rows(data, OZG_COLUMNS):
        ozg_id = raw["ozg_id"]
        if not _OZG_ID.fullmatch(ozg_id):
            problems.append(Problem(_("An OZG id has exactly 5 digits."), line, "ozg_id"))
        for column in ("themenfeld", "ozg_leistung"):
            if not raw[column]:
                problems.append(Problem(_("The value is empty."), line, column))
        for column, (model, field_name) in limits.items():
            if _too_long(model, field_name, raw[column]):
                problems.append(Problem(_("The value is too long."), line, column))
        values = tuple(raw[c] for c in OZG_COLUMNS)
        first = seen.setdefault(ozg_id, (line, values))
        if first[0] != line and first[1] != values:
            problems.append(
                Problem(
                    _("The OZG id %(ozg_id)s repeats line %(first)d with other values.")
                    % {"ozg_id": ozg_id, "first": first[0]},
                    line,
                    "ozg_id",
                )
            )
    if problems:
        raise CatalogFileInvalid(problems)


def import_ozg_catalogue(path: Path) -> content.LoadSummary:
    """Load OZG Themenfelder and Leistungsbündel after checking the whole file; idempotent."""
    data = path.read_bytes()
    check_ozg(data)
    if not data.startswith(_BOM):
        return content.load_ozg_catalogue(path)
    with tempfile.TemporaryDirectory() as folder:  # the loader reads plain UTF-8 only
        plain = Path(folder) / "ozg-katalog.csv"
        plain.write_bytes(data.removeprefix(_BOM))
        return content.load_ozg_catalogue(plain)
