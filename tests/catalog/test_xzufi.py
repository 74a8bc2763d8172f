"""XZuFi import and export: what a Redaktion's message does to the catalogue, and back."""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import translation
from django_scopes import scopes_disabled
from lxml import etree

from amtshilfe.catalog import content
from amtshilfe.catalog.errors import XzufiInvalid
from amtshilfe.catalog.models import ExternalId, Offering, OzgBundle, Responsibility, Service
from amtshilfe.catalog.search import search_services
from amtshilfe.catalog.xzufi import exporter, importer, reader
from amtshilfe.catalog.xzufi.importer import import_xzufi
from amtshilfe.core.models import AuditEntry
from amtshilfe.organisations.models import Authority, Organisation

FIXTURES = Path(__file__).resolve().parent / "fixtures"
VALID = FIXTURES / "valid.xml"
TOP = "/xzufi.transfer.operation"
WOHNSITZ, HUNDESTEUER, GEWERBE = "99115005104000", "99102013002000", "99050012104000"
BUEDINGEN, WETTERAUKREIS, BUTZBACH = "064400004004", "064400000000", "064400005005"
MODELS = [Service, Responsibility, Offering, Authority, ExternalId, OzgBundle, AuditEntry]


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in their English source form (the product default is German)."""
    with translation.override("en"):
        yield


def dump() -> dict[str, list[dict]]:
    """Every row of every table an import may touch."""
    with scopes_disabled():
        return {m._meta.label: list(m.objects.order_by("pk").values()) for m in MODELS}


def organisation(ars: str) -> Organisation:
    return Organisation.objects.get(region__ars=ars)


def line_of(path: Path, text: str) -> int:
    """The number of the first line of a fixture that contains ``text``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path.name}")


