"""Fixtures of the Postfach tests: a world of senders and mailboxes, files in a folder of
their own, and a way to run the queued tasks as the worker would."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django_tasks_db.models import DBTaskResult

from amtshilfe.accounts.models import BusinessAccount, BusinessMember
from amtshilfe.organisations.models import Authority, Organisation
from amtshilfe.postbox import services
from amtshilfe.postbox.models import Kind, Message
from tests.factories import OrganisationFactory, UserFactory

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@dataclass
class World:
    town: Organisation
    office: Authority
    other_town: Organisation
    citizen: Any
    stranger: Any
    business: BusinessAccount
    owner: Any
    clerk_of_business: Any  # BusinessMember.Role.POSTBOX
    plain_member: Any  # BusinessMember.Role.MEMBER


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    """Uploaded files go to a fresh folder, so a test sees exactly the files it made."""
    root = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


@pytest.fixture
def world(db, media) -> World:
    town = OrganisationFactory(name="Stadt Musterstadt")
    office = Authority.objects.create(organisation=town, name="Ordnungsamt Musterstadt")
    business = BusinessAccount.objects.create(name="Bäckerei Korn GmbH")
    owner = UserFactory(kind="citizen", full_name="Olga Owner")
    clerk_of_business = UserFactory(kind="citizen", full_name="Paul Postfach")
    plain_member = UserFactory(kind="citizen", full_name="Mia Member")
    for user, role in (
        (owner, BusinessMember.Role.OWNER),
        (clerk_of_business, BusinessMember.Role.POSTBOX),
        (plain_member, BusinessMember.Role.MEMBER),
    ):
        BusinessMember.objects.create(business=business, user=user, role=role)
    return World(
        town=town,
        office=office,
        other_town=OrganisationFactory(name="Gemeinde Anderswo"),
        citizen=UserFactory(kind="citizen", full_name="Clara Citizen"),
        stranger=UserFactory(kind="citizen", full_name="Sam Stranger"),
        business=business,
        owner=owner,
        clerk_of_business=clerk_of_business,
        plain_member=plain_member,
    )


def send(world: World, **overrides: Any) -> Message:
    """A Bescheid from the town's Ordnungsamt to the citizen, unless told otherwise."""
    arguments: dict[str, Any] = {
        "sender": world.town,
        "authority": world.office,
        "subject": "Bescheid über Ihre Hundesteuer 2026",
        "text": "Sehr geehrte Frau Citizen,\nfür Ihren Hund Bello setzen wir 96 Euro fest.",
        "kind": Kind.NOTICE,
        "case_reference": "HS-2026-0815",
    }
    if "to_business" not in overrides:
        arguments["to_user"] = world.citizen
    arguments.update(overrides)
    return services.send_message(**arguments)


def pdf(name: str = "Bescheid Hundesteuer.pdf", content: bytes = PDF) -> services.NewAttachment:
    return services.NewAttachment(filename=name, content=ContentFile(content))


def run_queued_tasks() -> list[Any]:
    """Run every waiting task as the worker does (by its module path) and return the results.

    Inside the test's transaction: the real worker is exercised in test_notice's
    ``test_the_worker_sends_the_notice``.
    """
    results = []
    for row in DBTaskResult.objects.ready().order_by("enqueued_at"):
        arguments = row.args_kwargs
        results.append(row.task.call(*arguments["args"], **arguments["kwargs"]))
        row.delete()
    return results


def stored_files(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []
