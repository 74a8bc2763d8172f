"""A municipality's digitalisation officer manages its offerings, rules and delegations.

The pages are for those who may manage the organisation: its municipal admins and the
platform operators. Every write goes through a service and leaves an audit entry; invalid
input is shown as an error and writes nothing.
"""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from amtshilfe.catalog.models import Offering, Responsibility, Service
from amtshilfe.core.access import Role
from amtshilfe.core.models import AuditEntry
from amtshilfe.organisations.models import Authority, DelegationAgreement, Organisation
from tests.factories import delegation, member

pytestmark = pytest.mark.usefixtures("hesse")
BUEDINGEN = "064400004004"
TODAY = datetime.date.today()


@pytest.fixture
def setting():
    buedingen = Organisation.objects.get(slug="buedingen")
    with scopes_disabled():
        office = Authority.objects.create(organisation=buedingen, name="Bürgerbüro")
        foreign_office = Authority.objects.create(
            organisation=Organisation.objects.get(slug="giessen"), name="Bürgerbüro Gießen"
        )
    service = Service.objects.create(
        slug="hundesteuer", name_de="Hundesteuer", leika_key="99108001000000"
    )
    return {"org": buedingen, "office": office, "foreign": foreign_office, "service": service}


@pytest.fixture
def admin_client(client, setting):
    client.force_login(member(setting["org"], Role.MUNICIPAL_ADMIN))
    return client


def url(name: str, org: Organisation, **kwargs) -> str:
    return reverse(f"catalog_staff:{name}", kwargs={"slug": org.slug, **kwargs})


def audit_actions(org) -> list[str]:
    with scopes_disabled():
        return list(
            AuditEntry.objects.filter(organisation=org)
            .order_by("pk")
            .values_list("action", flat=True)
        )


def offerings() -> list[Offering]:
    with scopes_disabled():
        return list(Offering.objects.all())


def offering_post(setting, **changes) -> dict[str, str]:
    data = {
        "service": "hundesteuer",
        "channel": "both",
        "status": "live",
        "maturity": "3",
        "fees": "75 € im Jahr",
        "online_url": "https://buedingen.example/hundesteuer",
        "receiving_authority": str(setting["office"].pk),
    }
    return {**data, **changes}


def error_summary(response) -> str:
    html = response.content.decode()
    assert 'id="error-summary"' in html, "the page shows the error summary"
    start = html.index('id="error-summary"')
    return html[start : html.index("</ul>", start)]


# Offerings


def test_admin_adds_an_offering_then_changes_it_and_both_are_audited(admin_client, setting):
    page = url("offerings", setting["org"])
    response = admin_client.post(page, offering_post(setting))
    assert response.status_code == 302 and response["Location"] == page
    (offering,) = offerings()
    assert (offering.channel, offering.status, offering.maturity) == ("both", "live", 3)
    assert offering.receiving_authority == setting["office"]

    response = admin_client.post(page, offering_post(setting, status="retired", maturity="1"))
    assert response.status_code == 302
    (offering,) = offerings()
    assert (offering.status, offering.maturity) == ("retired", 1)
    assert audit_actions(setting["org"]) == ["catalog.offering.created", "catalog.offering.changed"]

    html = admin_client.get(page).content.decode()
    assert "Hundesteuer" in html and "eingestellt" in html  # the status, in German
    assert "Bürgerbüro" in html


def test_the_change_link_fills_the_form_with_the_offering(admin_client, setting):
    admin_client.post(url("offerings", setting["org"]), offering_post(setting))
    html = admin_client.get(url("offerings", setting["org"]), {"leistung": "hundesteuer"})
    html = html.content.decode()
    assert 'value="75 € im Jahr"' in html
    assert '<option value="hundesteuer" selected>' in html


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"maturity": "7"}, "maturity"),
        ({"receiving_authority": "foreign"}, "receiving_authority"),
        ({"service": "gibt-es-nicht"}, "service"),
        ({"online_url": "kein link"}, "online_url"),
    ],
)
def test_invalid_offering_is_shown_as_errors_and_nothing_is_saved(
    admin_client, setting, changes, field
):
    if changes.get("receiving_authority") == "foreign":
        changes = {"receiving_authority": str(setting["foreign"].pk)}
    response = admin_client.post(
        url("offerings", setting["org"]), offering_post(setting, **changes)
    )
    assert response.status_code == 200
    assert f'href="#id_{field}"' in error_summary(response)
    assert f'id="id_{field}_error"' in response.content.decode()
    assert offerings() == []
    assert audit_actions(setting["org"]) == []


