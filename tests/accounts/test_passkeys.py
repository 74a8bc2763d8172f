"""Passkeys: registration and password-less login, verified by the ``webauthn`` library.

The browser side is a software authenticator (tests/accounts/authenticator.py) with real
keys and signatures; nothing of the library is replaced.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from amtshilfe.accounts.models import Passkey
from amtshilfe.core import trust
from tests.accounts.authenticator import SoftwareAuthenticator
from tests.accounts.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "http://testserver"


def post_json(client, name, data=None, **kwargs):
    return client.post(
        reverse(name, kwargs=kwargs or None),
        json.dumps(data or {}),
        content_type="application/json",
    )


def add_passkey(client, authenticator, name="Telefon"):
    options = post_json(client, "accounts:passkey_register_options").json()
    credential = authenticator.create(options)
    return post_json(client, "accounts:passkey_register", {"credential": credential, "name": name})


def passkey_login(client, authenticator, **answer):
    options = post_json(client, "accounts:passkey_login_options").json()
    return post_json(
        client, "accounts:passkey_login", {"credential": authenticator.get(options, **answer)}
    )


def test_register_a_passkey_and_log_in_without_password(client, citizen):
    authenticator = SoftwareAuthenticator()
    login(client, citizen.email)
    options = post_json(client, "accounts:passkey_register_options").json()
    assert options["rp"]["id"] == "testserver"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    added = post_json(
        client,
        "accounts:passkey_register",
        {"credential": authenticator.create(options), "name": "Telefon"},
    )
    assert added.status_code == 201, added.content
    passkey = Passkey.objects.get(user=citizen)
    assert passkey.name == "Telefon" and passkey.transports == ["internal"]

    client.post(reverse("accounts:logout"))
    response = passkey_login(client, authenticator)
    assert response.status_code == 200, response.content
    assert response.json()["redirect"] == reverse("accounts:account")
    assert client.session[trust.LEVEL_KEY] == "substanziell"
    assert client.get(reverse("accounts:account")).status_code == 200
    passkey.refresh_from_db()
    assert passkey.sign_count == 1 and passkey.last_used_at is not None


def test_a_replayed_or_foreign_answer_is_refused(client, citizen):
    authenticator = SoftwareAuthenticator()
    login(client, citizen.email)
    add_passkey(client, authenticator)
    client.post(reverse("accounts:logout"))
    options = post_json(client, "accounts:passkey_login_options").json()
    answer = authenticator.get(options)
    assert post_json(client, "accounts:passkey_login", {"credential": answer}).status_code == 200
    client.post(reverse("accounts:logout"))
    # The same signed answer again: its challenge was used up.
    post_json(client, "accounts:passkey_login_options")
    replay = post_json(client, "accounts:passkey_login", {"credential": answer})
    assert replay.status_code == 400
    assert "_auth_user_id" not in client.session
    stranger = SoftwareAuthenticator()  # a key the server never saw
    stranger.user_handle = authenticator.user_handle
    assert passkey_login(client, stranger).status_code == 400


def test_without_user_verification_no_login(client, citizen):
    authenticator = SoftwareAuthenticator()
    login(client, citizen.email)
    add_passkey(client, authenticator)
    client.post(reverse("accounts:logout"))
    assert passkey_login(client, authenticator, user_verified=False).status_code == 400


def test_a_wrong_origin_is_refused(client, citizen):
    login(client, citizen.email)
    evil = SoftwareAuthenticator(origin="https://phishing.example")
    assert add_passkey(client, evil).status_code == 400
    assert not Passkey.objects.exists()


def test_a_passkey_steps_the_session_up(client, citizen):
    authenticator = SoftwareAuthenticator()
    login(client, citizen.email)
    add_passkey(client, authenticator)
    client.post(reverse("accounts:logout"))
    login(client, citizen.email)  # password only: niedrig
    assert client.session[trust.LEVEL_KEY] == "niedrig"
    response = passkey_login(client, authenticator)
    assert response.status_code == 200
    assert client.session[trust.LEVEL_KEY] == "substanziell"
    assert client.session[trust.METHODS_KEY][0] == "pwd"


def test_with_only_a_password_nobody_adds_a_second_passkey(client, citizen):
    login(client, citizen.email)
    add_passkey(client, SoftwareAuthenticator())
    client.post(reverse("accounts:logout"))
    login(client, citizen.email)  # an attacker who knows the password
    refused = post_json(client, "accounts:passkey_register_options")
    assert refused.status_code == 403
    assert Passkey.objects.count() == 1
