"""Logging in: password alone is ``niedrig``; a second factor makes it ``substanziell``."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from amtshilfe.accounts import services
from amtshilfe.accounts.models import KnownDevice, LoginSession
from amtshilfe.core import trust
from tests.accounts.conftest import PASSWORD, login

pytestmark = pytest.mark.django_db


def level(client):
    return client.session.get(trust.LEVEL_KEY)


def with_totp(user):
    device = services.start_totp(user)
    services.confirm_totp(user, device.pk, current_code(device))
    device.refresh_from_db()
    return device


def current_code(device, drift=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, drift=drift):06d}"


def test_password_login_is_niedrig_and_records_session_and_device(client, citizen):
    response = login(client, citizen.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:account")
    assert level(client) == "niedrig"
    assert client.session[trust.METHODS_KEY] == ["pwd"]
    assert LoginSession.objects.filter(user=citizen).count() == 1
    assert KnownDevice.objects.filter(user=citizen).count() == 1
    assert response.cookies["amtshilfe_device"]["httponly"]


def test_account_with_totp_needs_the_code_before_anything(client, citizen):
    device = with_totp(citizen)
    response = login(client, citizen.email)
    assert response["Location"].startswith(reverse("accounts:second_factor"))
    # The password alone has not logged anybody in.
    assert client.get(reverse("accounts:account")).status_code == 302
    wrong = client.post(
        reverse("accounts:second_factor"), {"code": "000000"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert wrong.status_code == 200
    assert "not correct" in wrong.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0  # django-otp delays after a failure; the test moves on
    device.throttling_failure_timestamp = None
    device.save()
    right = client.post(reverse("accounts:second_factor"), {"code": current_code(device, 1)})
    assert right.status_code == 302
    assert level(client) == "substanziell"
    assert client.get(reverse("accounts:account")).status_code == 200


def test_a_recovery_code_works_once(client, citizen):
    with_totp(citizen)
    codes = services.new_recovery_codes(citizen)
    login(client, citizen.email)
    response = client.post(reverse("accounts:second_factor"), {"code": codes[0].upper()})
    assert response.status_code == 302
    assert level(client) == "substanziell"
    client.post(reverse("accounts:logout"))
    login(client, citizen.email)
    again = client.post(reverse("accounts:second_factor"), {"code": codes[0]})
    assert again.status_code == 200, "a used recovery code is refused"
    assert services.recovery_codes_left(citizen) == 9


def test_the_second_step_expires(client, citizen, time_machine):
    with_totp(citizen)
    time_machine.move_to("2026-11-25 10:00:00+00:00", tick=False)
    login(client, citizen.email)
    time_machine.move_to("2026-11-25 10:06:00+00:00", tick=False)
    response = client.get(reverse("accounts:second_factor"))
    assert response["Location"].startswith(reverse("accounts:login"))


def test_step_up_from_niedrig_to_substanziell_is_enforced(client, citizen):
    device = with_totp(citizen)
    # A session that logged in with the password only (e.g. before the app was set up).
    client.force_login(citizen)
    session = client.session
    session[trust.LEVEL_KEY] = "niedrig"
    session.save()
    refused = client.post(reverse("accounts:remove_second_factor"))
    assert refused.status_code == 302
    assert refused["Location"].startswith(reverse("accounts:step_up"))
    assert TOTPDevice.objects.filter(user=citizen).exists(), "nothing happened"
    step_up = client.get(refused["Location"])
    assert step_up.status_code == 200
    done = client.post(
        refused["Location"], {"code": current_code(device, 1), "level": "substanziell"}
    )
    assert done.status_code == 302
    assert level(client) == "substanziell"
    assert client.session[trust.METHODS_KEY][-2:] == ["otp", "mfa"]
    removed = client.post(reverse("accounts:remove_second_factor"))
    assert removed["Location"] == reverse("accounts:security")
    assert not TOTPDevice.objects.filter(user=citizen).exists()


def test_step_up_without_second_factor_leads_to_setting_one_up(client, citizen):
    login(client, citizen.email)
    target = reverse("accounts:security")
    page = client.get(reverse("accounts:step_up") + f"?level=substanziell&next={target}")
    assert page.status_code == 200
    setup_link = page.context["setup_url"]
    assert setup_link.startswith(reverse("accounts:totp_setup"))
    client.get(setup_link)
    device = TOTPDevice.objects.get(user=citizen, confirmed=False)
    confirmed = client.post(setup_link, {"code": current_code(device)})
    assert confirmed.status_code == 302
    assert level(client) == "substanziell"
    codes_page = client.get(confirmed["Location"])
    assert len(codes_page.context["codes"]) == 10
    assert codes_page["Cache-Control"] == "no-store"
    assert client.get(confirmed["Location"]).status_code == 302, "codes are shown once"


def test_requires_level_sends_anonymous_people_to_login_and_back(client):
    response = client.post(reverse("accounts:remove_second_factor"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_totp_setup_refuses_a_wrong_code(client, citizen):
    login(client, citizen.email)
    client.get(reverse("accounts:totp_setup"))
    response = client.post(reverse("accounts:totp_setup"), {"code": "123456"})
    assert response.status_code == 200
    assert not services.has_second_factor(citizen)
    assert level(client) == "niedrig"


def test_sessions_can_be_listed_and_ended(client, citizen, django_user_model):
    from django.test import Client

    other = Client()
    login(other, citizen.email, HTTP_USER_AGENT="Mozilla/5.0 (Android 14) Firefox/130.0")
    login(client, citizen.email, HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0) Chrome/130.0")
    page = client.get(reverse("accounts:security"))
    sessions = page.context["sessions"]
    assert [s["device"] for s in sessions] == ["Chrome, Windows", "Firefox, Android"]
    assert sessions[0]["current"]
    client.post(reverse("accounts:end_session", args=[sessions[1]["id"]]))
    assert other.get(reverse("accounts:account")).status_code == 302, "the other session ended"
    assert client.get(reverse("accounts:account")).status_code == 200


def test_nobody_ends_someone_elses_session(client, citizen, django_user_model):
    from django.test import Client

    login(Client(), citizen.email)
    theirs = LoginSession.objects.get(user=citizen)
    django_user_model.objects.create_user("max@example.org", PASSWORD, kind="citizen")
    login(client, "max@example.org")
    response = client.post(reverse("accounts:end_session", args=[theirs.pk]))
    assert response.status_code == 404
    assert LoginSession.objects.filter(pk=theirs.pk).exists()
