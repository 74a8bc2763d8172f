"""XZuFi import and export: what a Redaktion's message does to the catalogue, and back."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from django_scopes import scopes_disabled
from lxml import etree

from amtshilfe.catalog import content
from amtshilfe.catalog.errors import XzufiInvalid
from amtshilfe.catalog.models import ExternalId, Offering, OzgBundle, Responsibility, Service
from amtshilfe.catalog.search import search_services
from amtshilfe.catalog.xzufi import exporter, reader
from amtshilfe.catalog.xzufi.importer import import_xzufi
from amtshilfe.core.models import AuditEntry
from amtshilfe.organisations.models import Authority, Organisation

FIXTURES = Path(__file__).resolve().parent / "fixtures"
VALID = FIXTURES / "valid.xml"
TOP = "/xzufi.transfer.operation"
WOHNSITZ, HUNDESTEUER, GEWERBE = "99115005104000", "99102013002000", "99050012104000"
BUEDINGEN, WETTERAUKREIS = "064400004004", "064400000000"
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


def test_every_change_is_audited_without_an_actor(imported):
    entries = AuditEntry.objects.with_scopes_disabled().filter(action__startswith="catalog.import")
    assert entries.filter(action="catalog.import.service.created").count() == 3
    assert entries.filter(action="catalog.import.responsibility.deleted").count() == 1
    assert not entries.exclude(actor=None).exists()


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