def message(*entries: str) -> bytes:
    """A transfer message with these ``schreibe``/``loesche`` entries (unprefixed names)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<xzufi.transfer.operation xmlns="http://xoev.de/schemata/xzufi/2_2_0" '
        'xzufiVersion="2.2.0" produktbezeichnung="Test" produkthersteller="Test">\n'
        "<nachrichtenkopf><nachrichtID>t</nachrichtID>"
        "<erstellungszeitpunkt>2026-11-25T09:00:00Z</erstellungszeitpunkt></nachrichtenkopf>\n"
        + "\n".join(entries)
        + "\n</xzufi.transfer.operation>\n"
    ).encode()


def loesche(klasse: str, identifier: str) -> str:
    return f'<loesche klasse="{klasse}"><id schemeAgencyID="S06-TEST">{identifier}</id></loesche>'


def leistung(identifier: str, key: str, name: str) -> str:
    return (
        "<schreibe><leistung>"
        f'<id schemeAgencyID="S06-TEST">{identifier}</id>'
        f"<referenzLeiKa><code>{key}</code></referenzLeiKa>"
        "<modulText><leikaTextmodul><code>03</code></leikaTextmodul>"
        f'<inhalt languageCode="de">{name}</inhalt></modulText>'
        "</leistung></schreibe>"
    )


def organisationseinheit(identifier: str, name: str, ars: str) -> str:
    return (
        "<schreibe><organisationseinheit>"
        f'<id schemeAgencyID="S06-TEST">{identifier}</id>'
        f'<name><name><inhalt languageCode="de">{name}</inhalt></name></name>'
        "<anschrift><verwaltungspolitischeKodierung>"
        f"<regionalschluessel>{ars}</regionalschluessel>"
        "</verwaltungspolitischeKodierung></anschrift>"
        "</organisationseinheit></schreibe>"
    )


def onlinedienst(identifier: str, url: str) -> str:
    return (
        "<schreibe><onlinedienst>"
        f'<id schemeAgencyID="S06-TEST">{identifier}</id>'
        f'<bezeichnung><inhalt languageCode="de">{identifier}</inhalt></bezeichnung>'
        f"<link><typ><code>01</code></typ><link>{url}</link></link>"
        "</onlinedienst></schreibe>"
    )


def zustaendigkeit(identifier: str, oe: str, leistung: str, area: str, online: str = "") -> str:
    dienst = (
        f'<onlinedienstID schemeAgencyID="S06-TEST">{online}</onlinedienstID>' if online else ""
    )
    return (
        "<schreibe><zustaendigkeitTransferObjekt>"
        f'<uebergeordnetesObjektID schemeAgencyID="S06-TEST">{oe}</uebergeordnetesObjektID>'
        f'<zustaendigkeit><id schemeAgencyID="S06-TEST">{identifier}</id>'
        f'<leistungID schemeAgencyID="S06-TEST">{leistung}</leistungID>'
        f"<gebietID>{area}</gebietID>{dienst}</zustaendigkeit>"
        "</zustaendigkeitTransferObjekt></schreibe>"
    )


@pytest.fixture
def old_responsibility(hesse):
    """A Zuständigkeit Z-ALT from an earlier delivery, which valid.xml deletes."""
    service = Service.objects.create(slug="altlast", name_de="Altlast", leika_key="99000000000000")
    with scopes_disabled():
        authority = Authority.objects.create(organisation=organisation(BUEDINGEN), name="Altamt")
    return Responsibility.objects.create(
        service=service,
        area=BUEDINGEN,
        authority=authority,
        organisation=authority.organisation,
        scheme_agency="S06-TEST",
        external_id="Z-ALT",
    )


@pytest.fixture
def imported(old_responsibility):
    return import_xzufi(VALID)


# ------------------------------------------------------------------------- import


def test_a_valid_message_creates_services_with_their_texts_in_german_and_english(imported):
    wohnsitz = Service.objects.get(leika_key=WOHNSITZ)
    assert (wohnsitz.scheme_agency, wohnsitz.external_id) == ("S06-TEST", "L-1001")
    assert wohnsitz.name_de == "Wohnsitz anmelden"
    assert wohnsitz.name_en == "Register your address"
    assert wohnsitz.leika_name == "Wohnsitz Anmeldung"
    assert wohnsitz.short_text_en == "Register with the registration office after moving in."
    assert wohnsitz.legal_basis == "§ 17 Bundesmeldegesetz (BMG)"
    assert wohnsitz.required_documents_de == "Personalausweis; Wohnungsgeberbestätigung"
    assert wohnsitz.costs_en == "Registration is free of charge."
    assert wohnsitz.deadlines_de == "Innerhalb von zwei Wochen nach dem Einzug."
    assert (wohnsitz.synonyms, wohnsitz.keywords) == ("Ummeldung", "Umzug")
    assert (wohnsitz.typisierung, wohnsitz.trust_level) == ("2/3", "substanziell")
    assert "Verfahrensablauf" not in wohnsitz.full_text_de  # module 11 is not read
    hund = Service.objects.get(leika_key=HUNDESTEUER)
    assert hund.slug == "hund-anmelden-und-hundesteuer-zahlen"
    assert hund.hints_de.startswith("Die Steuermarke")
    assert (hund.processing_time_de, hund.processing_time_en) == (
        "etwa zwei Wochen",
        "about two weeks",
    )
    assert hund.typisierung == "4"
    assert Service.objects.get(leika_key=GEWERBE).costs_de == "20 bis 60 Euro, je nach Gemeinde."


def test_organisationseinheiten_become_authorities_of_the_organisation_of_their_ars(imported):
    with scopes_disabled():
        buergerbuero = Authority.objects.get(name="Bürgerbüro")
        gewerbe = Authority.objects.get(name="Fachdienst Gewerbe")
    assert buergerbuero.organisation == organisation(BUEDINGEN)
    assert (buergerbuero.street, buergerbuero.postcode, buergerbuero.city) == (
        "Am Marktplatz 1",
        "63654",
        "Büdingen",
    )
    assert buergerbuero.email == "buergerbuero@buedingen.example"
    assert gewerbe.organisation == organisation(WETTERAUKREIS)
    ids = ExternalId.objects.filter(klasse="Organisationseinheit")
    assert {(i.external_id, i.object_id) for i in ids} == {
        ("OE-BUEDINGEN-BB", buergerbuero.pk),
        ("OE-WETTERAU-GEWERBE", gewerbe.pk),
    }


def test_zustaendigkeiten_at_gemeinde_and_kreis_level_become_responsibilities(imported):
    rows = {
        (r.service.leika_key, r.area, r.authority.name, r.organisation.region.ars, r.external_id)
        for r in Responsibility.objects.select_related("service", "authority", "organisation")
    }
    assert rows == {
        (WOHNSITZ, BUEDINGEN, "Bürgerbüro", BUEDINGEN, "Z-2001"),
        (HUNDESTEUER, BUEDINGEN, "Bürgerbüro", BUEDINGEN, "Z-2002"),
        (GEWERBE, "06440", "Fachdienst Gewerbe", WETTERAUKREIS, "Z-2003"),
    }


def test_a_zustaendigkeit_with_an_onlinedienst_makes_a_live_online_offering(imported):
    with scopes_disabled():
        offering = Offering.objects.select_related("receiving_authority").get()
    assert offering.organisation == organisation(WETTERAUKREIS)
    assert offering.service.leika_key == GEWERBE
    assert (offering.channel, offering.status) == ("online", "live")
    assert offering.online_url == "https://gewerbe.wetteraukreis.example/anmelden"  # type 01
    assert offering.receiving_authority.name == "Fachdienst Gewerbe"
    dienst = ExternalId.objects.get(klasse="Onlinedienst")
    assert dienst.data["trust_level"] == "substanziell"


def test_loesche_deletes_the_zustaendigkeit_of_an_earlier_delivery(imported):
    assert not Responsibility.objects.filter(external_id="Z-ALT").exists()
    counts = imported.counts
    assert (counts["Leistung"].created, counts["Organisationseinheit"].created) == (3, 2)
    assert (counts["Onlinedienst"].created, counts["Zustaendigkeit"].created) == (1, 3)
    assert counts["Zustaendigkeit"].deleted == 1


def test_imported_services_are_found_by_the_search_and_deleted_ones_no_longer(imported):
    assert search_services("Hund anmelden")[0].slug == "hund-anmelden-und-hundesteuer-zahlen"
    assert search_services("Ummeldung")[0].slug == "wohnsitz-anmelden"  # its synonym

    import_xzufi(message(loesche("Leistung", "L-1002")))

    assert "hund-anmelden-und-hundesteuer-zahlen" not in {
        hit.slug for hit in search_services("Hund anmelden")
    }


def test_importing_the_same_message_twice_changes_nothing(imported):
    before = dump()

    second = import_xzufi(VALID)

    assert not second.changed
    assert {k: c.unchanged for k, c in second.counts.items()} == {
        "Leistung": 3,
        "Organisationseinheit": 2,
        "Onlinedienst": 1,
        "Zustaendigkeit": 4,  # three written and one already deleted
    }
    assert dump() == before


def audited(action: str) -> dict[str, list[list]]:
    """The objects the import's entries with this action list, by the ARS of the organisation."""
    entries = AuditEntry.objects.with_scopes_disabled().filter(action=action)
    found: dict[str, list[list]] = {}
    for entry in entries.select_related("organisation__region"):
        ars = entry.organisation.region.ars if entry.organisation else ""
        found.setdefault(ars, []).extend(entry.changes.values())
    return {ars: sorted(changes, key=str) for ars, changes in found.items()}


