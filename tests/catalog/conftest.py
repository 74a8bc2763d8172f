from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.db import transaction

from amtshilfe.catalog import content
from amtshilfe.catalog import demo as catalog_demo
from amtshilfe.organisations import demo


@contextmanager
def _module_transaction(django_db_blocker, load):
    """Run ``load`` in a transaction kept open for a module's tests, then roll it back."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            load()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def demo_catalogue(django_db_setup, django_db_blocker):
    """The demo world with its catalogue (responsibilities, offerings), once per module."""

    def load():
        demo.create_demo_world()
        catalog_demo.create_catalog_demo()

    with _module_transaction(django_db_blocker, load):
        yield


@pytest.fixture(scope="module")
def shipped_catalogue(django_db_setup, django_db_blocker):
    """The shipped OZG catalogue and services (indexed for search), loaded once per module.

    Loaded inside a transaction that stays open for the module's tests (each test's own
    transaction nests in it as a savepoint) and is rolled back at the end, so no other module
    sees the rows. Loading per test would cost ~0.3 s on SQLite and ~1 s on PostgreSQL.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            content.load_ozg_catalogue()
            content.load_services()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)
