"""Reads of the catalogue for pages and the API (public data)."""

from __future__ import annotations

from dataclasses import dataclass

from amtshilfe.catalog.finder import Finding, service_by_slug
from amtshilfe.core.text import fold
from amtshilfe.regions.models import GEMEINDE_KINDS, Region
from amtshilfe.regions.selectors import regions_by_name

__all__ = ["PlaceChoice", "area_region", "resolve_place", "service_by_slug"]

MAX_PLACE_CHOICES = 12


@dataclass(frozen=True)
class PlaceChoice:
    """The result of "Wo wohnen Sie?": one Gemeinde, or several to choose from."""

    region: Region | None
    candidates: list[Region]


def resolve_place(query: str) -> PlaceChoice:
    """Find the Gemeinde a citizen typed ("Budingen" finds Büdingen); exact names win."""
    folded = fold(query)
    if not folded:
        return PlaceChoice(None, [])
    found = list(
        regions_by_name(query, kinds=GEMEINDE_KINDS).select_related("parent")[:MAX_PLACE_CHOICES]
    )
    exact = [r for r in found if r.name_folded == folded]
    if len(exact) == 1:
        return PlaceChoice(exact[0], [])
    if len(found) == 1:
        return PlaceChoice(found[0], [])
    return PlaceChoice(None, exact or found)


def area_region(finding: Finding) -> Region | None:
    """The region a matched rule's area names (None for a Gemeindeverband prefix)."""
    padded = finding.rule.area.ljust(12, "0")
    return Region.objects.filter(ars=padded).first()