def test_every_change_is_audited_without_an_actor(imported):
    entries = AuditEntry.objects.with_scopes_disabled().filter(action__startswith="catalog.import")
    assert audited("catalog.import.service.created") == {
        "": [[None, "S06-TEST/L-1001"], [None, "S06-TEST/L-1002"], [None, "S06-TEST/L-1003"]]
    }
    assert audited("catalog.import.responsibility.deleted") == {
        BUEDINGEN: [["S06-TEST/Z-ALT", None]]
    }
    assert not entries.exclude(actor=None).exists()


def test_the_audit_trail_has_an_entry_per_action_and_organisation_not_per_object(imported):
    entries = AuditEntry.objects.with_scopes_disabled().filter(action__startswith="catalog.import")
    created = entries.get(action="catalog.import.service.created")  # one for all three
    assert (created.object_type, created.object_id) == ("catalog.service", "test-0001")
    assert set(created.changes) == {
        str(pk)
        for pk in Service.objects.filter(scheme_agency="S06-TEST").values_list("pk", flat=True)
    }
    assert audited("catalog.import.responsibility.created") == {
        BUEDINGEN: [[None, "S06-TEST/Z-2001"], [None, "S06-TEST/Z-2002"]],
        WETTERAUKREIS: [[None, "S06-TEST/Z-2003"]],
    }


def test_a_change_is_audited_with_the_values_before_and_after(imported):
    z2001 = Responsibility.objects.get(external_id="Z-2001")

    import_xzufi(message(zustaendigkeit("Z-2001", "OE-BUEDINGEN-BB", "L-1001", "06440")))

    entry = AuditEntry.objects.with_scopes_disabled().get(
        action="catalog.import.responsibility.changed"
    )
    assert entry.organisation == organisation(BUEDINGEN)
    assert entry.changes == {str(z2001.pk): [{"area": BUEDINGEN}, {"area": "06440"}]}


def test_a_curated_service_with_the_same_leika_key_is_taken_over_not_duplicated(
    old_responsibility,
):
    content.load_ozg_catalogue()
    content.load_services()
    curated = Service.objects.get(leika_key=WOHNSITZ)

    import_xzufi(VALID)

    service = Service.objects.get(leika_key=WOHNSITZ)
    assert service.pk == curated.pk
    assert service.slug == curated.slug  # the address stays
    assert (service.scheme_agency, service.external_id) == ("S06-TEST", "L-1001")
    assert service.ozg_bundle is not None  # XZuFi says nothing about it: kept


def test_a_dry_run_reports_the_changes_and_writes_nothing(old_responsibility):
    before = dump()

    summary = import_xzufi(VALID, dry_run=True)

    assert summary.dry_run and summary.counts["Leistung"].created == 3
    assert dump() == before


def test_deleting_a_leistung_removes_its_responsibilities_and_the_offering_made_for_it(imported):
    summary = import_xzufi(message(loesche("Leistung", "L-1003")))

    assert summary.counts["Leistung"].deleted == 1
    assert not Service.objects.filter(leika_key=GEWERBE).exists()
    assert not Responsibility.objects.filter(external_id="Z-2003").exists()
    with scopes_disabled():
        assert not Offering.objects.exists()
    assert not ExternalId.objects.filter(klasse="Angebot").exists()


def test_deleting_an_onlinedienst_ends_the_online_offering_but_not_the_responsibility(imported):
    import_xzufi(message(loesche("Onlinedienst", "OD-GEWERBE")))

    assert Responsibility.objects.filter(external_id="Z-2003").exists()
    with scopes_disabled():
        assert not Offering.objects.exists()
    assert not ExternalId.objects.filter(klasse__in=["Onlinedienst", "Angebot"]).exists()


def test_deleting_an_organisationseinheit_removes_the_authority_and_its_responsibilities(
    imported,
):
    import_xzufi(message(loesche("Organisationseinheit", "OE-BUEDINGEN-BB")))

    with scopes_disabled():
        assert not Authority.objects.filter(name="Bürgerbüro").exists()
    assert set(Responsibility.objects.values_list("external_id", flat=True)) == {"Z-2003"}
    assert not ExternalId.objects.filter(external_id="OE-BUEDINGEN-BB").exists()


def test_deleting_what_is_not_there_changes_nothing(hesse):
    summary = import_xzufi(message(loesche("Leistung", "L-NIE")))
    assert summary.counts["Leistung"].unchanged == 1
    assert not summary.changed


def test_two_zustaendigkeiten_may_swap_their_areas_in_one_message(imported):
    import_xzufi(message(zustaendigkeit("Z-2004", "OE-WETTERAU-GEWERBE", "L-1001", "06440")))
    swap = message(
        zustaendigkeit("Z-2001", "OE-BUEDINGEN-BB", "L-1001", "06440"),
        zustaendigkeit("Z-2004", "OE-WETTERAU-GEWERBE", "L-1001", BUEDINGEN),
    )

    summary = import_xzufi(swap)

    assert summary.counts["Zustaendigkeit"].updated == 2
    areas = dict(
        Responsibility.objects.filter(service__leika_key=WOHNSITZ).values_list(
            "external_id", "area"
        )
    )
    assert areas == {"Z-2001": "06440", "Z-2004": BUEDINGEN}


