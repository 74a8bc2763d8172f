"""DSGVO: the export holds every kind of personal data of an account; deletion leaves none.

The deletion test looks into every table of the database for what the account held.
"""

from __future__ import annotations

import json

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from amtshilfe.accounts import data_rights, services
from amtshilfe.accounts.models import (
    BusinessAccount,
    BusinessMember,
    ExternalIdentity,
    IdentityProvider,
)
from tests.accounts.authenticator import SoftwareAuthenticator
from tests.accounts.conftest import PASSWORD, login
from tests.accounts.test_passkeys import add_passkey

pytestmark = pytest.mark.django_db

#: Every model that holds data of an account (a foreign key to the user), and where the
#: export shows it. A new model with personal data fails ``test_every_kind_is_exported``
#: until it is exported and listed here.
EXPORTED = {
    "accounts.accountevent": "activity",
    "accounts.profileattribute": "profile",
    "accounts.businessmember": "organisation_accounts",
    "accounts.loginsession": "sessions",
    "accounts.knowndevice": "known_devices",
    "accounts.passkey": "second_factors",
    "accounts.externalidentity": "external_identities",
    "otp_totp.totpdevice": "second_factors",
    "otp_static.staticdevice": "second_factors",
}
#: Holding a user reference, but no data of the person: staff structures and the audit of
#: staff writes (citizens are never actors there).
NOT_PERSONAL_DATA_OF_CITIZENS = {
    "core.auditentry",
    "organisations.membership",
    "admin.logentry",
}
MARKERS = [
    "Quirinus Zwetschgenbaum",
    "quirinus@example.org",
    "Holunderweg 7",
    "Zwetschgen GmbH",
    "Mein Quirinus-Telefon",
    "quirinus-bundid-4711",
]


@pytest.fixture
def rich_account(settings):
    """An account with one of everything (markers make its data findable anywhere)."""
    settings.SITE_URL = "http://testserver"
    user = services.User.objects.create_user(
        "quirinus@example.org", PASSWORD, full_name="Quirinus Zwetschgenbaum", kind="citizen"
    )
    services.set_profile(
        user,
        {"given_name": "Quirinus", "family_name": "Zwetschgenbaum", "street": "Holunderweg 7"},
    )
    services.set_profile(
        user, {"birth_date": "1985-03-17"}, source="bundid", source_label="BundID", verified=True
    )
    business = BusinessAccount.objects.create(name="Zwetschgen GmbH", register_number="HRB 1")
    BusinessMember.objects.create(business=business, user=user, role="owner")
    client = Client()
    login(client, user.email)
    add_passkey(client, SoftwareAuthenticator(), name="Mein Quirinus-Telefon")
    device = services.start_totp(user)
    device.confirmed = True
    device.save()
    services.new_recovery_codes(user)
    login(Client(), user.email, "a wrong guess", REMOTE_ADDR="10.9.9.9")
    provider = IdentityProvider.objects.create(
        slug="bundid", name="BundID", issuer="https://id.example", client_id="c", client_secret="s"
    )
    ExternalIdentity.objects.create(user=user, provider=provider, subject="quirinus-bundid-4711")
    return user, client


def test_every_kind_is_exported(rich_account):
    user, client = rich_account
    response = client.get(reverse("accounts:export_json"))
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    text = json.dumps(data, ensure_ascii=False)
    for marker in MARKERS:
        assert marker in text, marker
    assert data["account"]["email"] == user.email
    assert {p["item"]: p["source"] for p in data["profile"]} == {
        "given_name": "self",
        "family_name": "self",
        "street": "self",
        "birth_date": "bundid",
    }
    for model_label, key in EXPORTED.items():
        assert data[key], f"{model_label} is exported under {key!r}"
    assert data["second_factors"]["unused_recovery_codes"] == 10
    assert data["failed_logins_recorded"][0]["failures"] == 1
    user_models = {
        model._meta.label_lower
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.many_to_one
        and field.concrete
        and field.related_model is apps.get_model(settings.AUTH_USER_MODEL)
    }
    covered = set(EXPORTED) | set(data_rights.registry.exporters_for_models())
    missing = user_models - covered - NOT_PERSONAL_DATA_OF_CITIZENS
    assert not missing, f"personal data not in the export: {sorted(missing)}"


def test_the_pdf_is_a_readable_document_of_the_same_data(rich_account):
    _user, client = rich_account
    response = client.get(reverse("accounts:export_pdf"))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(_bytes(response.content)).pages)
    for marker in ["Quirinus Zwetschgenbaum", "Holunderweg 7", "Zwetschgen GmbH"]:
        assert marker in text


def _bytes(content):
    import io

    return io.BytesIO(content)


def every_row_of_every_table():
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                yield table, row


def test_deletion_leaves_nothing_of_the_account(rich_account):
    user, client = rich_account
    sessions = list(user.login_sessions.values_list("session_key", flat=True))
    page = client.get(reverse("accounts:data"))
    assert page.status_code == 200
    refused = client.post(reverse("accounts:data"), {"password": "wrong", "confirm": "on"})
    assert refused.status_code == 400
    assert services.User.objects.filter(pk=user.pk).exists()
    done = client.post(reverse("accounts:data"), {"password": PASSWORD, "confirm": "on"})
    assert done.status_code == 200
    assert not services.User.objects.filter(pk=user.pk).exists()
    found = [
        (table, marker)
        for table, row in every_row_of_every_table()
        for marker in MARKERS
        if marker.lower() in repr(row).lower()
    ]
    assert found == []
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key__in=sessions).exists()
    assert not AccessAttempt.objects.exists()
    assert client.get(reverse("accounts:account")).status_code == 302, "logged out"


def test_deletion_waits_for_open_cases(rich_account):
    user, client = rich_account

    def open_case(account):
        return "Ihr Antrag „Hundesteuer“ wird noch bearbeitet." if account.pk == user.pk else None

    data_rights.register("test", blocker=open_case)
    try:
        page = client.post(reverse("accounts:data"), {"password": PASSWORD, "confirm": "on"})
        assert page.status_code == 400
        assert "Hundesteuer" in page.content.decode()
        assert services.User.objects.filter(pk=user.pk).exists()
        with pytest.raises(data_rights.DeletionBlocked):
            data_rights.delete_account(user)
    finally:
        data_rights.registry.blockers.remove(open_case)
