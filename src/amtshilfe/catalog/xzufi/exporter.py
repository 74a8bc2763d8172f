"""Exporting the catalogue: as an XZuFi-style transfer message (XML) and as JSON.

Both formats are built from the same objects (:mod:`reader`'s dataclasses). Ids are stable:
an object that came in through XZuFi keeps its Redaktion's id; an object created on this
platform gets an id issued by ``amtshilfe`` from its primary key (``leistung-12``).
The XML validates against ``schema/xzufi-amtshilfe.xsd``; the JSON structure is described
in ``schema/README.md``.
"""

from __future__ import annotations

import datetime
import json
import re
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils import timezone
from lxml import etree

import amtshilfe
from amtshilfe.catalog.models import ExternalId, Offering, Responsibility, Service
from amtshilfe.catalog.xzufi.reader import (
    APPLICATION_LINK,
    DESCRIPTION_MODULES,
    NS,
    OWN_AGENCY,
    ROOT,
    TEXT_MODULES,
    Leistung,
    Link,
    Onlinedienst,
    Organisationseinheit,
    Ref,
    Text,
    Zustaendigkeit,
    schema,
)
from amtshilfe.core import access
from amtshilfe.organisations.models import Authority

JSON_FORMAT = "amtshilfe-catalog"
JSON_VERSION = 1
PRODUCT = "amtshilfe"
VENDOR = "amtshilfe (EUPL-1.2)"
#: "Am Marktplatz 1", "Hauptstraße 12a", "Lindenweg 3-5": street and house number
_STREET_AND_NUMBER = re.compile(
    r"^(?P<street>.*\S)\s+(?P<number>\d+\s?[a-zA-Z]?(?:\s?[-/]\s?\d+\s?[a-zA-Z]?)?)$"
)
_POSTCODE = re.compile(r"\d{5}")


@dataclass
class Catalogue:
    """The exported objects, in a stable order."""

    leistungen: list[Leistung] = field(default_factory=list)
    organisationseinheiten: list[Organisationseinheit] = field(default_factory=list)
    onlinedienste: list[Onlinedienst] = field(default_factory=list)
    zustaendigkeiten: list[Zustaendigkeit] = field(default_factory=list)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _languages(de: str, en: str = "") -> Text:
    return {language: text for language, text in (("de", de), ("en", en)) if text}


def service_ref(service: Service) -> Ref:
    if service.external_id:
        return Ref(service.scheme_agency or OWN_AGENCY, service.external_id)
    return Ref(OWN_AGENCY, f"leistung-{service.pk}")


def leistung_of(service: Service) -> Leistung:
    """A service as an XZuFi Leistung."""
    texts: dict[str, Text] = {
        "leika_name": _languages(service.leika_name),
        "legal_basis": _languages(service.legal_basis),
    }
    for name in ("name", "short_text", "full_text", "required_documents", "prerequisites"):
        texts[name] = _languages(getattr(service, f"{name}_de"), getattr(service, f"{name}_en"))
    for name in ("hints", *DESCRIPTION_MODULES.values()):
        texts[name] = _languages(getattr(service, f"{name}_de"), getattr(service, f"{name}_en"))
    return Leistung(
        ref=service_ref(service),
        leika_keys=[service.leika_key] if service.leika_key else [],
        texts={name: text for name, text in texts.items() if text},
        synonyms=_lines(service.synonyms),
        keywords=_lines(service.keywords),
        typisierung=service.typisierung,
        trust_level=service.trust_level,
    )


def organisationseinheit_of(authority: Authority, ref: Ref) -> Organisationseinheit | None:
    """An authority as an Organisationseinheit; None if its organisation has no region."""
    region = authority.organisation.region
    if region is None:
        return None
    match = _STREET_AND_NUMBER.match(authority.street)
    street, number = (match["street"], match["number"]) if match else (authority.street, "")
    postcode = authority.postcode if _POSTCODE.fullmatch(authority.postcode) else ""
    return Organisationseinheit(
        ref=ref,
        name={"de": authority.name},
        ars=region.ars,
        street=street,
        house_number=number,
        postcode=postcode,
        city=authority.city,
        phone=authority.phone,
        email=authority.email,
    )


def collect() -> Catalogue:
    """Read the catalogue: services, responsibilities, their authorities, online offerings."""
    catalogue = Catalogue()
    with access.system_scope():
        services = list(Service.objects.order_by("pk"))
        responsibilities = list(
            Responsibility.objects.select_related("authority__organisation__region").order_by("pk")
        )
        offerings = list(
            Offering.objects.filter(
                channel__in=[Offering.Channel.ONLINE, Offering.Channel.BOTH],
                status__in=[Offering.Status.LIVE, Offering.Status.PILOT],
            )
            .exclude(online_url="")
            .order_by("pk")
        )
        mappings = list(ExternalId.objects.all())
    refs = {s.pk: service_ref(s) for s in services}
    catalogue.leistungen = [leistung_of(s) for s in services]
    units = _organisationseinheiten(responsibilities, mappings, catalogue)
    online = _onlinedienste(offerings, {s.pk: s for s in services}, mappings, catalogue)
    for responsibility in responsibilities:
        unit = units.get(responsibility.authority_id)
        if unit is None:
            continue
        ref = (
            Ref(responsibility.scheme_agency or OWN_AGENCY, responsibility.external_id)
            if responsibility.external_id
            else Ref(OWN_AGENCY, f"zustaendigkeit-{responsibility.pk}")
        )
        catalogue.zustaendigkeiten.append(
            Zustaendigkeit(
                ref=ref,
                authority=unit,
                leistung=refs[responsibility.service_id],
                area=responsibility.area,
                onlinedienst=online.get(
                    (responsibility.organisation_id, responsibility.service_id)
                ),
            )
        )
    return catalogue