def test_a_new_link_of_an_onlinedienst_reaches_its_offering(imported):
    text = VALID.read_text(encoding="utf-8").replace(
        "https://gewerbe.wetteraukreis.example/anmelden",
        "https://neu.wetteraukreis.example/gewerbe",
    )

    summary = import_xzufi(text.encode())

    assert summary.counts["Onlinedienst"].updated == 1
    with scopes_disabled():
        assert Offering.objects.get().online_url == "https://neu.wetteraukreis.example/gewerbe"


def responsibility_of(external_id: str) -> tuple[str, str, str]:
    """(area, authority, ARS of the organisation) of the responsibility with this XZuFi id."""
    r = Responsibility.objects.select_related("authority", "organisation__region").get(
        external_id=external_id
    )
    return r.area, r.authority.name, r.organisation.region.ars


def test_a_zustaendigkeit_given_to_another_organisationseinheit_moves_to_its_organisation(
    imported,
):
    summary = import_xzufi(
        message(zustaendigkeit("Z-2001", "OE-WETTERAU-GEWERBE", "L-1001", BUEDINGEN))
    )

    assert summary.counts["Zustaendigkeit"].updated == 1
    assert responsibility_of("Z-2001") == (BUEDINGEN, "Fachdienst Gewerbe", WETTERAUKREIS)


def test_an_organisationseinheit_moved_to_another_region_takes_its_responsibilities_along(
    imported,
):
    summary = import_xzufi(message(organisationseinheit("OE-BUEDINGEN-BB", "Bürgerbüro", BUTZBACH)))

    assert summary.counts["Organisationseinheit"].updated == 1
    with scopes_disabled():
        assert Authority.objects.get(name="Bürgerbüro").organisation == organisation(BUTZBACH)
    assert responsibility_of("Z-2001") == (BUEDINGEN, "Bürgerbüro", BUTZBACH)
    assert responsibility_of("Z-2002") == (BUEDINGEN, "Bürgerbüro", BUTZBACH)


def test_a_zustaendigkeit_without_its_onlinedienst_removes_the_offering_the_import_made(imported):
    summary = import_xzufi(
        message(zustaendigkeit("Z-2003", "OE-WETTERAU-GEWERBE", "L-1003", "06440"))
    )

    assert summary.counts["Zustaendigkeit"].updated == 1
    with scopes_disabled():
        assert not Offering.objects.exists()
    assert not ExternalId.objects.filter(klasse="Angebot").exists()
    assert Responsibility.objects.filter(external_id="Z-2003").exists()


def test_an_offering_entered_by_hand_is_taken_over_and_outlives_its_onlinedienst(
    old_responsibility,
):
    gewerbe = Service.objects.create(slug="gewerbe", name_de="Gewerbe", leika_key=GEWERBE)
    with scopes_disabled():
        Offering.objects.create(
            organisation=organisation(WETTERAUKREIS),
            service=gewerbe,
            channel="in_person",
            status="planned",
        )

    import_xzufi(VALID)

    with scopes_disabled():
        offering = Offering.objects.get()
    assert (offering.service_id, offering.channel, offering.status) == (gewerbe.pk, "both", "live")
    assert offering.online_url == "https://gewerbe.wetteraukreis.example/anmelden"
    assert ExternalId.objects.get(klasse="Angebot").data["created"] is False

    import_xzufi(message(loesche("Onlinedienst", "OD-GEWERBE")))

    with scopes_disabled():
        assert Offering.objects.get().channel == "both"  # not the import's to take back
    assert not ExternalId.objects.filter(klasse="Angebot").exists()


def test_zustaendigkeiten_of_one_organisation_and_service_share_an_offering_the_first_decides(
    imported,
):
    summary = import_xzufi(
        message(
            onlinedienst("OD-ZWEI", "https://zwei.example/gewerbe"),
            zustaendigkeit("Z-2005", "OE-WETTERAU-GEWERBE", "L-1003", BUEDINGEN, "OD-ZWEI"),
            zustaendigkeit("Z-2003", "OE-WETTERAU-GEWERBE", "L-1003", "06440", "OD-GEWERBE"),
        )
    )

    zustaendigkeiten = summary.counts["Zustaendigkeit"]
    assert (zustaendigkeiten.created, zustaendigkeiten.unchanged) == (1, 1)
    with scopes_disabled():
        offering = Offering.objects.get()
    assert offering.online_url == "https://zwei.example/gewerbe"
    angebote = ExternalId.objects.filter(klasse="Angebot")
    assert {a.external_id: a.object_id for a in angebote} == {
        "Z-2003": offering.pk,
        "Z-2005": offering.pk,
    }

    import_xzufi(message(loesche("Zustaendigkeit", "Z-2003")))

    with scopes_disabled():
        assert Offering.objects.get().pk == offering.pk  # Z-2005 still uses it


def test_one_message_may_create_an_object_and_refer_to_it_across_batches(hesse, monkeypatch):
    monkeypatch.setattr(importer, "BATCH_SIZE", 1)

    summary = import_xzufi(
        message(
            leistung("L-1", "99000000000001", "Erste Leistung"),
            leistung("L-2", "99000000000002", "Zweite Leistung"),
            organisationseinheit("OE-1", "Bürgerbüro", BUEDINGEN),
            organisationseinheit("OE-2", "Ordnungsamt", BUTZBACH),
            onlinedienst("OD-1", "https://eins.example/antrag"),
            zustaendigkeit("Z-1", "OE-1", "L-1", BUEDINGEN, "OD-1"),
            zustaendigkeit("Z-2", "OE-1", "L-2", BUEDINGEN),
            zustaendigkeit("Z-3", "OE-2", "L-1", BUTZBACH, "OD-1"),
        )
    )

    assert {k: c.created for k, c in summary.counts.items()} == {
        "Leistung": 2,
        "Organisationseinheit": 2,
        "Onlinedienst": 1,
        "Zustaendigkeit": 3,
    }
    assert responsibility_of("Z-3") == (BUTZBACH, "Ordnungsamt", BUTZBACH)
    with scopes_disabled():
        online = set(Offering.objects.values_list("organisation__region__ars", "online_url"))
    assert online == {
        (BUEDINGEN, "https://eins.example/antrag"),
        (BUTZBACH, "https://eins.example/antrag"),
    }


def test_statistics_refreshed_within_the_import_change_nothing_of_its_result(
    old_responsibility, monkeypatch
):
    """On PostgreSQL a big import analyzes the tables it fills (here: every batch)."""
    monkeypatch.setattr(importer, "ANALYZE_FROM", 1)
    monkeypatch.setattr(importer, "BATCH_SIZE", 2)

    summary = import_xzufi(VALID)

    assert summary.counts["Zustaendigkeit"].created == 3
    assert len(content_of_catalogue()["responsibilities"]) == 3


#: A sequence of deliveries touching every rule the writer applies in file order.
DELIVERIES = [
    # new objects referred to in the same message; a new Zuständigkeit takes the area of one
    # that moves; an Onlinedienst's link changes; Z-2003 loses its Onlinedienst; a deletion
    message(
        leistung("L-1004", "99000000001004", "Baum fällen"),
        organisationseinheit("OE-BUTZBACH", "Ordnungsamt", BUTZBACH),
        onlinedienst("OD-GEWERBE", "https://neu.wetteraukreis.example/gewerbe"),
        onlinedienst("OD-BAUM", "https://butzbach.example/baum"),
        onlinedienst("OD-MELDE", "https://butzbach.example/melden"),
        zustaendigkeit("Z-2006", "OE-BUEDINGEN-BB", "L-1001", BUEDINGEN),
        zustaendigkeit("Z-2001", "OE-WETTERAU-GEWERBE", "L-1001", "06440"),
        zustaendigkeit("Z-2005", "OE-WETTERAU-GEWERBE", "L-1003", BUEDINGEN, "OD-GEWERBE"),
        zustaendigkeit("Z-2003", "OE-WETTERAU-GEWERBE", "L-1003", "06440"),  # Z-2005 keeps it
        zustaendigkeit("Z-2004", "OE-BUTZBACH", "L-1004", BUTZBACH, "OD-BAUM"),
        zustaendigkeit("Z-2007", "OE-BUTZBACH", "L-1003", BUTZBACH, "OD-GEWERBE"),
        zustaendigkeit("Z-2008", "OE-BUTZBACH", "L-1001", BUTZBACH, "OD-MELDE"),
        zustaendigkeit("Z-2009", "OE-BUTZBACH", "L-1004", "064400005", "OD-MELDE"),
        loesche("Zustaendigkeit", "Z-2002"),
    ),
    # the same again: nothing changes
    None,
    # deletions of every kind, and one of something that is not there
    message(
        loesche("Onlinedienst", "OD-MELDE"),
        loesche("Leistung", "L-1002"),
        loesche("Organisationseinheit", "OE-BUEDINGEN-BB"),
        loesche("Zustaendigkeit", "Z-2004"),
        loesche("Zustaendigkeit", "Z-2004"),
        loesche("Zustaendigkeit", "Z-NIE"),
    ),
]


def catalogue_state() -> dict[str, object]:
    """The catalogue by natural keys (primary keys differ from one run to the next)."""
    with scopes_disabled():
        offerings = {
            o.pk: (o.organisation.slug, o.service.leika_key)
            for o in Offering.objects.select_related("organisation", "service")
        }
        authorities = dict(Authority.objects.values_list("pk", "name"))
        entries = AuditEntry.objects.filter(action__startswith="catalog.import")
        audited: Counter[tuple[str, str]] = Counter()
        for entry in entries.select_related("organisation"):
            slug = entry.organisation.slug if entry.organisation else ""
            audited[(entry.action, slug)] += len(entry.changes)
        return {
            **content_of_catalogue(),
            "all responsibilities": set(
                Responsibility.objects.values_list(
                    "external_id", "service__leika_key", "area", "authority__name"
                )
            ),
            "offerings": set(
                Offering.objects.values_list(
                    "organisation__slug",
                    "service__leika_key",
                    "channel",
                    "status",
                    "online_url",
                    "receiving_authority__name",
                )
            ),
            "angebote": {
                (a.external_id, offerings.get(a.object_id), json.dumps(a.data, sort_keys=True))
                for a in ExternalId.objects.filter(klasse="Angebot")
            },
            "units": {
                (u.external_id, authorities.get(u.object_id))
                for u in ExternalId.objects.filter(klasse="Organisationseinheit")
            },
            "dienste": {
                (d.external_id, json.dumps(d.data, sort_keys=True))
                for d in ExternalId.objects.filter(klasse="Onlinedienst")
            },
            "audited objects": audited,
        }


def deliver_all() -> tuple[list[dict[str, tuple[int, int, int, int]]], dict[str, object]]:
    """Import VALID and the DELIVERIES; the counts of each import and the state at the end."""
    counts = []
    messages = [VALID.read_bytes(), *DELIVERIES]
    for number, data in enumerate(messages):
        summary = import_xzufi(data if data is not None else messages[number - 1])
        counts.append(
            {
                klasse: (c.created, c.updated, c.deleted, c.unchanged)
                for klasse, c in summary.counts.items()
            }
        )
    return counts, catalogue_state()


