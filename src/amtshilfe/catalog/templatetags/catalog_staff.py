"""Template tags for links to the catalogue's staff pages."""

from __future__ import annotations

from typing import Any

from django import template

from amtshilfe.core import access

register = template.Library()


@register.simple_tag(takes_context=True)
def may_manage(context: dict[str, Any], organisation: Any) -> bool:
    """Whether the logged-in user may manage ``organisation`` (offerings, rules, delegations)."""
    request = context.get("request")
    return access.can(getattr(request, "user", None), access.Action.MANAGE, organisation.pk)
