"""Loading the region reference data: validate the whole file first, then write atomically."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO

from django.db import transaction
from django.utils.translation import gettext as _

from amtshilfe.core.text import fold
from amtshilfe.regions.errors import RegionFileInvalid
from amtshilfe.regions.models import Region, RegionKind

DEFAULT_REGION_FILE = Path(__file__).resolve().parent / "data" / "regions-hessen.csv"
REQUIRED_COLUMNS = ("ars", "ags", "name", "kind", "parent_ars", "population", "area_km2")
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RegionRow:
    line: int
    ars: str
    ags: str
    name: str
    official_name: str
    kind: str
    parent_ars: str
    population: int | None
    area_km2: Decimal | None
    postcode: str
    sonderstatusstadt: bool


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def _parse_row(line: int, raw: dict[str, str], problems: list[str]) -> RegionRow | None:
    def field(name: str) -> str:
        return (raw.get(name) or "").strip()

    before = len(problems)
    ars, ags, kind = field("ars"), field("ags"), field("kind")
    if not (len(ars) == 12 and ars.isdigit()):
        problems.append(
            _("Line %(line)d: ARS %(ars)r must have 12 digits.") % {"line": line, "ars": ars}
        )
    if ags and not (len(ags) == 8 and ags.isdigit() and ags == ars[:5] + ars[9:]):
        problems.append(
            _("Line %(line)d: AGS %(ags)r does not match the ARS.") % {"line": line, "ags": ags}
        )
    if kind not in RegionKind.values:
        problems.append(_("Line %(line)d: unknown kind %(kind)r.") % {"line": line, "kind": kind})
    if not field("name"):
        problems.append(_("Line %(line)d: the name is empty.") % {"line": line})
    population: int | None = None
    if field("population"):
        try:
            population = int(field("population"))
            if population < 0:
                raise ValueError
        except ValueError:
            problems.append(
                _("Line %(line)d: population %(value)r is not a whole number.")
                % {"line": line, "value": field("population")}
            )
    area: Decimal | None = None
    if field("area_km2"):
        try:
            area = Decimal(field("area_km2"))
            if not area.is_finite() or area < 0:
                raise InvalidOperation
        except InvalidOperation:
            problems.append(
                _("Line %(line)d: area %(value)r is not a number.")
                % {"line": line, "value": field("area_km2")}
            )
    if len(problems) > before:
        return None
    return RegionRow(
        line=line,
        ars=ars,
        ags=ags,
        name=field("name"),
        official_name=field("name_gv"),
        kind=kind,
        parent_ars=field("parent_ars"),
        population=population,
        area_km2=area,
        postcode=field("plz"),
        sonderstatusstadt=field("sonderstatusstadt").lower() == "true",
    )


def parse_region_file(stream: IO[str]) -> list[RegionRow]:
    """Read and check every row; raise :class:`RegionFileInvalid` listing each problem."""
    reader = csv.DictReader(stream)
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise RegionFileInvalid(
            [_("Line 1: missing columns: %(columns)s.") % {"columns": ", ".join(missing)}]
        )
    problems: list[str] = []
    rows: list[RegionRow] = []
    seen: dict[str, int] = {}
    try:
        for raw in reader:
            line = reader.line_num
            if None in raw:
                problems.append(_("Line %(line)d: too many values.") % {"line": line})
                continue
            row = _parse_row(line, raw, problems)
            if row is None:
                continue
            if row.ars in seen:
                problems.append(
                    _("Line %(line)d: ARS %(ars)s repeats line %(first)d.")
                    % {"line": line, "ars": row.ars, "first": seen[row.ars]}
                )
                continue
            seen[row.ars] = line
            rows.append(row)
    except (csv.Error, UnicodeDecodeError) as exc:
        problems.append(_("Line %(line)d: %(error)s") % {"line": reader.line_num, "error": exc})
    for row in rows:
        if row.parent_ars and row.parent_ars not in seen:
            problems.append(
                _("Line %(line)d: parent ARS %(parent)s is not in the file.")
                % {"line": row.line, "parent": row.parent_ars}
            )
        elif not row.parent_ars and row.kind != RegionKind.LAND:
            problems.append(_("Line %(line)d: only the Land has no parent.") % {"line": row.line})
    if not rows and not problems:
        problems.append(_("The file contains no regions."))
    if problems:
        raise RegionFileInvalid(problems)
    return rows


def _values(row: RegionRow) -> dict[str, object]:
    return {
        "ags": row.ags,
        "name": row.name,
        "official_name": row.official_name,
        "name_folded": fold(row.name),
        "kind": row.kind,
        "population": row.population,
        "area_km2": row.area_km2,
        "postcode": row.postcode,
        "sonderstatusstadt": row.sonderstatusstadt,
    }


def import_regions(
    source: Path | IO[str] | None = None, *, progress: Progress | None = None
) -> ImportSummary:
    """(Re)load regions from a CSV in the Destatis-derived format; atomic and idempotent."""
    if source is None:
        source = DEFAULT_REGION_FILE
    if isinstance(source, Path):
        try:
            text = source.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise RegionFileInvalid(
                [_("The file is not UTF-8: %(error)s") % {"error": exc}]
            ) from exc
        rows = parse_region_file(io.StringIO(text, newline=""))
    else:
        rows = parse_region_file(source)
    created = updated = unchanged = 0
    with transaction.atomic():
        existing = {r.ars: r for r in Region.objects.all()}
        by_ars: dict[str, Region] = {}
        for index, row in enumerate(rows, start=1):  # sorted by ARS: parents come first
            values = _values(row)
            values["parent"] = by_ars.get(row.parent_ars) or (
                existing.get(row.parent_ars) if row.parent_ars else None
            )
            region = existing.get(row.ars)
            if region is None:
                region = Region.objects.create(ars=row.ars, **values)
                created += 1
            elif any(getattr(region, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(region, key, value)
                region.save()
                updated += 1
            else:
                unchanged += 1
            by_ars[row.ars] = region
            if progress is not None:
                progress(index, len(rows))
    return ImportSummary(created=created, updated=updated, unchanged=unchanged)
