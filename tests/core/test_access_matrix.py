"""Tenant scoping: every role × own / other / delegated-to-us organisation → may see, may change.

"Work" is what later apps hold (cases, applications); staff data is everything else an
organisation keeps internally (staff lists, settings). A delegation agreement widens a
clerk's view to exactly the delegated work of the delegating organisation, nothing more.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django_scopes import scopes_disabled
from django_scopes.exceptions import ScopeError

from amtshilfe.core import access, errors
from amtshilfe.core.access import Action, Role
from amtshilfe.organisations import selectors
from amtshilfe.organisations.models import Membership
from tests.factories import OrganisationFactory, UserFactory, delegation, member
from tests.scopingapp.models import WorkItem

pytestmark = pytest.mark.django_db

DOG_TAX = "99036005000000"  # LeiKa: Hundesteuer
ID_CARD = "99088001000000"

OWN, OTHER, DELEGATED_IN_SCOPE, DELEGATED_OUT_OF_SCOPE, DELEGATING_STAFF = (
    "own work",
    "other organisation's work",
    "delegated work",
    "delegating organisation's other work",
    "delegating organisation's staff data",
)

# role → the places it may see / change. Anything not listed: neither.
EXPECTED: dict[str, dict[str, set[str]]] = {
    Role.CLERK: {"see": {OWN, DELEGATED_IN_SCOPE}, "change": {OWN, DELEGATED_IN_SCOPE}},
    Role.MUNICIPAL_ADMIN: {"see": {OWN, DELEGATED_IN_SCOPE}, "change": {OWN}},
    Role.MAYOR: {"see": {OWN, DELEGATED_IN_SCOPE}, "change": set()},
    Role.IT_PROVIDER_STAFF: {"see": {OWN}, "change": {OWN}},
    Role.CONSULTANT: {"see": {OWN}, "change": set()},
    Role.MINISTRY_STAFF: {"see": {OWN}, "change": set()},
    Role.REVIEWER: {"see": {OWN}, "change": set()},
    Role.PLATFORM_OPERATOR: {
        "see": {OWN, OTHER, DELEGATED_IN_SCOPE, DELEGATED_OUT_OF_SCOPE, DELEGATING_STAFF},
        "change": {OWN, OTHER, DELEGATED_IN_SCOPE, DELEGATED_OUT_OF_SCOPE, DELEGATING_STAFF},
    },
}


@pytest.fixture
def world():
    big = OrganisationFactory(name="Stadt Groß")
    small = OrganisationFactory(name="Gemeinde Klein")
    other = OrganisationFactory(name="Gemeinde Anders")
    delegation(small, big, scope="service", value=DOG_TAX)
    with scopes_disabled():
        items = {
            OWN: WorkItem.objects.create(organisation=big, service=ID_CARD, title="own"),
            OTHER: WorkItem.objects.create(organisation=other, service=DOG_TAX, title="other"),
            DELEGATED_IN_SCOPE: WorkItem.objects.create(
                organisation=small, service=DOG_TAX, title="delegated"
            ),
            DELEGATED_OUT_OF_SCOPE: WorkItem.objects.create(
                organisation=small, service=ID_CARD, title="not delegated"
            ),
        }
    small_staff = member(small, Role.CLERK)
    return {"big": big, "small": small, "other": other, "items": items, "small_staff": small_staff}


def visible_places(actor, action, world) -> set[str]:
    seen = set(access.scoped(WorkItem, actor, action, work=WorkItem.work_fields))
    places = {place for place, item in world["items"].items() if item in seen}
    staff = access.scoped(Membership, actor, action).filter(organisation=world["small"])
    if staff.exists():
        places.add(DELEGATING_STAFF)
    return places


def allowed_places(actor, action, world) -> set[str]:
    places = {
        place
        for place, item in world["items"].items()
        if access.can(actor, action, item.organisation_id, service=item.service, work=True)
    }
    if access.can(actor, action, world["small"].pk):
        places.add(DELEGATING_STAFF)
    return places


@pytest.mark.parametrize("role", list(EXPECTED))
@pytest.mark.parametrize(("verb", "action"), [("see", Action.VIEW), ("change", Action.CHANGE)])
def test_role_matrix(world, role, verb, action):
    actor = member(world["big"], role)
    expected = EXPECTED[role][verb]
    assert visible_places(actor, action, world) == expected
    assert allowed_places(actor, action, world) == expected


def test_delegated_grant_ends_with_the_agreement(world):
    clerk = member(world["big"], Role.CLERK)
    agreement = world["small"].delegations_given.get()
    agreement.valid_from = datetime.date(2026, 1, 1)
    agreement.valid_until = datetime.date(2026, 6, 30)
    agreement.save()
    item = world["items"][DELEGATED_IN_SCOPE]

    for day, expected in [
        ("2025-12-31", False),
        ("2026-01-01", True),
        ("2026-06-30", True),
        ("2026-07-01", False),
    ]:
        with time_machine.travel(datetime.datetime.fromisoformat(f"{day}T12:00+01:00"), tick=False):
            fresh = type(clerk).objects.get(pk=clerk.pk)  # no cached grants
            visible = item in set(
                access.scoped(WorkItem, fresh, Action.VIEW, work=WorkItem.work_fields)
            )
            assert visible is expected, day


def test_delegation_of_a_bundle_reaches_only_that_bundle(world):
    helper = OrganisationFactory()
    delegation(world["other"], helper, scope="bundle", value="Hundesteuer")
    with scopes_disabled():
        in_bundle = WorkItem.objects.create(
            organisation=world["other"], bundle="Hundesteuer", title="a"
        )
        outside = WorkItem.objects.create(
            organisation=world["other"], bundle="Meldewesen", title="b"
        )
    clerk = member(helper, Role.CLERK)
    visible = set(access.scoped(WorkItem, clerk, Action.VIEW, work=WorkItem.work_fields))
    assert in_bundle in visible and outside not in visible


def test_delegation_of_all_services_still_hides_staff_data(world):
    helper = OrganisationFactory()
    delegation(world["small"], helper, scope="all")
    clerk = member(helper, Role.CLERK)
    work = set(access.scoped(WorkItem, clerk, Action.VIEW, work=WorkItem.work_fields))
    assert {world["items"][DELEGATED_IN_SCOPE], world["items"][DELEGATED_OUT_OF_SCOPE]} <= work
    assert not selectors.staff_of(actor=clerk, organisation_id=world["small"].pk).exists()


def test_no_membership_sees_nothing(world):
    stranger = UserFactory()
    assert not access.scoped(WorkItem, stranger, Action.VIEW, work=WorkItem.work_fields).exists()
    assert not access.scoped(WorkItem, None, Action.VIEW, work=WorkItem.work_fields).exists()


def test_inactive_account_loses_every_grant(world):
    clerk = member(world["big"], Role.CLERK)
    clerk.is_active = False
    clerk.save()
    fresh = type(clerk).objects.get(pk=clerk.pk)
    assert not access.scoped(WorkItem, fresh, Action.VIEW, work=WorkItem.work_fields).exists()


def test_query_outside_a_scope_raises_instead_of_returning_everything(world):
    with pytest.raises(ScopeError):
        list(WorkItem.objects.all())
    with pytest.raises(ScopeError):
        list(Membership.objects.filter(role=Role.CLERK))


def test_require_answers_not_found_for_foreign_and_forbidden_inside_own(world):
    mayor = member(world["big"], Role.MAYOR)
    with pytest.raises(errors.PermissionDenied):
        access.require(mayor, Action.CHANGE, world["big"].pk)
    with pytest.raises(errors.NotFound):
        access.require(mayor, Action.CHANGE, world["other"].pk)
