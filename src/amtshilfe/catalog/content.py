"""The starting content: the OZG catalogue and the services shipped with amtshilfe.

``data/ozg-katalog.csv`` and ``data/leika-common.csv`` are copied from the project's shared
reference data (source and licence in ``data/README.md``); ``data/services.json`` holds the
services with texts written for amtshilfe, each with a LeiKa key from ``leika-common.csv``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from amtshilfe.catalog.models import OzgBundle, OzgTopic, Service
from amtshilfe.catalog.search import reindex_services

DATA = Path(__file__).resolve().parent / "data"
SERVICE_FIELDS = [
    "name_de",
    "name_en",
    "short_text_de",
    "short_text_en",
    "full_text_de",
    "full_text_en",
    "costs_de",
    "costs_en",
    "deadlines_de",
    "deadlines_en",
    "processing_time_de",
    "processing_time_en",
    "required_documents_de",
    "required_documents_en",
    "prerequisites_de",
    "prerequisites_en",
    "hints_de",
    "hints_en",
    "legal_basis",
    "typisierung",
    "trust_level",
]
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class LoadSummary:
    created: int
    updated: int
    unchanged: int


def service_entries(path: Path | None = None) -> list[dict[str, Any]]:
    """The entries of ``services.json`` (see its format in tests/catalog/test_content.py)."""
    return list(json.loads((path or DATA / "services.json").read_text(encoding="utf-8")))


def leika_names(path: Path | None = None) -> dict[str, str]:
    """LeiKa key → technical LeiKa name, from ``leika-common.csv``."""
    with (path or DATA / "leika-common.csv").open(encoding="utf-8", newline="") as handle:
        return {row["leika_key"]: row["name_de"] for row in csv.DictReader(handle)}


@transaction.atomic
def load_ozg_catalogue(path: Path | None = None) -> LoadSummary:
    """Load OZG Themenfelder and Leistungsbündel; idempotent."""
    created = updated = unchanged = 0
    with (path or DATA / "ozg-katalog.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            topic, _ = OzgTopic.objects.get_or_create(name=row["themenfeld"].strip())
            values = {
                "name": row["ozg_leistung"].strip(),
                "topic": topic,
                "situation": row["lebens_oder_unternehmenslage"].strip(),
            }
            bundle = OzgBundle.objects.filter(ozg_id=row["ozg_id"].strip()).first()
            if bundle is None:
                OzgBundle.objects.create(ozg_id=row["ozg_id"].strip(), **values)
                created += 1
            elif any(getattr(bundle, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(bundle, key, value)
                bundle.save()
                updated += 1
            else:
                unchanged += 1
    return LoadSummary(created, updated, unchanged)


def _service_values(
    entry: dict[str, Any], bundles: dict[str, OzgBundle], names: dict[str, str]
) -> dict[str, Any]:
    values = {field: entry.get(field, "") or "" for field in SERVICE_FIELDS}
    values["keywords"] = "\n".join(entry.get("keywords", []))
    values["synonyms"] = "\n".join(entry.get("synonyms", []))
    values["ozg_bundle"] = bundles.get(entry.get("ozg_id", ""))
    values["leika_name"] = names.get(entry.get("leika_key", ""), "")
    values["leika_key"] = entry.get("leika_key", "")
    return values


@transaction.atomic
def load_services(path: Path | None = None, *, progress: Progress | None = None) -> LoadSummary:
    """Create or update the shipped services (matched by slug); idempotent."""
    entries = service_entries(path)
    bundles = {b.ozg_id: b for b in OzgBundle.objects.all()}
    names = leika_names()
    existing = {s.slug: s for s in Service.objects.all()}
    by_key = {s.leika_key: s for s in existing.values() if s.leika_key}
    created = updated = unchanged = 0
    for index, entry in enumerate(entries, start=1):
        values = _service_values(entry, bundles, names)
        # A service imported earlier (e.g. from XZuFi) is found by its LeiKa key.
        service = existing.get(entry["slug"]) or by_key.get(entry.get("leika_key", ""))
        if service is None:
            service = Service(slug=entry["slug"], **values)
            service.full_clean()
            service.save()
            created += 1
        elif any(getattr(service, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(service, key, value)
            service.full_clean()
            service.save()
            updated += 1
        else:
            unchanged += 1
        if progress is not None:
            progress(index, len(entries))
    reindex_services()
    return LoadSummary(created, updated, unchanged)
