"""LeiKa and OZG catalogue imports: whole files checked first, idempotent, curated texts kept."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from django_scopes import scopes_disabled

from amtshilfe.catalog import content
from amtshilfe.catalog.errors import CatalogFileInvalid
from amtshilfe.catalog.importers import import_leika_csv, import_ozg_catalogue
from amtshilfe.catalog.models import OzgBundle, OzgTopic, Service
from amtshilfe.catalog.search import search_services
from amtshilfe.cli import ALIASES
from amtshilfe.core.models import AuditEntry

LEIKA = content.DATA / "leika-common.csv"
OZG = content.DATA / "ozg-katalog.csv"
LEIKA_HEADER = (
    "leika_key,name_de,leistungsobjekt_key,verrichtung_code,verrichtungsdetail_code,"
    "typisierung,ozg_id,ozg_leistung,lebenslage,themenfeld,rechtsgrundlage_kurz,"
    "bereich_intern,source\n"
)
OZG_HEADER = (
    "themenfeld,lebens_oder_unternehmenslage,ozg_id,ozg_leistung,anzahl_leika_eintraege,source\n"
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def dump() -> dict[str, list[dict]]:
    with scopes_disabled():
        return {
            m._meta.label: list(m.objects.order_by("pk").values())
            for m in (Service, OzgBundle, OzgTopic, AuditEntry)
        }


def leika_row(key: str, name: str, typisierung: str = "4", ozg_id: str = "10160") -> str:
    return f"{key},{name},,,,{typisierung},{ozg_id},,,,,,test\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def ozg(db):
    import_ozg_catalogue(OZG)


# ----------------------------------------------------------------------------- OZG


def test_the_shipped_ozg_catalogue_loads_once_and_then_changes_nothing(db):
    first = import_ozg_catalogue(OZG)
    before = dump()
    second = import_ozg_catalogue(OZG)

    assert (first.created, OzgTopic.objects.count()) == (557, 14)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 557)
    assert dump() == before


def test_an_ozg_file_with_errors_names_each_line_and_column_and_loads_nothing(db, tmp_path):
    path = write(
        tmp_path,
        "ozg.csv",
        OZG_HEADER
        + "Bauen & Wohnen,Umzug,10124,Wohnsitzmeldungen,3,test\n"
        + "Bauen & Wohnen,Umzug,1012,Kurze Nummer,1,test\n"
        + ",Umzug,10125,Ohne Themenfeld,1,test\n"
        + "Bauen & Wohnen,Umzug,10124,Andere Leistung,1,test\n",
    )

    with pytest.raises(CatalogFileInvalid) as caught:
        import_ozg_catalogue(path)

    assert [str(p) for p in caught.value.problems] == [
        "Line 3, ozg_id: An OZG id has exactly 5 digits.",
        "Line 4, themenfeld: The value is empty.",
        "Line 5, ozg_id: The OZG id 10124 repeats line 2 with other values.",
    ]
    assert not OzgBundle.objects.exists()


def test_an_ozg_file_without_its_columns_is_refused(db, tmp_path):
    path = write(tmp_path, "ozg.csv", "themenfeld,ozg_id\nBauen & Wohnen,10124\n")
    with pytest.raises(CatalogFileInvalid, match="missing columns: lebens_oder_unternehmenslage"):
        import_ozg_catalogue(path)


def test_an_ozg_file_saved_with_a_byte_order_mark_still_loads(db, tmp_path):
    path = tmp_path / "ozg.csv"
    path.write_bytes(b"\xef\xbb\xbf" + OZG.read_bytes())
    assert import_ozg_catalogue(path).created == 557


# ---------------------------------------------------------------------------- LeiKa


def test_the_shipped_leika_file_creates_a_service_per_key_and_then_changes_nothing(ozg):
    first = import_leika_csv(LEIKA)
    before = dump()
    second = import_leika_csv(LEIKA)

    assert first.created == Service.objects.count() == 150
    assert (second.created, second.updated, second.unchanged) == (0, 0, 150)
    assert dump() == before
    dog = Service.objects.get(leika_key="99102013002000")
    assert (dog.name_de, dog.leika_name) == ("Hundesteuer Festsetzung", "Hundesteuer Festsetzung")
    assert (dog.typisierung, dog.ozg_bundle.ozg_id, dog.slug) == (
        "4",
        "10160",
        "hundesteuer-festsetzung",
    )


def test_services_from_the_leika_file_are_found_by_the_search(ozg):
    import_leika_csv(LEIKA)
    assert "hundesteuer-festsetzung" in {h.slug for h in search_services("Hundesteuer")}


def test_a_typisierung_amtshilfe_does_not_know_is_left_empty_and_reported_with_its_line(ozg):
    summary = import_leika_csv(LEIKA)

    lines = LEIKA.read_text(encoding="utf-8").splitlines()
    number, row = next((n, r) for n, r in enumerate(lines, start=1) if ',"1, 2/3",' in r)
    assert [str(w) for w in summary.warnings] == [
        f"Line {number}, typisierung: Typisierung 1, 2/3 is not one amtshilfe knows; "
        "it is left empty."
    ]
    assert Service.objects.get(leika_key=row.split(",")[0]).typisierung == ""


def test_an_existing_service_keeps_its_curated_texts_and_takes_the_leika_name(ozg):
    content.load_services()
    curated = Service.objects.get(leika_key="99115005104000")
    curated.leika_name = ""
    curated.ozg_bundle = None
    curated.save()

    import_leika_csv(LEIKA)

    service = Service.objects.get(leika_key="99115005104000")
    assert (service.name_de, service.slug) == ("Wohnsitz anmelden", "wohnsitz-anmelden")
    assert service.short_text_de == curated.short_text_de
    assert service.leika_name == "Wohnsitz Anmeldung"
    assert service.ozg_bundle.ozg_id == "10124"
    change = AuditEntry.objects.with_scopes_disabled().get(
        action="catalog.import.service.changed", object_id=str(service.pk)
    )
    assert set(change.changes) == {"leika_name", "ozg_bundle"}
    assert change.actor is None


def test_a_leika_file_with_errors_lists_every_problem_by_line_and_column_and_changes_nothing(
    ozg, tmp_path
):
    path = write(
        tmp_path,
        "leika.csv",
        LEIKA_HEADER
        + leika_row("99102013002000", "Hundesteuer Festsetzung")
        + leika_row("9910201300200", "Kurzer Schlüssel")
        + leika_row("99102013002000", "Doppelt")
        + leika_row("99050012104000", "", "2/3", "10294")
        + leika_row("99050012104001", "Unbekannte OZG-Leistung", "2/3", "99999"),
    )
    before = dump()

    with pytest.raises(CatalogFileInvalid) as caught:
        import_leika_csv(path)

    assert [str(p) for p in caught.value.problems] == [
        "Line 3, leika_key: A LeiKa key has exactly 14 digits.",
        "Line 4, leika_key: The LeiKa key 99102013002000 repeats line 2.",
        "Line 5, name_de: The name is empty.",
        "Line 6, ozg_id: There is no OZG-Leistung 99999; import the OZG catalogue first.",
    ]
    assert dump() == before


def test_a_leika_file_needs_the_ozg_catalogue_first(db, tmp_path):
    path = write(tmp_path, "leika.csv", LEIKA_HEADER + leika_row("99102013002000", "Hund"))
    with pytest.raises(CatalogFileInvalid, match="import the OZG catalogue first"):
        import_leika_csv(path)


def test_a_leika_file_that_is_not_utf8_is_refused_with_the_line(ozg, tmp_path):
    path = tmp_path / "leika.csv"
    path.write_bytes(
        (LEIKA_HEADER + leika_row("99102013002000", "Hundesteuer Festsetzung")).encode()
        + leika_row("99115005104000", "Wohnsitz Anmeldung für Hunde").encode("latin-1")
    )
    with pytest.raises(CatalogFileInvalid, match="Line 3: The file is not UTF-8: byte 0xfc"):
        import_leika_csv(path)


def test_new_services_get_distinct_addresses_even_with_the_same_name(ozg, tmp_path):
    path = write(
        tmp_path,
        "leika.csv",
        LEIKA_HEADER
        + leika_row("99102013002000", "Hundesteuer")
        + leika_row("99102013002001", "Hundesteuer"),
    )
    import_leika_csv(path)
    assert sorted(Service.objects.values_list("slug", flat=True)) == [
        "hundesteuer",
        "hundesteuer-2",
    ]


# ------------------------------------------------------------------------ commands


def test_import_commands_print_a_one_line_summary(db):
    out = io.StringIO()
    call_command("import_ozg", str(OZG), stdout=out)
    call_command("import_leika", str(LEIKA), stdout=out, stderr=io.StringIO())
    assert out.getvalue().splitlines() == [
        "OZG-Leistungen: 557 neu/new, 0 geändert/updated, 0 unverändert/unchanged.",
        "Leistungen / services: 150 neu/new, 0 geändert/updated, 0 unverändert/unchanged.",
    ]


def test_import_command_reports_problems_as_an_error(db, tmp_path):
    path = write(tmp_path, "leika.csv", LEIKA_HEADER + leika_row("123", "Kurz", "4", ""))
    with pytest.raises(CommandError, match="Line 2, leika_key"):
        call_command("import_leika", str(path))


def test_the_amtshilfe_command_knows_the_hyphenated_names():
    assert {
        "import-xzufi": "import_xzufi",
        "export-catalog": "export_catalog",
        "import-leika": "import_leika",
        "import-ozg": "import_ozg",
    }.items() <= ALIASES.items()


def test_import_xzufi_answers_help_under_its_hyphenated_name(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "amtshilfe.config.settings",
        "AMTSHILFE_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "amtshilfe.cli", "import-xzufi", "--help"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: amtshilfe import-xzufi ")
    assert "--dry-run" in result.stdout
