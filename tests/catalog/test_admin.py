"""Operators edit the catalogue in the admin: audited, and the search follows at once."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from amtshilfe.catalog.models import Service
from amtshilfe.catalog.search import reindex_services, search_services
from amtshilfe.core.access import Role
from amtshilfe.core.models import AuditEntry
from amtshilfe.organisations.models import Organisation
from tests.factories import member

pytestmark = pytest.mark.usefixtures("hesse")


@pytest.fixture
def operator(client):
    user = member(Organisation.objects.get(slug="giessen"), Role.PLATFORM_OPERATOR)
    user.is_staff = True
    user.save()
    client.force_login(user)
    return user


def test_renaming_a_service_in_the_admin_is_audited_and_searchable(client, operator):
    service = Service.objects.create(slug="laermschutz", name_de="Lärmschutz beantragen")
    reindex_services()
    url = reverse("admin:catalog_service_change", args=[service.pk])
    form = client.get(url).context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data.update(name_de="Ruhestörung melden", slug="laermschutz", trust_level="niedrig")
    data = {k: v for k, v in data.items() if k not in {"id", "updated_at"}}
    data["ozg_bundle"] = ""
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:1500]
    assert [hit.slug for hit in search_services("Ruhestörung")][:1] == ["laermschutz"]
    with scopes_disabled():
        entry = AuditEntry.objects.get(action="admin.catalog.service.changed")
    assert entry.actor == operator
    assert entry.changes["name_de"] == ["Lärmschutz beantragen", "Ruhestörung melden"]


def test_deleting_a_service_in_the_admin_removes_it_from_search(client, operator):
    service = Service.objects.create(slug="laermschutz", name_de="Lärmschutz beantragen")
    reindex_services()
    url = reverse("admin:catalog_service_delete", args=[service.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert search_services("Lärmschutz") == []