@pytest.mark.parametrize("size", [1, 2, 3])
def test_the_result_does_not_depend_on_the_batch_size(size, old_responsibility, monkeypatch):
    with transaction.atomic():  # in one go first, then rolled back
        expected = deliver_all()
        transaction.set_rollback(True)
    monkeypatch.setattr(importer, "BATCH_SIZE", size)
    monkeypatch.setattr(importer, "AUDIT_CHUNK", size)

    counts, state = deliver_all()

    assert (counts, state) == expected
    assert counts[2] == {  # the first delivery again
        "Leistung": (0, 0, 0, 1),
        "Organisationseinheit": (0, 0, 0, 1),
        "Onlinedienst": (0, 0, 0, 3),
        "Zustaendigkeit": (0, 0, 0, 9),
    }
    assert counts[3]["Zustaendigkeit"] == (0, 0, 1, 2)
    responsibilities = state["all responsibilities"]
    assert ("Z-2001", WOHNSITZ, "06440", "Fachdienst Gewerbe") in responsibilities
    assert ("Z-2006", WOHNSITZ, BUEDINGEN, "Bürgerbüro") not in responsibilities  # OE deleted
    # Butzbach's offerings for Z-2008 and Z-2004/Z-2009 went with OD-MELDE and Z-2004; the
    # Wetteraukreis keeps the one Z-2003 made, as Z-2005 uses it now
    assert len(state["offerings"]) == 2
    assert {(o[1], o[4]) for o in state["offerings"]} == {
        (GEWERBE, "https://neu.wetteraukreis.example/gewerbe"),
    }


# ----------------------------------------------------------------- rejected messages


def bad_key_line() -> int:
    return line_of(FIXTURES / "invalid-leika-key.xml", "9910201300200")


def first_non_ascii_line() -> int:
    data = (FIXTURES / "wrong-encoding.xml").read_bytes()
    return data[: next(i for i, b in enumerate(data) if b > 127)].count(b"\n") + 1


REJECTED = {
    "invalid-leika-key.xml": lambda: [
        f"Line {bad_key_line()}, {TOP}/schreibe[2]/leistung/referenzLeiKa/code: "
        "Element 'code': [facet 'pattern'] The value '9910201300200' is not accepted"
    ],
    "invalid-schema.xml": lambda: [
        f"Line {line_of(FIXTURES / 'invalid-schema.xml', '<xzufi:referenzLeiKa>')}, "
        f"{TOP}/schreibe[1]/leistung/referenzLeiKa: Element 'referenzLeiKa': This element is "
        "not expected. Expected is ( id ).",
        f"Line {line_of(FIXTURES / 'invalid-schema.xml', 'preis')}, "
        f"{TOP}/schreibe[2]/onlinedienst/preis: Element 'preis': This element is not expected.",
        f"Line {line_of(FIXTURES / 'invalid-schema.xml', '0644<')}, "
        f"{TOP}/schreibe[3]/zustaendigkeitTransferObjekt/zustaendigkeit/gebietID:",
        f"Line {line_of(FIXTURES / 'invalid-schema.xml', 'Formular')}, {TOP}/loesche: "
        "Element 'loesche', attribute 'klasse': [facet 'enumeration'] The value 'Formular'",
    ],
    "unknown-reference.xml": lambda: [
        f"Line {line_of(FIXTURES / 'unknown-reference.xml', '064400004999')}, "
        f"{TOP}/schreibe[2]/organisationseinheit/anschrift/verwaltungspolitischeKodierung/"
        "regionalschluessel: There is no region with the ARS 064400004999.",
        f"Line {line_of(FIXTURES / 'unknown-reference.xml', 'OE-UNBEKANNT')}, "
        f"{TOP}/schreibe[3]/zustaendigkeitTransferObjekt/uebergeordnetesObjektID: There is no "
        "Organisationseinheit S06-TEST/OE-UNBEKANNT, neither in this message nor in the catalogue.",
        f"Line {line_of(FIXTURES / 'unknown-reference.xml', 'L-9999')}, "
        f"{TOP}/schreibe[3]/zustaendigkeitTransferObjekt/zustaendigkeit/leistungID: There is no "
        "Leistung S06-TEST/L-9999, neither in this message nor in the catalogue.",
        f"Line {line_of(FIXTURES / 'unknown-reference.xml', '09162')}, "
        f"{TOP}/schreibe[3]/zustaendigkeitTransferObjekt/zustaendigkeit/gebietID: There is no "
        "region with the ARS 09162.",
    ],
    "not-well-formed.xml": lambda: [
        f"Line {line_of(FIXTURES / 'not-well-formed.xml', '</xzufi:leistungen>')}: "
        "Opening and ending tag mismatch: leistung"
    ],
    "wrong-encoding.xml": lambda: [
        f"Line {first_non_ascii_line()}: The file is not UTF-8: byte 0x"
    ],
    "doctype-entities.xml": lambda: ["Line 2: A DOCTYPE is not allowed."],
}


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_a_faulty_message_is_rejected_with_line_and_path_and_changes_nothing(name, imported):
    before = dump()

    with pytest.raises(XzufiInvalid) as caught:
        import_xzufi(FIXTURES / name)

    report = str(caught.value)
    assert report.startswith("The XZuFi message is not valid. Nothing was imported.")
    for expected in REJECTED[name]():
        assert expected in report, report
    assert dump() == before


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_a_faulty_message_is_rejected_alike_when_it_is_read_in_small_pieces(
    name, hesse, monkeypatch
):
    monkeypatch.setattr(reader, "_CHUNK", 7)  # prolog, encoding check: many pieces

    with pytest.raises(XzufiInvalid) as caught:
        import_xzufi(FIXTURES / name)

    for expected in REJECTED[name]():
        assert expected in str(caught.value), str(caught.value)


