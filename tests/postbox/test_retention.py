"""Deletion: after the retention period (with replies and files), with the account, and files
no message refers to."""

from __future__ import annotations

import datetime
import io
import os
import time

import pytest
import time_machine
from django.core.management import call_command

from amtshilfe.accounts import data_rights
from amtshilfe.core.models import AuditEntry
from amtshilfe.postbox import services
from amtshilfe.postbox.models import Attachment, Kind, Message
from tests.postbox.conftest import pdf, send, stored_files

pytestmark = pytest.mark.django_db

SENT = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)


def messages() -> list[str]:
    """The subjects of all messages (a reply has the subject of the message it answers)."""
    return sorted(Message.objects.with_scopes_disabled().values_list("subject", flat=True))


@pytest.fixture
def sent(world, settings):
    """An information (kept 365 days) with a reply and files, and a Bescheid (3650 days)."""
    with time_machine.travel(SENT, tick=False):
        info = send(
            world,
            subject="Information",
            kind=Kind.INFORMATION,
            replies_allowed=True,
            attachments=[pdf("info.pdf")],
        )
        services.reply(reader=world.citizen, message=info, text="Danke", attachments=[pdf()])
        send(world, subject="Bescheid", kind=Kind.NOTICE, attachments=[pdf("bescheid.pdf")])
    return info


def test_a_message_is_kept_up_to_its_last_day(sent, media):
    assert sent.delete_after == datetime.date(2027, 3, 2)
    assert services.purge_expired(today=datetime.date(2027, 3, 2)) == 0
    assert messages() == ["Bescheid", "Information", "Information"]
    assert len(stored_files(media)) == 3


def test_after_its_last_day_a_message_goes_with_its_replies_and_files(
    sent, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        deleted = services.purge_expired(today=datetime.date(2027, 3, 3), batch_size=1)
    assert deleted == 2  # the information and its reply
    assert messages() == ["Bescheid"]
    assert Attachment.objects.count() == 1
    bescheid = Attachment.objects.get()
    assert stored_files(media) == [media / bescheid.file.name]
    [entry] = AuditEntry.objects.with_scopes_disabled().filter(action="postbox.message.deleted")
    assert entry.object_id == str(sent.pk) and entry.changes["reason"] == "retention"


def test_the_purge_command_deletes_what_is_due(sent, media, django_capture_on_commit_callbacks):
    out = io.StringIO()
    with (
        time_machine.travel(datetime.datetime(2036, 6, 1, tzinfo=datetime.UTC)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("purge_postbox", stdout=out)
    assert "3 Nachrichten gelöscht / messages deleted" in out.getvalue()
    assert messages() == []
    assert stored_files(media) == []


def test_deleting_the_account_deletes_its_mailbox_and_files(
    world, media, django_capture_on_commit_callbacks
):
    send(world, attachments=[pdf()])
    send(world, subject="An die Bäckerei", to_business=world.business, attachments=[pdf()])
    with django_capture_on_commit_callbacks(execute=True):
        world.citizen.delete()
    assert messages() == ["An die Bäckerei"]
    assert len(stored_files(media)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        world.business.delete()
    assert messages() == []
    assert stored_files(media) == []


def test_deleting_the_account_the_gdpr_way_deletes_the_postfach(
    world, media, django_capture_on_commit_callbacks
):
    send(world, attachments=[pdf()])
    with django_capture_on_commit_callbacks(execute=True):
        data_rights.delete_account(world.citizen)
    assert messages() == []
    assert stored_files(media) == []


def test_a_reply_by_a_member_who_leaves_stays_in_the_business_mailbox(world):
    message = send(world, to_business=world.business, replies_allowed=True)
    services.reply(reader=world.clerk_of_business, message=message, text="Erledigt")
    world.clerk_of_business.delete()
    answer = Message.objects.with_scopes_disabled().get(in_reply_to=message)
    assert answer.text == "Erledigt" and answer.sent_by is None


def test_files_no_message_refers_to_are_swept_once_they_are_a_day_old(world, media):
    kept = send(world, attachments=[pdf()]).attachments.get()
    folder = media / "postbox" / "attachments"
    stray_old, stray_new = folder / "stray-old", folder / "stray-new"
    stray_old.write_bytes(b"left by a rolled-back send")
    stray_new.write_bytes(b"maybe still being committed")
    two_days_ago = time.time() - 2 * 86400
    os.utime(stray_old, (two_days_ago, two_days_ago))
    os.utime(media / kept.file.name, (two_days_ago, two_days_ago))
    assert services.sweep_orphan_files() == 1
    assert sorted(stored_files(media)) == sorted([media / kept.file.name, stray_new])


def test_sweeping_without_any_file_yet_does_nothing(db, media):
    assert services.sweep_orphan_files() == 0
