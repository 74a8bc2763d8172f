from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

PASSWORD = "lange Sätze sind gute Passwörter"


@pytest.fixture
def immediate_tasks(settings):
    """Tasks run at once when enqueued (the mails land in ``mail.outbox``)."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default"],
        }
    }


@pytest.fixture
def citizen(db):
    return get_user_model().objects.create_user(
        "erika@example.org", PASSWORD, full_name="Erika Mustermann", kind="citizen"
    )


def login(client, email, password=PASSWORD, **extra):
    return client.post("/konto/anmelden/", {"username": email, "password": password}, **extra)


def without_csrf(html: str) -> str:
    """A page with its per-request CSRF token blanked, to compare two answers."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken"', html)