def located(message: reader.Message) -> list[tuple[object, reader.Where]]:
    """Every object of a message with where it stands (``where`` is not compared by ==)."""
    objects = [
        *message.leistungen,
        *message.organisationseinheiten,
        *message.onlinedienste,
        *message.zustaendigkeiten,
        *message.loeschungen,
    ]
    return [(obj, obj.where) for obj in objects]


@pytest.mark.parametrize(
    "data",
    [
        VALID.read_bytes(),
        message(
            zustaendigkeit("Z-1", "OE-1", "L-1", BUEDINGEN, "OD-1"),
            loesche("Leistung", "L-2"),
        ),
    ],
    ids=["valid.xml", "one of each"],
)
def test_a_message_read_as_a_stream_gives_what_the_whole_tree_gives(data):
    streamed = reader.read(data)

    whole = reader._message(reader.parse(data).getroot())

    assert streamed == whole
    assert located(streamed) == located(whole)


def test_where_an_object_stands_has_no_position_without_siblings_of_the_same_name():
    data = message(zustaendigkeit("Z-1", "OE-1", "L-1", BUEDINGEN), loesche("Leistung", "L-2"))

    read = reader.read(data)

    item = f"{TOP}/schreibe/zustaendigkeitTransferObjekt/zustaendigkeit"
    where = read.zustaendigkeiten[0].where
    assert (where.path, where.of("gebietID").path, where.of("gebietID").line) == (
        item,
        f"{item}/gebietID",
        4,
    )
    assert where.of("uebergeordnetesObjektID").path == (
        f"{TOP}/schreibe/zustaendigkeitTransferObjekt/uebergeordnetesObjektID"
    )
    assert read.loeschungen[0].where.of("id").path == f"{TOP}/loesche/id"


def test_an_id_written_twice_in_one_message_is_rejected_by_the_schema(hesse):
    data = message(
        onlinedienst("OD-1", "https://eins.example/antrag"),
        onlinedienst("OD-1", "https://zwei.example/antrag"),
    )

    with pytest.raises(XzufiInvalid) as caught:
        import_xzufi(data)

    assert (
        f"Line 5, {TOP}/schreibe[2]/onlinedienst/id: Element 'id': Duplicate key-sequence "
        "['S06-TEST', 'OD-1'] in unique identity-constraint 'onlinedienstEinmal'."
    ) in str(caught.value)


def test_a_message_declared_in_another_encoding_is_rejected(hesse):
    data = VALID.read_bytes().replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"', 1)
    with pytest.raises(XzufiInvalid, match="Line 1: The file is not UTF-8: ISO-8859-1"):
        import_xzufi(data)


def test_the_parser_never_expands_entities_nor_reads_files():
    data = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;"><!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b"<r>&lol2;&xxe;</r>"
    )
    text = etree.tostring(etree.fromstring(data, reader.safe_parser()), encoding="unicode")
    assert "lollol" not in text
    assert "root:" not in text


def test_an_object_written_and_deleted_in_one_message_is_rejected(hesse):
    text = VALID.read_text(encoding="utf-8").replace(
        "</xzufi:xzufi.transfer.operation>",
        '<xzufi:loesche klasse="Leistung"><xzufi:id schemeAgencyID="S06-TEST">L-1003'
        "</xzufi:id></xzufi:loesche></xzufi:xzufi.transfer.operation>",
    )
    with pytest.raises(XzufiInvalid) as caught:
        import_xzufi(text.encode())
    report = str(caught.value)
    assert "Leistung S06-TEST/L-1003 is both written and deleted in this message." in report
    assert "Leistung S06-TEST/L-1003 is deleted in this message." in report  # Z-2003 uses it


def test_a_leika_key_of_another_redaktions_service_is_rejected(imported):
    text = VALID.read_text(encoding="utf-8").replace(
        'schemeAgencyID="S06-TEST">L-1002<', 'schemeAgencyID="ANDERE">L-1002<', 1
    )
    with pytest.raises(XzufiInvalid) as caught:
        import_xzufi(text.encode())
    line = line_of(VALID, "99102013002000")
    assert (
        f"Line {line}, {TOP}/schreibe[2]/leistung/referenzLeiKa/code: The LeiKa key "
        "99102013002000 already belongs to the service “Hund anmelden und Hundesteuer zahlen” "
        "(S06-TEST/L-1002)."
    ) in str(caught.value)


def test_an_organisationseinheit_in_a_region_without_an_organisation_is_rejected(hesse):
    text = VALID.read_text(encoding="utf-8").replace(WETTERAUKREIS, "064000000000")
    with pytest.raises(
        XzufiInvalid, match="No organisation on this platform belongs to the region"
    ):
        import_xzufi(text.encode())


def test_an_unknown_typisierung_is_left_empty_with_a_warning(hesse):
    text = VALID.read_text(encoding="utf-8").replace(
        "<xzufi:code>4</xzufi:code>", "<xzufi:code>2/3/4</xzufi:code>"
    )
    text = text.replace("<xzufi:loesche", "<!--", 1).replace("</xzufi:loesche>", "-->", 1)

    summary = import_xzufi(text.encode())

    assert Service.objects.get(leika_key=HUNDESTEUER).typisierung == ""
    assert [str(w) for w in summary.warnings] == [
        f"Line {line_of(VALID, '<xzufi:code>4<')}, {TOP}/schreibe[2]/leistung/typisierung/code: "
        "Typisierung 2/3/4 is not one amtshilfe knows; it is left empty."
    ]


# -------------------------------------------------------------------------- export


