from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from amtshilfe.regions import selectors


def region_detail(request: HttpRequest, ars: str) -> HttpResponse:
    region = selectors.region_by_ars(ars)
    return render(
        request,
        "regions/region_detail.html",
        {
            "region": region,
            "ancestors": selectors.ancestors_of(region),
            "children": selectors.children_of(region),
            "organisation": getattr(region, "organisation", None),
        },
    )
