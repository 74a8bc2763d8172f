"""Tenant scoping, in one place.

Who may do what is decided here and nowhere else. An actor's *grants* are computed from
their memberships (role → actions on their own organisation) and widened by the delegation
agreements under which their organisation processes work *on behalf of* another one. A
delegated grant covers exactly the delegated work (one service, one Leistungsbündel, or all
services) and nothing else of the delegating organisation.

Selectors never filter for permissions by hand: they call :func:`scoped` (reads) or
:func:`require` (writes). Scoped models use django-scopes' ``ScopedManager`` so that a query
outside a scope raises instead of returning everything.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol, TypeVar

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scope, scopes_disabled

from amtshilfe.core import errors


class Action(enum.StrEnum):
    VIEW = "view"  # see the organisation's internal data and work
    CHANGE = "change"  # change its data and process its work
    MANAGE = "manage"  # manage its staff and settings
    AUDIT = "audit"  # read its audit trail


class Role(models.TextChoices):
    """Staff roles; a membership gives one role in one organisation."""

    CLERK = "clerk", _("Clerk")
    MUNICIPAL_ADMIN = "municipal_admin", _("Municipal admin (digitalisation officer)")
    MAYOR = "mayor", _("Mayor")
    IT_PROVIDER_STAFF = "it_provider_staff", _("IT service provider staff")
    CONSULTANT = "consultant", _("Consultant")
    MINISTRY_STAFF = "ministry_staff", _("Ministry staff")
    REVIEWER = "reviewer", _("Reviewer")
    PLATFORM_OPERATOR = "platform_operator", _("Platform operator")


V, C, M, A = Action.VIEW, Action.CHANGE, Action.MANAGE, Action.AUDIT

#: What each role may do in the organisation it is a member of.
OWN_ORGANISATION: dict[str, frozenset[Action]] = {
    Role.CLERK: frozenset({V, C}),
    Role.MUNICIPAL_ADMIN: frozenset({V, C, M, A}),
    Role.MAYOR: frozenset({V}),
    Role.IT_PROVIDER_STAFF: frozenset({V, C}),
    Role.CONSULTANT: frozenset({V}),
    Role.MINISTRY_STAFF: frozenset({V}),
    Role.REVIEWER: frozenset({V}),
    Role.PLATFORM_OPERATOR: frozenset({V, C, M, A}),
}

#: What each role may do with work another organisation has delegated to its organisation.
DELEGATED_WORK: dict[str, frozenset[Action]] = {
    Role.CLERK: frozenset({V, C}),
    Role.MUNICIPAL_ADMIN: frozenset({V}),
    Role.MAYOR: frozenset({V}),
}

#: Roles whose grant covers every organisation of the installation (they run it).
INSTALLATION_WIDE: dict[str, frozenset[Action]] = {
    Role.PLATFORM_OPERATOR: frozenset({V, C, M, A}),
}


class DelegationScope(enum.StrEnum):
    ALL = "all"  # every service of the delegating organisation
    BUNDLE = "bundle"  # one OZG Leistungsbündel
    SERVICE = "service"  # one service (LeiKa key)


@dataclass(frozen=True)
class DelegatedGrant:
    """Work of ``organisation_id`` that the actor's organisation processes on its behalf."""

    organisation_id: int
    scope: DelegationScope
    value: str = ""

    def covers(self, *, service: str = "", bundle: str = "") -> bool:
        if self.scope == DelegationScope.ALL:
            return True
        if self.scope == DelegationScope.BUNDLE:
            return bool(bundle) and bundle == self.value
        return bool(service) and service == self.value


@dataclass(frozen=True)
class Grants:
    """Everything one actor may do, for one action."""

    action: Action
    everything: bool = False
    organisation_ids: frozenset[int] = frozenset()
    delegated: tuple[DelegatedGrant, ...] = field(default=())

    @property
    def reachable_organisation_ids(self) -> frozenset[int]:
        return self.organisation_ids | {g.organisation_id for g in self.delegated}


class Actor(Protocol):
    @property
    def pk(self) -> Any: ...

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_active(self) -> bool: ...


class DelegationSource(Protocol):
    def __call__(self, *, organisation_ids: Iterable[int], on: date) -> Iterable[DelegatedGrant]:
        """Return the grants under which these organisations process others' work on ``on``."""


_delegation_sources: list[DelegationSource] = []


def register_delegation_source(source: DelegationSource) -> DelegationSource:
    """Let an app (organisations, catalog) tell core which work is delegated to whom."""
    if source not in _delegation_sources:
        _delegation_sources.append(source)
    return source


class MembershipSource(Protocol):
    def __call__(self, *, user_id: Any) -> list[tuple[int, str]]:
        """Return (organisation id, role) of the user's memberships in active organisations."""


_membership_source: list[MembershipSource] = []


def register_membership_source(source: MembershipSource) -> MembershipSource:
    """The organisations app tells core where memberships come from (core imports no app)."""
    _membership_source[:] = [source]
    return source