@pytest.fixture
def catalogue(old_responsibility):
    """Curated content, the imported message and a responsibility entered by hand."""
    content.load_ozg_catalogue()
    content.load_services()
    import_xzufi(VALID)
    gewerbe = Service.objects.get(leika_key=GEWERBE)
    with scopes_disabled():
        ordnungsamt = Authority.objects.create(
            organisation=organisation("064400005005"),  # Butzbach
            name="Ordnungsamt",
            street="Marktplatz 1",
            postcode="35510",
            city="Butzbach",
        )
        Offering.objects.create(
            organisation=ordnungsamt.organisation,
            service=gewerbe,
            channel="both",
            status="live",
            online_url="https://butzbach.example/gewerbe",
        )
    Responsibility.objects.create(
        service=gewerbe,
        area="064400005005",
        authority=ordnungsamt,
        organisation_id=ordnungsamt.organisation_id,
    )


def test_the_xml_export_validates_against_the_schema(catalogue):
    data = exporter.export_xml()

    tree = etree.fromstring(data, reader.safe_parser()).getroottree()
    assert reader.schema().validate(tree), reader.schema().error_log
    message = reader.read(data)
    ids = {str(leistung.ref) for leistung in message.leistungen}
    assert {"S06-TEST/L-1001", "S06-TEST/L-1002", "S06-TEST/L-1003"} <= ids  # kept
    assert {z.ref.id for z in message.zustaendigkeiten if z.ref.agency == "amtshilfe"} == {
        f"zustaendigkeit-{Responsibility.objects.get(area='064400005005').pk}"
    }
    assert str(message.onlinedienste[0].ref) == "S06-TEST/OD-GEWERBE"


def test_the_ids_of_the_export_are_stable(catalogue):
    first, second = exporter.collect(), exporter.collect()
    assert first == second


def content_of_catalogue() -> dict[str, set]:
    with scopes_disabled():
        return {
            "services": set(
                Service.objects.values_list(
                    "leika_key",
                    "name_de",
                    "name_en",
                    "short_text_de",
                    "costs_de",
                    "costs_en",
                    "legal_basis",
                    "synonyms",
                    "keywords",
                    "typisierung",
                    "trust_level",
                )
            ),
            "responsibilities": set(
                Responsibility.objects.values_list(
                    "service__name_de", "area", "authority__name", "organisation__slug"
                )
            ),
            "online": set(
                Offering.objects.filter(channel__in=["online", "both"]).values_list(
                    "organisation__slug", "service__name_de", "online_url"
                )
            ),
            "authorities": set(
                Authority.objects.filter(responsibilities__isnull=False).values_list(
                    "organisation__slug", "name", "street", "postcode", "city", "email", "phone"
                )
            ),
        }


def test_export_and_import_into_an_empty_catalogue_give_the_same_catalogue(catalogue):
    before = content_of_catalogue()
    data = exporter.export_xml()
    with scopes_disabled():
        Service.objects.all().delete()
        Authority.objects.all().delete()
    ExternalId.objects.all().delete()

    import_xzufi(data)

    assert content_of_catalogue() == before
    assert not import_xzufi(exporter.export_xml()).changed  # and it is stable from then on


def test_the_json_export_has_the_same_objects_as_the_xml(catalogue):
    data = json.loads(exporter.export_json())

    assert (data["format"], data["version"]) == ("amtshilfe-catalog", 1)
    message = reader.read(exporter.export_xml())
    assert [x["ref"]["id"] for x in data["leistungen"]] == [x.ref.id for x in message.leistungen]
    assert len(data["zustaendigkeiten"]) == len(message.zustaendigkeiten) == 4
    wohnsitz = next(x for x in data["leistungen"] if x["leika_keys"] == [WOHNSITZ])
    assert wohnsitz["ref"] == {"schemeAgencyID": "S06-TEST", "id": "L-1001"}
    assert wohnsitz["texts"]["name"] == {"de": "Wohnsitz anmelden", "en": "Register your address"}
    gewerbe = next(z for z in data["zustaendigkeiten"] if z["ref"]["id"] == "Z-2003")
    assert gewerbe["onlinedienst"] == {"schemeAgencyID": "S06-TEST", "id": "OD-GEWERBE"}


# ------------------------------------------------------------------------ commands


def test_import_command_prints_a_one_line_summary(old_responsibility):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_xzufi", str(VALID), stdout=out, stderr=err)
    assert out.getvalue().count("\n") == 1
    assert "Leistung: 3 neu/new" in out.getvalue()


def test_import_command_dry_run_says_so(old_responsibility):
    out = io.StringIO()
    call_command("import_xzufi", str(VALID), "--dry-run", stdout=out, stderr=io.StringIO())
    assert "dry run, nothing saved" in out.getvalue()
    assert not Service.objects.exists() or not Service.objects.filter(external_id="L-1001").exists()


def test_import_command_names_line_and_path_of_each_problem(hesse):
    with pytest.raises(CommandError, match=r"/schreibe\[2\]/leistung/referenzLeiKa/code"):
        call_command("import_xzufi", str(FIXTURES / "invalid-leika-key.xml"), stderr=io.StringIO())


@pytest.mark.parametrize("form", ["xml", "json"])
def test_export_command_writes_the_file(form, imported, tmp_path):
    target = tmp_path / f"katalog.{form}"
    call_command("export_catalog", "--format", form, "--output", str(target), stderr=io.StringIO())
    data = target.read_bytes()
    if form == "xml":
        reader.read(data)
    else:
        assert json.loads(data)["format"] == "amtshilfe-catalog"


def test_export_command_writes_to_standard_output(imported):
    out = io.StringIO()
    call_command("export_catalog", "--format", "json", stdout=out)
    assert json.loads(out.getvalue())["leistungen"]
