"""Sending: one mailbox per message, retention by message type, files under random names,
all or nothing, and an audit trail without content."""

from __future__ import annotations

import datetime
import hashlib

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from amtshilfe.core.access import Role
from amtshilfe.core.models import AuditEntry
from amtshilfe.organisations.models import Authority
from amtshilfe.postbox import retention, services
from amtshilfe.postbox.errors import InvalidMessage
from amtshilfe.postbox.models import Direction, Kind, Message
from tests.factories import member
from tests.postbox.conftest import PDF, pdf, send, stored_files

pytestmark = pytest.mark.django_db


@time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False)
@pytest.mark.parametrize(
    ("kind", "kept_until"),
    [
        (Kind.NOTICE, datetime.date(2036, 2, 28)),  # 3650 days
        (Kind.REQUEST, datetime.date(2029, 3, 1)),  # 1095 days
        (Kind.INFORMATION, datetime.date(2027, 3, 2)),  # 365 days
    ],
)
def test_a_message_is_kept_for_the_retention_period_of_its_type(world, kind, kept_until):
    message = send(world, kind=kind)
    assert message.delete_after == kept_until
    assert message.user == world.citizen and message.business is None
    assert message.direction == Direction.TO_ACCOUNT and message.read_at is None


@time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_the_operator_overrides_the_retention_of_single_types(world, settings):
    settings.POSTBOX_RETENTION_DAYS = {"information": 30}
    assert send(world, kind=Kind.INFORMATION).delete_after == datetime.date(2026, 4, 1)
    assert send(world, kind=Kind.NOTICE).delete_after == datetime.date(2036, 2, 28)


def test_a_retention_table_with_unknown_types_or_no_days_fails_the_system_check(settings):
    from amtshilfe.postbox.checks import retention_settings

    settings.POSTBOX_RETENTION_DAYS = {"notice": 3650}
    assert retention_settings() == []
    settings.POSTBOX_RETENTION_DAYS = {"bescheid": 10, "request": 0, "information": "365"}
    problems = [error.msg for error in retention_settings()]
    assert len(problems) == 3
    assert any("'bescheid'" in p for p in problems)
    assert all(error.id == "postbox.E001" for error in retention_settings())


def test_every_type_an_authority_sends_has_a_retention_period():
    sendable = {k for k in Kind.values if k != Kind.REPLY}
    assert set(retention.DEFAULT_RETENTION_DAYS) == sendable == retention.SENDABLE_KINDS


def test_a_business_mailbox_receives_messages_too(world):
    message = send(world, to_business=world.business)
    assert message.business == world.business and message.user is None


@pytest.mark.parametrize("mailboxes", ["none", "both"])
def test_a_message_goes_to_exactly_one_mailbox(world, mailboxes):
    extra = {"to_user": None} if mailboxes == "none" else {"to_business": world.business}
    if mailboxes == "both":
        extra["to_user"] = world.citizen
    with pytest.raises(InvalidMessage, match="exactly one of to_user and to_business"):
        send(world, **extra)
    assert not Message.objects.with_scopes_disabled().exists()


def test_the_database_refuses_a_message_in_two_mailboxes(world):
    message = send(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.with_scopes_disabled().filter(pk=message.pk).update(business=world.business)


def test_the_database_refuses_a_reply_without_the_message_it_answers(world):
    message = send(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.with_scopes_disabled().filter(pk=message.pk).update(
            direction=Direction.TO_AUTHORITY, kind=Kind.REPLY
        )


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"kind": Kind.REPLY}, "kind must be one of"),
        ({"kind": "bescheid"}, "kind must be one of"),
        ({"subject": "   "}, "subject must have"),
        ({"subject": "x" * 201}, "subject must have"),
        ({"text": ""}, "text must have"),
        ({"case_url": "javascript:alert(1)"}, "case_url"),
        ({"case_url": "//evil.example/x"}, "case_url"),
        ({"case_reference": "x" * 101}, "case_reference"),
    ],
)
def test_malformed_messages_are_refused_with_the_reason(world, overrides, problem):
    with pytest.raises(InvalidMessage, match=problem):
        send(world, **overrides)


@pytest.mark.parametrize("url", ["https://vorgang.example.de/123", "/vorgaenge/123/"])
def test_a_case_link_may_be_an_http_address_or_a_path_on_this_site(world, url):
    assert send(world, case_url=url).case_url == url


def test_the_authority_must_belong_to_the_sender(world):
    elsewhere = Authority.objects.create(organisation=world.other_town, name="Bauamt Anderswo")
    with pytest.raises(InvalidMessage, match="does not belong to the sender"):
        send(world, authority=elsewhere)


def test_an_attachment_is_stored_under_a_random_name_with_size_and_hash(world, media):
    message = send(world, attachments=[pdf("../../Bescheid Hundesteuer.pdf")])
    attachment = message.attachments.get()
    assert attachment.filename == "Bescheid Hundesteuer.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(PDF)
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    name = attachment.file.name
    assert name.startswith("postbox/attachments/")
    assert "Bescheid" not in name and "Hundesteuer" not in name and not name.endswith(".pdf")
    assert len(name.rsplit("/", 1)[1]) >= 40  # 32 random bytes, URL-safe
    assert stored_files(media) == [media / name]
    assert (media / name).read_bytes() == PDF


def test_a_declared_content_type_wins_over_the_file_name(world):
    item = services.NewAttachment(
        filename="plan", content=ContentFile(b"<svg/>"), content_type="Image/SVG+XML; x=y"
    )
    unknown = services.NewAttachment(filename="daten.qqq-unbekannt", content=ContentFile(b"?"))
    message = send(world, attachments=[item, unknown])
    assert [a.content_type for a in message.attachments.all()] == [
        "image/svg+xml",
        "application/octet-stream",
    ]


class Broken(ContentFile):
    def chunks(self, chunk_size=None):
        raise OSError("disk gone")


def test_a_failed_send_leaves_neither_a_message_nor_a_file(world, media):
    broken = services.NewAttachment(filename="zwei.pdf", content=Broken(PDF))
    with pytest.raises(OSError, match="disk gone"):
        send(world, attachments=[pdf("eins.pdf"), broken])
    assert not Message.objects.with_scopes_disabled().exists()
    assert stored_files(media) == []


def test_the_audit_trail_records_the_sending_but_no_content(world):
    message = send(world, attachments=[pdf()])
    entry = AuditEntry.objects.with_scopes_disabled().get(action="postbox.message.sent")
    assert entry.organisation == world.town
    assert entry.object_id == str(message.pk)
    recorded = f"{entry.object_label} {entry.changes}"
    for secret in (message.subject, "Hundesteuer", "Bello", "HS-2026-0815", "Citizen"):
        assert secret not in recorded
    assert entry.changes["kind"] == "notice" and entry.changes["attachments"] == 1


def test_the_clerk_named_by_the_calling_service_is_recorded_as_the_sender(world):
    clerk = member(world.town, Role.CLERK)
    message = send(world, actor=clerk)
    assert message.sent_by == clerk
    entry = AuditEntry.objects.with_scopes_disabled().get(action="postbox.message.sent")
    assert entry.actor == clerk and entry.actor_label == clerk.email