def _organisationseinheiten(
    responsibilities: list[Responsibility], mappings: list[ExternalId], catalogue: Catalogue
) -> dict[int, Ref]:
    """Authority id → its Organisationseinheit id, for authorities with responsibilities."""
    known = {
        m.object_id: Ref(m.scheme_agency, m.external_id)
        for m in mappings
        if m.klasse == ExternalId.Klasse.ORGANISATIONSEINHEIT
    }
    units: dict[int, Ref] = {}
    seen: set[int] = set()
    for responsibility in responsibilities:
        authority = responsibility.authority
        if authority.pk in seen:
            continue
        seen.add(authority.pk)
        ref = known.get(authority.pk) or Ref(OWN_AGENCY, f"organisationseinheit-{authority.pk}")
        unit = organisationseinheit_of(authority, ref)
        if unit is not None:  # an organisation without a region has no ARS to export
            units[authority.pk] = ref
            catalogue.organisationseinheiten.append(unit)
    return units


def _onlinedienste(
    offerings: list[Offering],
    services: dict[int, Service],
    mappings: list[ExternalId],
    catalogue: Catalogue,
) -> dict[tuple[int, int], Ref]:
    """(organisation id, service id) → the Onlinedienst of its online offering."""
    dienste = {
        Ref(m.scheme_agency, m.external_id): m.data
        for m in mappings
        if m.klasse == ExternalId.Klasse.ONLINEDIENST
    }
    imported: dict[int, Ref] = {}
    for m in sorted(mappings, key=lambda m: (m.scheme_agency, m.external_id)):
        if m.klasse == ExternalId.Klasse.ANGEBOT and m.object_id is not None:
            agency, identifier = m.data.get("onlinedienst", ["", ""])
            if Ref(agency, identifier) in dienste:
                imported.setdefault(m.object_id, Ref(agency, identifier))
    online: dict[tuple[int, int], Ref] = {}
    written: set[Ref] = set()
    for offering in offerings:
        service = services[offering.service_id]
        ref = imported.get(offering.pk) or Ref(OWN_AGENCY, f"onlinedienst-{offering.pk}")
        online[(offering.organisation_id, offering.service_id)] = ref
        if ref in written:
            continue
        written.add(ref)
        data = dienste.get(ref, {})
        catalogue.onlinedienste.append(
            Onlinedienst(
                ref=ref,
                name=data.get("name") or _languages(service.name_de, service.name_en),
                links=[Link(type=APPLICATION_LINK, url=data.get("url") or offering.online_url)],
                trust_level=data.get("trust_level") or service.trust_level,
            )
        )
    return online


# ------------------------------------------------------------------------------ XML


class _Builder:
    def __init__(self) -> None:
        self.nsmap = {"xzufi": NS}

    def el(self, parent: etree._Element | None, name: str, text: str = "", **attrs: str) -> Any:
        tag = f"{{{NS}}}{name}"
        element = (
            etree.Element(tag, nsmap=self.nsmap)
            if parent is None
            else etree.SubElement(parent, tag)
        )
        for key, value in attrs.items():
            element.set(key, value)
        if text:
            element.text = text
        return element

    def ref(self, parent: etree._Element, name: str, ref: Ref) -> None:
        self.el(parent, name, ref.id, schemeAgencyID=ref.agency)

    def texts(self, parent: etree._Element, name: str, text: Text) -> None:
        holder = self.el(parent, name)
        for language in sorted(text):
            self.el(holder, "inhalt", text[language], languageCode=language)

    def code(self, parent: etree._Element, name: str, code: str) -> None:
        self.el(self.el(parent, name), "code", code)