def test_offering_form_offers_only_the_organisations_own_authorities(admin_client, setting):
    html = admin_client.get(url("offerings", setting["org"])).content.decode()
    assert f'<option value="{setting["office"].pk}">Bürgerbüro</option>' in html
    assert "Bürgerbüro Gießen" not in html


# Who may open the pages


PAGES = ["offerings", "responsibilities", "delegations"]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", [Role.CLERK, Role.MAYOR, Role.REVIEWER])
def test_other_staff_of_the_organisation_are_refused(client, setting, page, role):
    client.force_login(member(setting["org"], role))
    assert client.get(url(page, setting["org"])).status_code == 403


@pytest.mark.parametrize("page", PAGES)
def test_admin_of_another_organisation_finds_nothing_as_for_a_missing_one(client, setting, page):
    client.force_login(member(Organisation.objects.get(slug="giessen"), Role.MUNICIPAL_ADMIN))
    foreign = client.get(url(page, setting["org"]))
    missing = client.get(reverse(f"catalog_staff:{page}", kwargs={"slug": "gibt-es-nicht"}))
    assert foreign.status_code == missing.status_code == 404
    assert _main(foreign) == _main(missing)


def test_clerk_cannot_write_either(client, setting):
    client.force_login(member(setting["org"], Role.CLERK))
    response = client.post(url("offerings", setting["org"]), offering_post(setting))
    assert response.status_code == 403
    assert offerings() == []


def test_operator_manages_any_organisation(client, setting):
    client.force_login(member(Organisation.objects.get(slug="giessen"), Role.PLATFORM_OPERATOR))
    response = client.post(url("offerings", setting["org"]), offering_post(setting))
    assert response.status_code == 302
    assert len(offerings()) == 1


