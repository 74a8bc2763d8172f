"""Registration, address confirmation and password reset: no enumeration, throttled."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from amtshilfe.accounts.models import KnownDevice
from tests.accounts.conftest import PASSWORD, login, without_csrf

pytestmark = pytest.mark.django_db
User = get_user_model()


def register(client, email, name="Max Muster", password=PASSWORD, **extra):
    return client.post(
        reverse("accounts:register"),
        {"full_name": name, "email": email, "password1": password, "password2": password},
        **extra,
    )


def link_in(message):
    return re.search(r"https?://\S+", message.body).group(0)


def test_registration_confirms_the_address_before_login(
    client, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = register(client, "Neu@Example.org")
    assert response["Location"] == reverse("accounts:register_done")
    user = User.objects.get(email="neu@example.org")
    assert not user.is_active and user.kind == "citizen"
    assert login(client, "neu@example.org").status_code == 200, "not before confirming"
    link = link_in(mail.outbox[0])
    path = link.split("8000", 1)[1]
    assert client.get(path).status_code == 200
    user.refresh_from_db()
    assert not user.is_active, "opening the link (a mail scanner) confirms nothing"
    assert client.post(path).status_code == 200
    user.refresh_from_db()
    assert user.is_active
    assert client.post(path).status_code == 400, "the link works once"
    assert login(client, "neu@example.org").status_code == 302


def test_registering_a_known_address_answers_alike_and_tells_only_the_owner(
    client, citizen, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = register(client, citizen.email, name="Somebody Else")
        new = register(client, "fresh@example.org")
    assert (known.status_code, known["Location"]) == (new.status_code, new["Location"])
    assert [m.to for m in mail.outbox] == [[citizen.email], ["fresh@example.org"]]
    assert "already" in mail.outbox[0].body and "Somebody" not in mail.outbox[0].body
    citizen.refresh_from_db()
    assert citizen.full_name == "Erika Mustermann" and citizen.check_password(PASSWORD)


def test_weak_or_mismatched_passwords_are_refused_with_reasons(client):
    response = register(client, "a@example.org", password="password1234")
    assert response.status_code == 200
    assert "zu üblich" in response.content.decode()
    short = register(client, "a@example.org", password="kurz", HTTP_ACCEPT_LANGUAGE="en")
    assert "at least 12" in short.content.decode()
    mismatch = client.post(
        reverse("accounts:register"),
        {"full_name": "A", "email": "a@example.org", "password1": PASSWORD, "password2": "x"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "not the same" in mismatch.content.decode()
    assert not User.objects.filter(email="a@example.org").exists()


def test_wrong_password_and_unknown_address_get_the_same_answer(client, citizen):
    wrong = login(client, citizen.email, "not the password at all")
    unknown = login(client, "nobody@example.org", "not the password at all")
    assert wrong.status_code == unknown.status_code == 200
    assert without_csrf(wrong.content.decode()).replace(citizen.email, "X") == without_csrf(
        unknown.content.decode()
    ).replace("nobody@example.org", "X")


def test_password_reset_answers_alike_and_mails_only_existing_accounts(
    client, citizen, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("accounts:password_reset"), {"email": citizen.email})
        unknown = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert known["Location"] == unknown["Location"] == reverse("accounts:password_reset_done")
    assert [m.to for m in mail.outbox] == [[citizen.email]]
    path = link_in(mail.outbox[0]).split("8000", 1)[1]
    form = client.get(path, follow=True)
    assert form.context["validlink"]
    new = "ein ganz anderer langer Satz"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done["Location"] == reverse("accounts:password_reset_complete")
    citizen.refresh_from_db()
    assert citizen.check_password(new)


def test_password_guessing_is_stopped_and_the_owner_gets_in_after_the_pause(
    client, citizen, time_machine
):
    time_machine.move_to("2026-11-25 10:00:00+00:00", tick=False)
    for attempt in range(9):
        assert login(client, citizen.email, f"guess number {attempt}").status_code == 200
    assert login(client, citizen.email, "the tenth guess").status_code == 429
    locked = login(client, citizen.email)  # even the right password
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # An unknown address is locked the same way: the lock tells nothing about accounts.
    for attempt in range(10):
        unknown = login(client, "nobody@example.org", f"guess {attempt}", REMOTE_ADDR="10.0.0.9")
    assert unknown.status_code == 429
    time_machine.move_to("2026-11-25 10:16:00+00:00", tick=False)
    assert login(client, citizen.email).status_code == 302


def test_guessing_from_one_address_across_accounts_is_stopped(client, citizen):
    for attempt in range(10):
        login(client, f"person{attempt}@example.org", "guess", REMOTE_ADDR="10.1.1.1")
    assert login(client, citizen.email, REMOTE_ADDR="10.1.1.1").status_code == 429
    assert login(client, citizen.email, REMOTE_ADDR="10.2.2.2").status_code == 302


def test_registration_is_throttled_per_address(client, settings):
    for number in range(20):
        register(client, f"p{number}@example.org")
    assert register(client, "one-more@example.org").status_code == 429
    assert not User.objects.filter(email="one-more@example.org").exists()


def test_a_login_from_a_new_browser_sends_a_notice_without_details_of_the_account(
    client, citizen, immediate_tasks, django_capture_on_commit_callbacks
):
    from django.test import Client

    with django_capture_on_commit_callbacks(execute=True):
        login(client, citizen.email)  # first login ever: no notice
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        login(client, citizen.email)  # same browser (cookie): no notice
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        login(Client(), citizen.email, HTTP_USER_AGENT="Mozilla/5.0 (iPhone) Safari/605")
    assert len(mail.outbox) == 1
    assert "Safari, iOS" in mail.outbox[0].body
    assert KnownDevice.objects.filter(user=citizen).count() == 2
