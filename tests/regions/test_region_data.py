"""The region reference data is complete and consistent with its source file."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from amtshilfe.regions import selectors
from amtshilfe.regions.models import GEMEINDE_KINDS, Region, RegionKind
from amtshilfe.regions.services import DEFAULT_REGION_FILE

pytestmark = pytest.mark.usefixtures("hesse")


def source_rows() -> list[dict[str, str]]:
    with DEFAULT_REGION_FILE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_counts_per_level_equal_the_source():
    expected = Counter(row["kind"] for row in source_rows())
    actual = Counter(Region.objects.values_list("kind", flat=True))
    assert actual == expected
    # The facts the Destatis README states, so a wrong source file is noticed too.
    assert actual == {
        "land": 1,
        "regierungsbezirk": 3,
        "kreis": 21,
        "kreisfreie_stadt": 5,
        "stadt": 186,
        "gemeinde": 230,
        "gemeindefreies_gebiet": 4,
    }
    assert Region.objects.filter(kind__in=GEMEINDE_KINDS).count() == 421


def test_every_ars_has_twelve_digits_and_every_ags_matches():
    for ars, ags in Region.objects.values_list("ars", "ags"):
        assert len(ars) == 12 and ars.isdigit() and ars.startswith("06")
        if ags:
            assert ags == ars[:5] + ars[9:]


def test_parent_chain_runs_gemeinde_kreis_regierungsbezirk_land():
    expected_parent_kind = {
        RegionKind.STADT: {RegionKind.KREIS},
        RegionKind.GEMEINDE: {RegionKind.KREIS},
        RegionKind.GEMEINDEFREIES_GEBIET: {RegionKind.KREIS},
        RegionKind.KREIS: {RegionKind.REGIERUNGSBEZIRK},
        RegionKind.KREISFREIE_STADT: {RegionKind.REGIERUNGSBEZIRK},
        RegionKind.REGIERUNGSBEZIRK: {RegionKind.LAND},
    }
    for region in Region.objects.select_related("parent"):
        if region.kind == RegionKind.LAND:
            assert region.parent is None
            continue
        assert region.parent.kind in expected_parent_kind[region.kind], region.ars
        if region.parent.kind == RegionKind.KREIS:
            assert region.parent.ars == region.ars[:5] + "0000000"
        if region.parent.kind == RegionKind.REGIERUNGSBEZIRK:
            assert region.parent.ars == region.ars[:3] + "0" * 9


def test_population_of_each_kreis_is_the_sum_of_its_gemeinden():
    for kreis in Region.objects.filter(kind=RegionKind.KREIS):
        members = Region.objects.filter(parent=kreis)
        assert kreis.population == sum(m.population or 0 for m in members)
    assert Region.objects.get(kind=RegionKind.LAND).population == 6_420_729


def test_lookup_by_ars():
    region = selectors.region_by_ars("064400004004")
    assert region.name == "Büdingen"
    assert region.parent.name == "Wetteraukreis"


def test_lookup_by_ars_prefix_lists_the_gemeinden_of_a_kreis():
    wetterau = selectors.gemeinden_of("064400000000")
    names = set(wetterau.values_list("name", flat=True))
    assert {"Büdingen", "Friedberg (Hessen)", "Bad Nauheim"} <= names
    assert all(r.ars.startswith("06440") for r in wetterau)
    assert wetterau.count() == 25


@pytest.mark.parametrize("spelling", ["Büdingen", "Buedingen", "Budingen", "BÜDINGEN", "büdingen"])
def test_name_lookup_is_tolerant_of_umlauts(spelling):
    region = selectors.best_region_by_name(spelling)
    assert region is not None and region.ars == "064400004004"


@pytest.mark.parametrize(
    ("spelling", "name"),
    [
        ("Giessen", "Gießen"),
        ("Gießen", "Gießen"),
        ("Gross-Gerau", "Groß-Gerau"),
        ("hoechst", "Höchst i. Odw."),
    ],
)
def test_name_lookup_folds_sharp_s_and_umlauts(spelling, name):
    region = selectors.best_region_by_name(spelling)
    assert region is not None and region.name == name


def test_unknown_ars_is_a_clear_not_found():
    from amtshilfe.regions.errors import RegionNotFound

    with pytest.raises(RegionNotFound):
        selectors.region_by_ars("069999999999")