def to_xml(
    catalogue: Catalogue, *, now: datetime.datetime | None = None, message_id: str = ""
) -> etree._ElementTree:
    """The catalogue as a transfer message of ``schreibe`` entries."""
    b = _Builder()
    root = b.el(
        None,
        ROOT,
        xzufiVersion="2.2.0",
        produktbezeichnung=PRODUCT,
        produkthersteller=f"{VENDOR} {amtshilfe.__version__}",
    )
    head = b.el(root, "nachrichtenkopf")
    b.el(head, "nachrichtID", message_id or str(uuid.uuid4()))
    b.el(head, "erstellungszeitpunkt", (now or timezone.now()).isoformat(timespec="seconds"))
    b.el(head, "absender", PRODUCT)
    for leistung in catalogue.leistungen:
        _leistung(b, b.el(b.el(root, "schreibe"), "leistung"), leistung)
    for unit in catalogue.organisationseinheiten:
        _organisationseinheit(b, b.el(b.el(root, "schreibe"), "organisationseinheit"), unit)
    for dienst in catalogue.onlinedienste:
        element = b.el(b.el(root, "schreibe"), "onlinedienst")
        b.ref(element, "id", dienst.ref)
        b.texts(element, "bezeichnung", dienst.name)
        for link in dienst.links:
            holder = b.el(element, "link")
            b.code(holder, "typ", link.type)
            b.el(holder, "link", link.url)
            if link.title:
                b.el(holder, "titel", link.title)
        if dienst.trust_level:
            b.code(element, "vertrauensniveau", dienst.trust_level)
    for z in catalogue.zustaendigkeiten:  # one transfer object each: the simplest to apply
        element = b.el(b.el(root, "schreibe"), "zustaendigkeitTransferObjekt")
        b.ref(element, "uebergeordnetesObjektID", z.authority)
        item = b.el(element, "zustaendigkeit")
        b.ref(item, "id", z.ref)
        b.ref(item, "leistungID", z.leistung)
        b.el(item, "gebietID", z.area)
        if z.onlinedienst is not None:
            b.ref(item, "onlinedienstID", z.onlinedienst)
    return root.getroottree()


def _leistung(b: _Builder, element: etree._Element, leistung: Leistung) -> None:
    b.ref(element, "id", leistung.ref)
    for key in leistung.leika_keys:
        b.code(element, "referenzLeiKa", key)
    for code, name in TEXT_MODULES.items():
        if leistung.texts.get(name):
            module = b.el(element, "modulText")
            b.code(module, "leikaTextmodul", code)
            for language, text in sorted(leistung.texts[name].items()):
                b.el(module, "inhalt", text, languageCode=language)
    for module_name, name in DESCRIPTION_MODULES.items():
        if leistung.texts.get(name):
            b.texts(b.el(element, module_name), "beschreibung", leistung.texts[name])
    if leistung.synonyms or leistung.keywords:
        terms = b.el(element, "modulBegriffImKontext")
        for word in leistung.synonyms:
            b.el(terms, "begriff", word, typ="synonym")
        for word in leistung.keywords:
            b.el(terms, "begriff", word, typ="schlagwort")
    if leistung.typisierung:
        b.code(element, "typisierung", leistung.typisierung)
    if leistung.trust_level:
        b.code(element, "vertrauensniveau", leistung.trust_level)


def _organisationseinheit(b: _Builder, element: etree._Element, unit: Organisationseinheit) -> None:
    b.ref(element, "id", unit.ref)
    b.texts(b.el(element, "name"), "name", unit.name)
    address = b.el(element, "anschrift")
    for name, value in (
        ("strasse", unit.street),
        ("hausnummer", unit.house_number),
        ("postleitzahl", unit.postcode),
        ("ort", unit.city),
    ):
        if value:
            b.el(address, name, value)
    b.el(b.el(address, "verwaltungspolitischeKodierung"), "regionalschluessel", unit.ars)
    if unit.phone or unit.email:
        contact = b.el(element, "kommunikation")
        if unit.phone:
            b.el(contact, "telefon", unit.phone)
        if unit.email:
            b.el(contact, "email", unit.email)


def export_xml(*, now: datetime.datetime | None = None, message_id: str = "") -> bytes:
    """The catalogue as an XZuFi transfer message, validated against the subset schema."""
    tree = to_xml(collect(), now=now, message_id=message_id)
    schema().assertValid(tree)  # a failure here is a bug in the exporter, not in the data
    return bytes(etree.tostring(tree, xml_declaration=True, encoding="UTF-8", pretty_print=True))


# ----------------------------------------------------------------------------- JSON


def _plain(value: Any) -> Any:
    """Dataclass values for JSON: a :class:`Ref` becomes ``{"schemeAgencyID", "id"}``."""
    if isinstance(value, dict):
        if set(value) == {"agency", "id"}:
            return {"schemeAgencyID": value["agency"], "id": value["id"]}
        return {k: _plain(v) for k, v in value.items() if k != "where"}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def to_json(catalogue: Catalogue, *, now: datetime.datetime | None = None) -> dict[str, Any]:
    return {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "generator": f"{PRODUCT} {amtshilfe.__version__}",
        "exported_at": (now or timezone.now()).isoformat(timespec="seconds"),
        **{name: _plain(value) for name, value in asdict(catalogue).items()},
    }


def export_json(*, now: datetime.datetime | None = None) -> str:
    """The catalogue as JSON (structure: ``schema/README.md``)."""
    return json.dumps(to_json(collect(), now=now), ensure_ascii=False, indent=2) + "\n"
