"""Staff see the messages of organisations whose work they process (core.access); a person's
export holds all their Postfach data."""

from __future__ import annotations

import json

import pytest

from amtshilfe.accounts import data_rights
from amtshilfe.core.access import Role
from amtshilfe.postbox import selectors, services
from amtshilfe.postbox.models import Direction
from tests.factories import member
from tests.postbox.conftest import pdf, send

pytestmark = pytest.mark.django_db


@pytest.fixture
def traffic(world):
    message = send(world, replies_allowed=True)
    answer = services.reply(reader=world.citizen, message=message, text="Danke")
    elsewhere = send(world, sender=world.other_town, authority=None, subject="Anderswo")
    return message, answer, elsewhere


@pytest.mark.parametrize("role", [Role.CLERK, Role.MUNICIPAL_ADMIN, Role.IT_PROVIDER_STAFF])
def test_staff_who_process_the_work_see_what_their_organisation_sent_and_received(
    world, traffic, role
):
    message, answer, _ = traffic
    clerk = member(world.town, role)
    seen = selectors.messages_of_organisation(actor=clerk, organisation=world.town)
    assert set(seen) == {message, answer}
    received = selectors.messages_of_organisation(
        actor=clerk, organisation=world.town, direction=Direction.TO_AUTHORITY
    )
    assert list(received) == [answer]


@pytest.mark.parametrize("role", [Role.MAYOR, Role.CONSULTANT, Role.REVIEWER])
def test_roles_that_only_look_on_do_not_read_citizens_mail(world, traffic, role):
    viewer = member(world.town, role)
    assert not selectors.messages_of_organisation(actor=viewer, organisation=world.town).exists()


def test_staff_of_another_organisation_see_nothing(world, traffic):
    clerk = member(world.other_town, Role.CLERK)
    assert not selectors.messages_of_organisation(actor=clerk, organisation=world.town).exists()
    assert [
        m.subject
        for m in selectors.messages_of_organisation(actor=clerk, organisation=world.other_town)
    ] == ["Anderswo"]


def test_a_citizen_is_no_staff_member(world, traffic):
    assert not selectors.messages_of_organisation(
        actor=world.citizen, organisation=world.town
    ).exists()


def test_the_export_holds_the_own_mailbox_and_the_own_replies_for_a_business(world, traffic):
    business_message = send(world, to_business=world.business, replies_allowed=True)
    services.reply(reader=world.owner, message=business_message, text="Für die Bäckerei")
    send(world, to_user=world.owner, subject="Privat", attachments=[pdf("privat.pdf")])

    owner_export = [selectors.export_record(m) for m in selectors.messages_for_export(world.owner)]
    assert [(r["subject"], r["direction"]) for r in owner_export] == [
        (business_message.subject, "to_authority"),
        ("Privat", "to_account"),
    ]
    assert owner_export[0]["text"] == "Für die Bäckerei"
    assert owner_export[1]["attachments"][0]["filename"] == "privat.pdf"
    json.dumps(owner_export)  # plain data

    citizen_export = list(selectors.messages_for_export(world.citizen))
    assert len(citizen_export) == 3  # the message, the reply, the one from Anderswo
    assert business_message not in citizen_export


def test_the_account_holders_data_export_contains_the_postfach(world):
    send(world, attachments=[pdf("bescheid.pdf")])
    data = json.loads(json.dumps(data_rights.export(world.citizen)))
    [record] = data["postfach"]["messages"]
    assert record["subject"] == "Bescheid über Ihre Hundesteuer 2026"
    assert record["attachments"][0]["filename"] == "bescheid.pdf"
