"""The public catalogue API: answers, problem responses, OpenAPI, rate limit."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from django.core.cache import cache

from amtshilfe.catalog import content
from amtshilfe.catalog.models import Responsibility, Service
from amtshilfe.config.api import RATE_LIMIT
from amtshilfe.organisations.models import Authority, Organisation
from tests.factories import delegation

pytestmark = pytest.mark.usefixtures("hesse")
BUEDINGEN = "064400004004"
OPENAPI = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


@pytest.fixture
def catalogue():
    content.load_ozg_catalogue()
    content.load_services()
    buedingen = Organisation.objects.get(slug="buedingen")
    office = Authority.objects.with_scopes_disabled().create(
        organisation=buedingen, name="Bürgerbüro", email="buergerbuero@buedingen.example"
    )
    service = Service.objects.get(slug="wohnsitz-anmelden")
    Responsibility.objects.create(
        service=service, area=BUEDINGEN, authority=office, organisation=buedingen
    )
    return service


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()


def test_search(client, catalogue):
    response = client.get("/api/v1/services", {"q": "Ummeldung"})
    assert response.status_code == 200
    hits = response.json()
    assert hits[0]["slug"] == "wohnsitz-anmelden"
    assert hits[0]["url"].endswith("/leistungen/wohnsitz-anmelden/")


def test_service(client, catalogue):
    data = client.get("/api/v1/services/wohnsitz-anmelden").json()
    assert data["leika_key"] == "99115005104000" and data["ozg_id"] == "10124"
    assert data["name_de"] == "Wohnsitz anmelden"


def test_service_in_english(client, catalogue):
    data = client.get("/api/v1/services/wohnsitz-anmelden", headers={"Accept-Language": "en"})
    assert data.json()["short_text"] == catalogue.short_text_en


def test_organisation(client):
    data = client.get("/api/v1/organisations/buedingen").json()
    assert data["ars"] == BUEDINGEN and data["name"] == "Stadt Büdingen"


def test_responsibility_with_delegation(client, catalogue):
    delegation(
        Organisation.objects.get(slug="buedingen"),
        Organisation.objects.get(slug="wetteraukreis"),
        scope="all",
        start=datetime.date(2020, 1, 1),
    )
    data = client.get(
        "/api/v1/responsibility", {"service": "wohnsitz-anmelden", "ars": BUEDINGEN}
    ).json()
    assert data["responsible"]["organisation_slug"] == "buedingen"
    assert data["processing"]["organisation_slug"] == "wetteraukreis"
    assert data["delegated"] is True and data["rule_level"] == "gemeinde"


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/api/v1/services/gibt-es-nicht", {}, 404),
        ("/api/v1/organisations/gibt-es-nicht", {}, 404),
        ("/api/v1/responsibility", {"service": "wohnsitz-anmelden", "ars": "069999999999"}, 404),
        ("/api/v1/responsibility", {"service": "gibt-es-nicht", "ars": BUEDINGEN}, 404),
        ("/api/v1/responsibility", {"service": "wohnsitz-anmelden"}, 422),
        ("/api/v1/services", {"q": "x", "ars": "123"}, 422),
    ],
)
def test_problems_are_rfc9457(client, catalogue, path, params, status):
    response = client.get(path, params)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]


def test_not_found_problem_speaks_the_users_language(client, catalogue):
    german = client.get("/api/v1/services/gibt-es-nicht").json()["detail"]
    english = client.get(
        "/api/v1/services/gibt-es-nicht", headers={"Accept-Language": "en"}
    ).json()["detail"]
    assert german != english and "service" in english


def test_rate_limit_answers_429_problem(client, monkeypatch):
    monkeypatch.setattr(RATE_LIMIT, "num_requests", 3)
    statuses = [client.get("/api/v1/organisations/buedingen").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


def test_committed_openapi_document_is_current(client):
    """The OpenAPI document is committed (docs/openapi.json) so changes show up in review."""
    served = client.get("/api/v1/openapi.json").json()
    committed = json.loads(OPENAPI.read_text(encoding="utf-8"))
    assert served == committed, (
        "run: amtshilfe export_openapi_schema --api amtshilfe.config.api.api "
        "--output docs/openapi.json --indent 2"
    )
