"""The demo world: who is in it, and that making it twice changes nothing."""

from __future__ import annotations

from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django_scopes import scopes_disabled

from amtshilfe.core.access import Role
from amtshilfe.organisations import demo
from amtshilfe.organisations.models import DelegationAgreement, Membership, Organisation

pytestmark = pytest.mark.usefixtures("hesse")


def test_every_gemeinde_and_kreis_is_an_organisation():
    kinds = Counter(Organisation.objects.values_list("kind", flat=True))
    assert kinds == {"gemeinde": 230, "stadt": 186, "kreisfreie_stadt": 5, "kreis": 21}


def test_demo_world_has_staff_in_every_role():
    logins = demo.create_demo_world()
    assert {login.role for login in logins} == {str(role.label) for role in Role}
    with scopes_disabled():
        memberships = list(Membership.objects.select_related("organisation"))
    large = {"darmstadt", "giessen", "fulda"}
    small = {"fischbachtal", "modautal", "allendorf-lumda", "rabenau", "dipperz", "ebersburg"}
    municipal = Counter(m.organisation.slug for m in memberships if m.organisation.region_id)
    assert set(municipal) == large | small and set(municipal.values()) == {3}
    kinds = {m.organisation.kind for m in memberships}
    assert {"ministry", "it_provider"} <= kinds
    assert DelegationAgreement.objects.count() == 2


def test_demo_world_is_idempotent():
    demo.create_demo_world()
    counts = (
        get_user_model().objects.count(),
        Organisation.objects.count(),
        DelegationAgreement.objects.count(),
    )
    demo.create_demo_world()
    assert counts == (
        get_user_model().objects.count(),
        Organisation.objects.count(),
        DelegationAgreement.objects.count(),
    )
