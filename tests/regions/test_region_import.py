"""Importing region files: idempotent, atomic, and clear about what is wrong."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation

from amtshilfe.regions.errors import RegionFileInvalid
from amtshilfe.regions.models import Region
from amtshilfe.regions.services import DEFAULT_REGION_FILE, import_regions

pytestmark = pytest.mark.usefixtures("hesse")


@pytest.fixture(autouse=True)
def english_messages():
    """The messages below are matched in English (German is tested in test_translations)."""
    with translation.override("en"):
        yield


HEADER = "ars,ags,name,kind,parent_ars,population,area_km2,plz,sonderstatusstadt,name_gv\n"


def database_state() -> list[tuple]:
    return list(
        Region.objects.order_by("ars").values_list("ars", "name", "population", "parent_id")
    )


def test_importing_the_same_file_again_changes_nothing():
    before = database_state()
    summary = import_regions(DEFAULT_REGION_FILE)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 450)
    assert database_state() == before


def test_reimport_updates_a_changed_row_instead_of_duplicating_it():
    text = DEFAULT_REGION_FILE.read_text(encoding="utf-8").replace(
        "064400004004,06440004,Büdingen,stadt,064400000000,22",
        "064400004004,06440004,Büdingen,stadt,064400000000,99",
    )
    assert "Büdingen,stadt,064400000000,99" in text
    summary = import_regions(io.StringIO(text))
    assert summary.updated == 1 and summary.created == 0
    assert Region.objects.filter(name="Büdingen").count() == 1
    assert str(Region.objects.get(ars="064400004004").population).startswith("99")


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("06440000400,,Kurz,stadt,064400000000,1,1.00,,false,Kurz", "12 digits"),
        ("064400099099,,Irgendwo,dorf,064400000000,1,1.00,,false,Irgendwo", "unknown kind"),
        ("064400099099,,Irgendwo,stadt,064499000000,1,1.00,,false,Irgendwo", "parent ARS"),
        ("064400099099,,Irgendwo,stadt,064400000000,viele,1.00,,false,Irgendwo", "population"),
        ("064400004004,,Doppelt,stadt,064400000000,1,1.00,,false,Doppelt", "repeats line"),
    ],
)
def test_malformed_file_names_the_line_and_changes_nothing(bad_line, message):
    before = database_state()
    lines = DEFAULT_REGION_FILE.read_text(encoding="utf-8").splitlines(keepends=True)
    # Replace the Gemeinde on line 300 of the file; the error must name line 300.
    lines[299] = bad_line + "\n"
    with pytest.raises(RegionFileInvalid) as raised:
        import_regions(io.StringIO("".join(lines)))
    assert any(p.startswith("Line 300:") and message in p for p in raised.value.problems), (
        raised.value.problems
    )
    assert database_state() == before


def test_missing_columns_are_reported():
    with pytest.raises(RegionFileInvalid) as raised:
        import_regions(io.StringIO("ars,name\n060000000000,Hessen\n"))
    assert "missing columns" in raised.value.problems[0]


def test_command_line_reports_a_malformed_file_with_its_line(tmp_path: Path, settings):
    bad = tmp_path / "regions.csv"
    bad.write_text(
        HEADER
        + "060000000000,,Hessen,land,,1,1.00,,false,Hessen\n"
        + "0600,,X,stadt,060000000000,,,,false,X\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "amtshilfe.cli", "import-regions", str(bad)],
        capture_output=True,
        text=True,
        env=_subprocess_env(tmp_path),
        check=False,
    )
    assert result.returncode != 0
    assert "Line 3:" in result.stderr or "Zeile 3:" in result.stderr


def _subprocess_env(tmp_path: Path) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["AMTSHILFE_VAR_DIR"] = str(tmp_path / "var")
    env["DJANGO_SETTINGS_MODULE"] = "amtshilfe.config.settings"
    return env
