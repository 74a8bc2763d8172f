"""Repeated searches are answered from the cache, and a committed change is seen at once."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from amtshilfe.catalog import services
from amtshilfe.catalog.models import Service
from amtshilfe.catalog.search import reindex_services, search_services
from amtshilfe.core.access import Role
from amtshilfe.organisations.models import Authority, Organisation
from tests.factories import member

pytestmark = pytest.mark.usefixtures("hesse")
BUEDINGEN = "064400004004"


@pytest.fixture
def caching(settings):
    settings.SEARCH_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def hundesteuer(django_capture_on_commit_callbacks):
    service = Service.objects.create(slug="hundesteuer", name_de="Hundesteuer")
    with django_capture_on_commit_callbacks(execute=True):
        reindex_services([service.pk])
    return service


def test_a_repeated_query_runs_no_sql(caching, hundesteuer, django_assert_num_queries):
    first = search_services("Hundesteuer", ars=BUEDINGEN)
    assert [hit.slug for hit in first] == ["hundesteuer"]
    with django_assert_num_queries(0):
        again = search_services("  Hundesteuer ", ars=BUEDINGEN)
    assert again == first


def test_place_language_and_limit_are_part_of_the_question(caching, hundesteuer):
    search_services("Hundesteuer", ars=BUEDINGEN)
    with asks_the_database():
        search_services("Hundesteuer", ars="064120000000")
    with asks_the_database():
        search_services("Hundesteuer", ars=BUEDINGEN, language="en")
    with asks_the_database():
        search_services("Hundesteuer", ars=BUEDINGEN, limit=5)


@contextmanager
def asks_the_database():
    """Fails if the block runs no SQL, i.e. was answered from the cache."""
    with CaptureQueriesContext(connection) as queries:
        yield
    assert len(queries) > 0, "answered from the cache"


def test_a_new_online_offering_shows_at_once(
    caching, hundesteuer, django_capture_on_commit_callbacks
):
    assert search_services("Hundesteuer", ars=BUEDINGEN)[0].online_here is False
    buedingen = Organisation.objects.get(slug="buedingen")
    with scopes_disabled():
        office = Authority.objects.create(organisation=buedingen, name="Bürgerbüro")
    with django_capture_on_commit_callbacks(execute=True):
        services.save_offering(
            actor=member(buedingen, Role.MUNICIPAL_ADMIN),
            organisation=buedingen,
            service=hundesteuer,
            channel="online",
            status="live",
            online_url="https://buedingen.example/hundesteuer",
            receiving_authority=office,
        )
    assert search_services("Hundesteuer", ars=BUEDINGEN)[0].online_here is True


def test_a_renamed_service_is_found_under_its_new_name_at_once(
    caching, hundesteuer, django_capture_on_commit_callbacks
):
    assert search_services("Hundeabgabe") == []
    hundesteuer.name_de = "Hundeabgabe"
    hundesteuer.save()
    with django_capture_on_commit_callbacks(execute=True):
        reindex_services([hundesteuer.pk])
    assert [hit.slug for hit in search_services("Hundeabgabe")] == ["hundesteuer"]


def test_an_uncommitted_change_does_not_let_cached_answers_go(
    caching, hundesteuer, django_capture_on_commit_callbacks
):
    before = search_services("Hundesteuer")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reindex_services([hundesteuer.pk])
    assert callbacks, "the cache generation moves on only after the commit"
    assert search_services("Hundesteuer") == before


def test_switched_off_every_search_asks_the_database(settings, hundesteuer):
    settings.SEARCH_CACHE_SECONDS = 0
    search_services("Hundesteuer")
    with asks_the_database():
        search_services("Hundesteuer")
