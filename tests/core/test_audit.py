"""The audit trail: every staff write is recorded, entries never change, admins read their own."""

from __future__ import annotations

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django_scopes import scopes_disabled

from amtshilfe.core import errors
from amtshilfe.core.access import Role
from amtshilfe.core.errors import AppendOnlyViolation
from amtshilfe.core.models import AuditEntry
from amtshilfe.organisations import services
from amtshilfe.organisations.models import Organisation
from tests.factories import UserFactory, member

pytestmark = pytest.mark.usefixtures("hesse")


@pytest.fixture
def fulda():
    return Organisation.objects.get(slug="fulda")


def entries(**filters):
    with scopes_disabled():
        return list(AuditEntry.objects.filter(**filters))


def test_changing_an_authority_records_who_for_whom_what_and_the_change(fulda):
    clerk = member(fulda, Role.CLERK)
    authority = services.save_authority(actor=clerk, organisation=fulda, name="Ordnungsamt")
    services.save_authority(
        actor=clerk, organisation=fulda, authority=authority, phone="+49 661 102-0"
    )
    created, changed = entries(object_id=str(authority.pk))[::-1]
    assert created.action == "organisations.authority.created"
    assert changed.action == "organisations.authority.changed"
    assert changed.actor == clerk and changed.actor_label == clerk.email
    assert changed.organisation == fulda
    assert changed.changes == {"phone": ["", "+49 661 102-0"]}


def test_a_write_without_permission_changes_nothing_and_records_nothing(fulda):
    mayor = member(fulda, Role.MAYOR)
    with pytest.raises(errors.PermissionDenied):
        services.save_authority(actor=mayor, organisation=fulda, name="Bauamt")
    assert entries(organisation=fulda) == []
    with scopes_disabled():
        assert not fulda.authorities.filter(name="Bauamt").exists()


def test_memberships_opening_hours_and_delegations_are_audited(fulda):
    admin = member(fulda, Role.MUNICIPAL_ADMIN)
    newcomer = UserFactory()
    services.add_membership(actor=admin, organisation=fulda, user=newcomer, role=Role.CLERK)
    authority = services.save_authority(actor=admin, organisation=fulda, name="Bürgerbüro")
    services.set_opening_hours(
        actor=admin, authority=authority, hours=[(0, datetime.time(8), datetime.time(12))]
    )
    services.create_delegation(
        actor=admin,
        delegating=fulda,
        processing=Organisation.objects.get(slug="kreis-fulda"),
        scope="service",
        scope_value="99036005000000",
        valid_from=datetime.date(2026, 1, 1),
    )
    actions = {e.action for e in entries(organisation=fulda)}
    assert actions == {
        "organisations.membership.created",
        "organisations.authority.created",
        "organisations.authority.hours_set",
        "organisations.delegation.created",
    }


def test_only_an_admin_may_add_staff(fulda):
    clerk = member(fulda, Role.CLERK)
    with pytest.raises(errors.PermissionDenied):
        services.add_membership(actor=clerk, organisation=fulda, user=UserFactory(), role="clerk")


def test_entries_cannot_be_changed_or_deleted_through_the_orm(fulda):
    clerk = member(fulda, Role.CLERK)
    services.save_authority(actor=clerk, organisation=fulda, name="Standesamt")
    (entry,) = entries(organisation=fulda)
    entry.action = "forged"
    with pytest.raises(AppendOnlyViolation):
        entry.save()
    with pytest.raises(AppendOnlyViolation):
        entry.delete()
    with scopes_disabled(), pytest.raises(AppendOnlyViolation):
        AuditEntry.objects.filter(pk=entry.pk).update(action="forged")
    with scopes_disabled(), pytest.raises(AppendOnlyViolation):
        AuditEntry.objects.filter(pk=entry.pk).delete()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE core_auditentry SET action = 'forged'",
        "DELETE FROM core_auditentry",
    ],
)
def test_entries_cannot_be_changed_even_with_sql(fulda, statement):
    clerk = member(fulda, Role.CLERK)
    services.save_authority(actor=clerk, organisation=fulda, name="Standesamt")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert [e.action for e in entries(organisation=fulda)] == ["organisations.authority.created"]


def test_audit_page_shows_only_the_own_organisations_entries(client, fulda):
    giessen = Organisation.objects.get(slug="giessen")
    services.save_authority(actor=member(fulda, Role.CLERK), organisation=fulda, name="Amt Fulda")
    services.save_authority(
        actor=member(giessen, Role.CLERK), organisation=giessen, name="Amt Gießen"
    )
    client.force_login(member(fulda, Role.MUNICIPAL_ADMIN))
    html = client.get(reverse("organisations:audit", kwargs={"slug": "fulda"})).content.decode()
    assert "Amt Fulda" in html and "Amt Gießen" not in html


def test_writes_through_the_operator_admin_are_audited(client, fulda):
    operator = member(Organisation.objects.get(slug="kreis-fulda"), Role.PLATFORM_OPERATOR)
    operator.is_staff = True
    operator.save()
    client.force_login(operator)
    url = reverse("admin:organisations_organisation_change", args=[fulda.pk])
    response = client.post(
        url,
        {
            "name": "Stadt Fulda",
            "slug": "fulda",
            "kind": "stadt",
            "region": fulda.region_id,
            "email": "rathaus@fulda.example",
            "phone": "",
            "website": "",
            "street": "",
            "postcode": fulda.postcode,
            "city": fulda.city,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    (entry,) = entries(organisation=fulda, action="admin.organisations.organisation.changed")
    assert entry.actor == operator
    assert entry.changes["email"] == ["", "rathaus@fulda.example"]