def test_csrf_token_is_required(setting):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member(setting["org"], Role.MUNICIPAL_ADMIN))
    page = url("offerings", setting["org"])
    assert client.post(page, offering_post(setting)).status_code == 403
    assert offerings() == []
    token = client.get(page).context["csrf_token"]
    response = client.post(page, {**offering_post(setting), "csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302
    assert len(offerings()) == 1


def test_dashboard_links_to_the_pages_only_where_the_user_may_manage(client, setting):
    admin = member(setting["org"], Role.MUNICIPAL_ADMIN)
    member(Organisation.objects.get(slug="giessen"), Role.CLERK, user=admin)
    client.force_login(admin)
    html = client.get(reverse("organisations:dashboard")).content.decode()
    assert url("offerings", setting["org"]) in html
    assert url("delegations", setting["org"]) in html
    assert "/verwaltung/giessen/leistungen/" not in html


# Responsibilities


def test_admin_adds_a_rule_for_its_own_gemeinde_and_deletes_it(admin_client, setting):
    page = url("responsibilities", setting["org"])
    form = admin_client.get(page).content.decode()
    assert f'<option value="{BUEDINGEN}" selected>Büdingen ({BUEDINGEN})</option>' in form
    response = admin_client.post(
        page,
        {"service": "hundesteuer", "area": BUEDINGEN, "authority": setting["office"].pk},
    )
    assert response.status_code == 302
    with scopes_disabled():
        rule = Responsibility.objects.get()
    assert (rule.area, rule.authority, rule.organisation) == (
        BUEDINGEN,
        setting["office"],
        setting["org"],
    )
    html = admin_client.get(page).content.decode()
    assert f"Büdingen ({BUEDINGEN})" in html and "Hundesteuer" in html

    response = admin_client.post(url("responsibility_delete", setting["org"], rule_id=rule.pk))
    assert response.status_code == 302 and response["Location"] == page
    with scopes_disabled():
        assert not Responsibility.objects.exists()
    assert audit_actions(setting["org"]) == [
        "catalog.responsibility.created",
        "catalog.responsibility.deleted",
    ]


def test_area_outside_the_own_region_is_rejected_with_a_message(admin_client, setting):
    response = admin_client.post(
        url("responsibilities", setting["org"]),
        {"service": "hundesteuer", "area": "06440", "authority": setting["office"].pk},
    )
    assert response.status_code == 200
    assert "innerhalb der Region Ihrer Organisation" in error_summary(response)
    with scopes_disabled():
        assert not Responsibility.objects.exists()
    assert audit_actions(setting["org"]) == []


def test_another_organisations_authority_cannot_be_named(admin_client, setting):
    response = admin_client.post(
        url("responsibilities", setting["org"]),
        {"service": "hundesteuer", "area": BUEDINGEN, "authority": setting["foreign"].pk},
    )
    assert response.status_code == 200
    assert 'href="#id_authority"' in error_summary(response)
    with scopes_disabled():
        assert not Responsibility.objects.exists()


def test_a_rule_of_another_organisation_cannot_be_taken_over(admin_client, setting):
    kreis = Organisation.objects.get(slug="wetteraukreis")
    with scopes_disabled():
        kreis_office = Authority.objects.create(organisation=kreis, name="Kreisverwaltung")
        Responsibility.objects.create(
            service=setting["service"], area=BUEDINGEN, authority=kreis_office, organisation=kreis
        )
    response = admin_client.post(
        url("responsibilities", setting["org"]),
        {"service": "hundesteuer", "area": BUEDINGEN, "authority": setting["office"].pk},
    )
    assert response.status_code == 200
    assert "eine andere Organisation" in error_summary(response)
    with scopes_disabled():
        assert Responsibility.objects.get().organisation == kreis


def test_a_kreis_chooses_its_whole_area_or_one_of_its_gemeinden(client, setting):
    kreis = Organisation.objects.get(slug="wetteraukreis")
    with scopes_disabled():
        office = Authority.objects.create(organisation=kreis, name="Kreisverwaltung")
    client.force_login(member(kreis, Role.MUNICIPAL_ADMIN))
    html = client.get(url("responsibilities", kreis)).content.decode()
    assert '<option value="06440" selected>Wetteraukreis, gesamter Kreis (06440)</option>' in html
    assert f'<option value="{BUEDINGEN}">Büdingen ({BUEDINGEN})</option>' in html
    assert "Gießen" not in html
    response = client.post(
        url("responsibilities", kreis),
        {"service": "hundesteuer", "area": "06440", "authority": office.pk},
    )
    assert response.status_code == 302
    assert "Wetteraukreis (06440)" in client.get(url("responsibilities", kreis)).content.decode()


def test_deleting_is_post_only_and_another_organisations_rule_is_not_found(admin_client, setting):
    giessen = Organisation.objects.get(slug="giessen")
    with scopes_disabled():
        rule = Responsibility.objects.create(
            service=setting["service"],
            area="065310005005",
            authority=setting["foreign"],
            organisation=giessen,
        )
    delete = url("responsibility_delete", setting["org"], rule_id=rule.pk)
    assert admin_client.get(delete).status_code == 405
    assert admin_client.post(delete).status_code == 404
    foreign = reverse(
        "catalog_staff:responsibility_delete", kwargs={"slug": "giessen", "rule_id": rule.pk}
    )
    assert admin_client.post(foreign).status_code == 404
    with scopes_disabled():
        assert Responsibility.objects.filter(pk=rule.pk).exists()


# Delegation agreements


def delegation_post(**changes) -> dict[str, str]:
    data = {
        "processing": "wetteraukreis",
        "scope": "service",
        "service": "99108001000000",
        "bundle": "",
        "valid_from": "2025-01-01",
        "valid_until": "",
    }
    return {**data, **changes}


def test_admin_delegates_one_service_to_the_kreis(admin_client, setting):
    page = url("delegations", setting["org"])
    response = admin_client.post(page, delegation_post())
    assert response.status_code == 302 and response["Location"] == page
    agreement = DelegationAgreement.objects.get()
    assert agreement.delegating == setting["org"]
    assert agreement.processing.slug == "wetteraukreis"
    assert (agreement.scope, agreement.scope_value) == ("service", "99108001000000")
    assert agreement.valid_from == datetime.date(2025, 1, 1) and agreement.valid_until is None
    assert audit_actions(setting["org"]) == ["organisations.delegation.created"]
    html = admin_client.get(page).content.decode()
    assert "Wetteraukreis" in html and "Hundesteuer (99108001000000)" in html


def test_agreements_the_organisation_takes_are_listed_too(client, setting):
    kreis = Organisation.objects.get(slug="wetteraukreis")
    delegation(setting["org"], kreis)
    client.force_login(member(kreis, Role.MUNICIPAL_ADMIN))
    html = client.get(url("delegations", kreis)).content.decode()
    taken = html[html.index('id="taken-title"') : html.index('id="delegation-form"')]
    assert "Stadt Büdingen" in taken and "alle Leistungen" in taken
    assert "beenden" not in taken.lower()  # only the delegating organisation ends it


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"processing": "buedingen"}, "Wählen Sie einen Eintrag aus der Liste."),
        ({"valid_until": "2024-12-31"}, "Die Vereinbarung muss nach ihrem Beginn enden."),
        ({"scope": "bundle", "service": ""}, "Geben Sie das Leistungsbündel oder die Leistung an"),
        ({"valid_from": "irgendwann"}, "Gültig ab"),
    ],
)
def test_invalid_delegation_is_shown_and_nothing_is_written(
    admin_client, setting, changes, message
):
    response = admin_client.post(url("delegations", setting["org"]), delegation_post(**changes))
    assert response.status_code == 200
    assert message in error_summary(response)
    assert not DelegationAgreement.objects.exists()
    assert audit_actions(setting["org"]) == []


