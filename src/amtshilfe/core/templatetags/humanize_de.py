"""Numbers grouped as the active language does: 1.234.567 in German, 1,234,567 in English."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def thousands(value: object) -> str:
    if value is None or value == "":
        return ""
    return number_format(value, force_grouping=True)  # type: ignore[arg-type]
