"""Reads of the region reference data (public: no scoping needed)."""

from __future__ import annotations

from django.db.models import QuerySet

from amtshilfe.core.text import fold
from amtshilfe.regions.errors import RegionNotFound
from amtshilfe.regions.models import GEMEINDE_KINDS, Region


def region_by_ars(ars: str) -> Region:
    """The region with this 12-digit ARS, or :class:`RegionNotFound`."""
    region = Region.objects.select_related("parent").filter(ars=ars.strip()).first()
    if region is None:
        raise RegionNotFound()
    return region


def regions_by_ars_prefix(prefix: str) -> QuerySet[Region]:
    """Regions whose ARS starts with ``prefix`` ("06435": Main-Kinzig-Kreis and its Gemeinden)."""
    prefix = prefix.strip()
    if not prefix.isdigit():
        return Region.objects.none()
    return Region.objects.filter(ars__startswith=prefix)


def gemeinden_of(kreis_ars: str) -> QuerySet[Region]:
    """The Gemeinden (towns and municipalities) of a Kreis, by the Kreis's ARS or its prefix."""
    return regions_by_ars_prefix(kreis_ars[:5]).filter(kind__in=GEMEINDE_KINDS)


def regions_by_name(query: str, *, kinds: tuple[str, ...] | None = None) -> QuerySet[Region]:
    """Regions whose name matches ``query`` regardless of umlauts, ß or case; exact first."""
    folded = fold(query)
    if not folded:
        return Region.objects.none()
    regions = Region.objects.filter(name_folded__contains=folded)
    if kinds:
        regions = regions.filter(kind__in=kinds)
    return regions.order_by("name_folded", "ars")


def best_region_by_name(query: str) -> Region | None:
    """The region a person most likely means: an exact folded match, else the first prefix match."""
    folded = fold(query)
    candidates = list(regions_by_name(query, kinds=GEMEINDE_KINDS)[:50])
    for test in (lambda r: r.name_folded == folded, lambda r: r.name_folded.startswith(folded)):
        for region in candidates:
            if test(region):
                return region
    return candidates[0] if candidates else None


def ancestors_of(region: Region) -> list[Region]:
    """The chain above a region, from the Land down to its parent."""
    chain: list[Region] = []
    current = region.parent
    while current is not None:
        chain.append(current)
        current = current.parent
    return list(reversed(chain))


def children_of(region: Region) -> QuerySet[Region]:
    return region.children.order_by("name_folded")
