"""The e-mail notice: enqueued with the message (ids only), sent by the worker, and saying
nothing but that there is a new message in the Postfach."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from amtshilfe.postbox import tasks
from amtshilfe.postbox.models import Message
from tests.postbox.conftest import pdf, run_queued_tasks, send

GERMAN = "Sie haben eine neue Nachricht in Ihrem Postfach."
ENGLISH = "you have a new message in your Postfach."


class Rollback(Exception):
    """Raised inside a transaction to abandon it."""


def whole_mail(message: mail.EmailMessage) -> str:
    return message.message().as_string() + message.subject + message.body


@pytest.mark.django_db
def test_the_notice_is_enqueued_with_the_message_id_only(world):
    message = send(world)
    row = DBTaskResult.objects.get()
    assert row.task_path == "amtshilfe.postbox.tasks.send_new_message_notice"
    assert row.args_kwargs == {"args": [], "kwargs": {"message_id": message.pk}}
    assert mail.outbox == []  # nothing is sent before the worker runs


@pytest.mark.django_db
def test_the_notice_says_only_that_a_message_came(world, settings):
    settings.SITE_URL = "https://portal.example.de/"
    message = send(world, attachments=[pdf("Hundesteuerbescheid Bello.pdf")])
    assert run_queued_tasks() == [1]
    [notice] = mail.outbox
    assert notice.to == [world.citizen.email]
    assert notice.subject == "Neue Nachricht in Ihrem Postfach / New message in your Postfach"
    assert GERMAN in notice.body and ENGLISH in notice.body
    assert "https://portal.example.de/konto/postfach/\n" in notice.body
    everything = whole_mail(notice)
    for secret in (
        message.subject,
        "Hundesteuer",
        "Bello",
        "96 Euro",
        "HS-2026-0815",
        world.town.name,
        world.office.name,
        "Musterstadt",
        "Clara",
        str(message.pk) + "/",
    ):
        assert secret not in everything, secret
    assert Message.objects.with_scopes_disabled().get().notified_at is not None


@pytest.mark.django_db
def test_a_business_message_is_announced_to_each_postfach_reader_alone(world, settings):
    settings.SITE_URL = "https://portal.example.de"
    send(world, to_business=world.business)
    run_queued_tasks()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [world.owner.email, world.clerk_of_business.email]
    )
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mail.outbox)
    link = f"https://portal.example.de/konto/postfach/?postfach={world.business.pk}"
    assert all(link in m.body for m in mail.outbox)
    assert world.business.name not in whole_mail(mail.outbox[0])


@pytest.mark.django_db
def test_inactive_accounts_get_no_notice(world):
    world.clerk_of_business.is_active = False
    world.clerk_of_business.save()
    send(world, to_business=world.business)
    run_queued_tasks()
    assert [m.to for m in mail.outbox] == [[world.owner.email]]


@pytest.mark.django_db
def test_a_rolled_back_message_is_never_announced(world):
    with pytest.raises(Rollback), transaction.atomic():
        send(world)
        raise Rollback
    assert not Message.objects.with_scopes_disabled().exists()
    assert not DBTaskResult.objects.exists()
    assert run_queued_tasks() == []
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_notice_task_run_twice_mails_once(world):
    message = send(world)
    assert tasks.send_new_message_notice.call(message_id=message.pk) == 1
    assert tasks.send_new_message_notice.call(message_id=message.pk) == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_message_deleted_before_the_worker_came_is_not_announced(world):
    message = send(world)
    Message.objects.with_scopes_disabled().filter(pk=message.pk).delete()
    assert run_queued_tasks() == [0]
    assert mail.outbox == []


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.mark.django_db
def test_with_a_backend_that_runs_tasks_at_once_the_notice_waits_for_the_commit(
    world, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        send(world)
        assert mail.outbox == []  # not while the transaction may still roll back
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_with_a_backend_that_runs_tasks_at_once_a_rollback_sends_nothing(
    world, immediate_tasks, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Rollback),
        transaction.atomic(),
    ):
        send(world)
        raise Rollback
    assert callbacks == []
    assert mail.outbox == []


@pytest.fixture
def _keep_signal_handlers() -> Iterator[None]:
    """The worker installs SIGINT/SIGTERM handlers for its own process; give pytest its own back."""
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


@pytest.fixture
def _empty_audit_trail_after_test() -> Iterator[None]:
    """Sending writes audit entries, which SQLite's flush may not delete (append-only)."""
    yield
    from tests.browser.conftest import _let_flush_empty_the_audit_trail

    _let_flush_empty_the_audit_trail()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_keep_signal_handlers", "_empty_audit_trail_after_test")
def test_the_worker_sends_the_notice(world):
    send(world)
    call_command("worker", "--batch", verbosity=0)
    assert [m.to for m in mail.outbox] == [[world.citizen.email]]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