def memberships_of(actor: Actor) -> list[tuple[int, str]]:
    """(organisation id, role) pairs of an actor's active memberships, cached on the actor."""
    cached = getattr(actor, "_amtshilfe_memberships", None)
    if cached is not None:
        return list(cached)
    if not getattr(actor, "is_authenticated", False) or not getattr(actor, "is_active", False):
        return []
    if not _membership_source:
        return []  # fail closed: nobody has a role until organisations is installed
    pairs = _membership_source[0](user_id=actor.pk)
    actor._amtshilfe_memberships = tuple(pairs)  # type: ignore[attr-defined]
    return pairs


def forget_cached_access(actor: Actor) -> None:
    """Drop what :func:`memberships_of` cached, after memberships changed."""
    if hasattr(actor, "_amtshilfe_memberships"):
        del actor._amtshilfe_memberships


def grants(actor: Actor | None, action: Action, *, on: date | None = None) -> Grants:
    """Compute what ``actor`` may do for ``action``: own organisations plus delegated work."""
    if actor is None:
        return Grants(action=action)
    pairs = memberships_of(actor)
    if any(action in INSTALLATION_WIDE.get(role, ()) for _, role in pairs):
        return Grants(action=action, everything=True)
    own = frozenset(org for org, role in pairs if action in OWN_ORGANISATION.get(role, ()))
    delegating_orgs = {org for org, role in pairs if action in DELEGATED_WORK.get(role, ())}
    delegated: list[DelegatedGrant] = []
    if delegating_orgs:
        day = on or timezone.localdate()
        for source in _delegation_sources:
            delegated.extend(source(organisation_ids=delegating_orgs, on=day))
    # Work of an organisation the actor fully belongs to needs no delegated grant.
    delegated = [g for g in delegated if g.organisation_id not in own]
    return Grants(action=action, organisation_ids=own, delegated=tuple(dict.fromkeys(delegated)))


def can(
    actor: Actor | None,
    action: Action,
    organisation_id: int,
    *,
    service: str = "",
    bundle: str = "",
    work: bool = False,
) -> bool:
    """May ``actor`` do ``action`` in this organisation (or to this piece of its work)?

    ``work=True`` asks about one piece of work (a case, an application), identified by its
    ``service`` (LeiKa key) and ``bundle``: only then can a delegated grant apply.
    """
    granted = grants(actor, action)
    if granted.everything or organisation_id in granted.organisation_ids:
        return True
    if not work:
        return False
    return any(
        g.organisation_id == organisation_id and g.covers(service=service, bundle=bundle)
        for g in granted.delegated
    )


def require(
    actor: Actor | None,
    action: Action,
    organisation_id: int,
    *,
    not_found: type[errors.NotFound] = errors.NotFound,
    **work: Any,
) -> None:
    """Raise unless :func:`can`; 404 when the actor may not even see it, else 403.

    Pass the ``not_found`` error a missing object raises, so that a foreign object and a
    missing one answer exactly alike.
    """
    if can(actor, action, organisation_id, **work):
        return
    if action != Action.VIEW and can(actor, Action.VIEW, organisation_id, **work):
        raise errors.PermissionDenied()
    raise not_found()


ModelT = TypeVar("ModelT", bound=models.Model)


@dataclass(frozen=True)
class WorkFields:
    """Which fields of a model say what piece of work a row is (for delegated grants)."""

    service: str | None = None
    bundle: str | None = None

    def q_for(self, grant: DelegatedGrant) -> Q | None:
        if grant.scope == DelegationScope.ALL:
            return Q()
        lookup = self.bundle if grant.scope == DelegationScope.BUNDLE else self.service
        if lookup is None:
            return None  # this model cannot tell; the grant does not reach it
        return Q(**{lookup: grant.value})


def scoped(
    model: type[ModelT],
    actor: Actor | None,
    action: Action = Action.VIEW,
    *,
    work: WorkFields | None = None,
    organisation_field: str = "organisation",
) -> models.QuerySet[ModelT]:
    """Rows of ``model`` the actor may ``action``; fails closed (empty) for no grant.

    Models that hold *work* pass ``work`` so delegated grants reach exactly the delegated
    rows; for every other model (staff lists, settings, audit) delegation grants nothing.
    """
    granted = grants(actor, action)
    manager = model._default_manager
    if granted.everything:
        with scopes_disabled():
            return manager.all()
    condition = Q(**{f"{organisation_field}__in": granted.organisation_ids})
    reachable = set(granted.organisation_ids)
    if work is not None:
        for grant in granted.delegated:
            extra = work.q_for(grant)
            if extra is not None:
                condition |= Q(**{organisation_field: grant.organisation_id}) & extra
                reachable.add(grant.organisation_id)
    with scope(organisation=sorted(reachable)):
        queryset = manager.all()
    return queryset.filter(condition) if reachable else queryset.none()


@contextmanager
def system_scope() -> Iterator[None]:
    """For the platform itself (imports, tasks, demo data): no actor, no limit. Use sparingly."""
    with scopes_disabled():
        yield