def test_a_delegation_to_itself_is_refused_by_the_service(setting):
    """The form offers no way to choose oneself; the domain rule holds behind it anyway."""
    from amtshilfe.organisations import services
    from amtshilfe.organisations.errors import InvalidDelegation

    admin = member(setting["org"], Role.MUNICIPAL_ADMIN)
    with pytest.raises(InvalidDelegation):
        services.create_delegation(
            actor=admin,
            delegating=setting["org"],
            processing=setting["org"],
            scope="all",
            valid_from=TODAY,
        )


def test_admin_ends_an_agreement_and_it_is_audited(admin_client, setting):
    agreement = delegation(setting["org"], Organisation.objects.get(slug="wetteraukreis"))
    end = url("delegation_end", setting["org"], agreement_id=agreement.pk)
    form = admin_client.get(end)
    assert form.status_code == 200
    assert f'value="{TODAY.isoformat()}"' in form.content.decode()
    response = admin_client.post(end, {"valid_until": "2025-06-30"})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.valid_until == datetime.date(2025, 6, 30)
    with scopes_disabled():
        entry = AuditEntry.objects.get(action="organisations.delegation.ended")
    assert entry.changes == {"valid_until": [None, "2025-06-30"]}
    html = admin_client.get(url("delegations", setting["org"])).content.decode()
    assert "beendet" in html


@pytest.mark.parametrize(
    ("valid_until", "message"),
    [
        ("2019-12-31", "Die Vereinbarung muss nach ihrem Beginn enden."),
        ("2031-01-01", "kann nicht verlängert werden"),
    ],
)
def test_an_agreement_cannot_end_before_it_starts_nor_be_extended(
    admin_client, setting, valid_until, message
):
    agreement = delegation(
        setting["org"],
        Organisation.objects.get(slug="wetteraukreis"),
        end=datetime.date(2030, 12, 31),
    )
    end = url("delegation_end", setting["org"], agreement_id=agreement.pk)
    response = admin_client.post(end, {"valid_until": valid_until})
    assert response.status_code == 200
    assert message in error_summary(response)
    agreement.refresh_from_db()
    assert agreement.valid_until == datetime.date(2030, 12, 31)
    assert audit_actions(setting["org"]) == []


def test_only_the_delegating_organisation_ends_an_agreement(admin_client, setting):
    kreis = Organisation.objects.get(slug="wetteraukreis")
    taken = delegation(kreis, setting["org"])
    # Büdingen processes the Kreis's work: it may not end the Kreis's agreement.
    assert (
        admin_client.get(url("delegation_end", setting["org"], agreement_id=taken.pk)).status_code
        == 404
    )
    response = admin_client.post(
        reverse(
            "catalog_staff:delegation_end", kwargs={"slug": kreis.slug, "agreement_id": taken.pk}
        ),
        {"valid_until": "2025-06-30"},
    )
    assert response.status_code == 404
    taken.refresh_from_db()
    assert taken.valid_until is None


def _main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


@pytest.mark.parametrize("page", PAGES)
def test_pages_need_a_fixed_number_of_queries_however_many_rows(
    admin_client, setting, page, django_assert_max_num_queries
):
    org, office = setting["org"], setting["office"]
    for n in range(5):
        service = Service.objects.create(
            slug=f"leistung-{n}", name_de=f"Leistung {n}", leika_key=f"9920800100000{n}"
        )
        admin_client.post(url("offerings", org), offering_post(setting, service=service.slug))
        admin_client.post(
            url("responsibilities", org),
            {"service": service.slug, "area": BUEDINGEN, "authority": office.pk},
        )
        admin_client.post(
            url("delegations", org),
            delegation_post(service=service.leika_key, processing="wetteraukreis"),
        )
    with django_assert_max_num_queries(12):  # session, user, access, page: no query per row
        assert admin_client.get(url(page, org)).status_code == 200
