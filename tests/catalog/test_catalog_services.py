"""Staff manage their organisation's offerings and responsibilities: checked and audited."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from amtshilfe.catalog import services
from amtshilfe.catalog.models import Offering, Service
from amtshilfe.core import errors
from amtshilfe.core.access import Role
from amtshilfe.core.models import AuditEntry
from amtshilfe.organisations.models import Authority, Organisation
from tests.factories import member

pytestmark = pytest.mark.usefixtures("hesse")
BUEDINGEN = "064400004004"


@pytest.fixture
def setting():
    buedingen = Organisation.objects.get(slug="buedingen")
    with scopes_disabled():
        office = Authority.objects.create(organisation=buedingen, name="Bürgerbüro")
        foreign_office = Authority.objects.create(
            organisation=Organisation.objects.get(slug="giessen"), name="Bürgerbüro"
        )
    service = Service.objects.create(slug="hundesteuer", name_de="Hundesteuer")
    return {"org": buedingen, "office": office, "foreign": foreign_office, "service": service}


def audit_actions(org):
    with scopes_disabled():
        return list(AuditEntry.objects.filter(organisation=org).values_list("action", flat=True))


def test_admin_offers_a_service_online_and_it_is_audited(setting):
    admin = member(setting["org"], Role.MUNICIPAL_ADMIN)
    offering = services.save_offering(
        actor=admin,
        organisation=setting["org"],
        service=setting["service"],
        channel="both",
        status="live",
        maturity=3,
        receiving_authority=setting["office"],
    )
    assert offering.is_online
    services.save_offering(
        actor=admin, organisation=setting["org"], service=setting["service"], status="retired"
    )
    assert audit_actions(setting["org"]) == [
        "catalog.offering.changed",
        "catalog.offering.created",
    ]
    with scopes_disabled():
        assert Offering.objects.get().status == "retired"


@pytest.mark.parametrize("role", [Role.CLERK, Role.MAYOR])
def test_only_admins_manage_offerings(setting, role):
    user = member(setting["org"], role)
    with pytest.raises(errors.PermissionDenied):
        services.save_offering(
            actor=user, organisation=setting["org"], service=setting["service"], channel="online"
        )
    assert audit_actions(setting["org"]) == []


def test_another_organisations_authority_cannot_receive_applications(setting):
    admin = member(setting["org"], Role.MUNICIPAL_ADMIN)
    with pytest.raises(errors.NotFound):
        services.save_offering(
            actor=admin,
            organisation=setting["org"],
            service=setting["service"],
            channel="online",
            receiving_authority=setting["foreign"],
        )


def test_admin_sets_a_rule_for_its_own_area_only(setting):
    admin = member(setting["org"], Role.MUNICIPAL_ADMIN)
    rule = services.save_responsibility(
        actor=admin,
        organisation=setting["org"],
        service=setting["service"],
        area=BUEDINGEN,
        authority=setting["office"],
    )
    assert rule.organisation == setting["org"]
    with pytest.raises(errors.PermissionDenied):  # the whole Wetteraukreis is not Büdingen's
        services.save_responsibility(
            actor=admin,
            organisation=setting["org"],
            service=setting["service"],
            area="06440",
            authority=setting["office"],
        )
    services.delete_responsibility(actor=admin, rule=rule)
    assert audit_actions(setting["org"]) == [
        "catalog.responsibility.deleted",
        "catalog.responsibility.created",
    ]


def test_admin_of_another_organisation_cannot_set_rules_here(setting):
    stranger = member(Organisation.objects.get(slug="giessen"), Role.MUNICIPAL_ADMIN)
    with pytest.raises(errors.NotFound):
        services.save_responsibility(
            actor=stranger,
            organisation=setting["org"],
            service=setting["service"],
            area=BUEDINGEN,
            authority=setting["office"],
        )
