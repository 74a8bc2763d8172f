"""Reading an XZuFi transfer message: safe parsing, schema validation, plain Python objects.

Nothing here touches the database. :func:`read` either returns a :class:`Message` whose
structure the schema has checked, or raises :class:`XzufiInvalid` listing every problem with
its line and element path. The checks that need the database (does a referenced Leistung
exist?) are made by the importer before it writes anything.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _
from lxml import etree

from amtshilfe.catalog.errors import Problem, XzufiInvalid

NS = "http://xoev.de/schemata/xzufi/2_2_0"
ROOT = "xzufi.transfer.operation"
SCHEMA_FILE = Path(__file__).resolve().parent / "schema" / "xzufi-amtshilfe.xsd"
#: The scheme agency of ids that amtshilfe issues itself.
OWN_AGENCY = "amtshilfe"

#: LeiKa text module code → the service text it holds (see schema/README.md).
TEXT_MODULES = {
    "02": "leika_name",
    "03": "name",
    "05": "short_text",
    "06": "full_text",
    "07": "legal_basis",
    "08": "required_documents",
    "09": "prerequisites",
    "16": "hints",
}
#: Structured modules whose ``beschreibung`` is a text of the service.
DESCRIPTION_MODULES = {
    "modulKosten": "costs",
    "modulFrist": "deadlines",
    "modulBearbeitungsdauer": "processing_time",
}
APPLICATION_LINK = "01"  # onlinedienstlinktyp: the link to the online application
KLASSEN = ("Leistung", "Organisationseinheit", "Onlinedienst", "Zustaendigkeit")
_MAX_PROBLEMS = 50
_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_NAMESPACE = re.compile(r"\{[a-z][a-z0-9+.-]*:[^}'\s]*\}")  # "{http://…}code" → "code"
#: A DOCTYPE in the prolog (after the declaration, comments and processing instructions).
_DOCTYPE = re.compile(rb"^(?:\xef\xbb\xbf)?(?:\s+|<\?.*?\?>|<!--.*?-->)*<!DOCTYPE", re.DOTALL)

#: A text in several languages: language code ("de", "en") → text.
Text = dict[str, str]


@dataclass(frozen=True, order=True)
class Ref:
    """An XZuFi id: unique only together with the issuing Redaktion (schemeAgencyID)."""

    agency: str
    id: str

    def __str__(self) -> str:
        return f"{self.agency}/{self.id}"


@dataclass(frozen=True)
class Where:
    """Where an object stands in the file, and where some of its parts stand."""

    path: str = ""
    line: int | None = None
    parts: dict[str, tuple[str, int | None]] = field(default_factory=dict)

    def of(self, part: str) -> Where:
        path, line = self.parts.get(part, (self.path, self.line))
        return Where(path, line)

    def problem(self, message: str, part: str = "") -> Problem:
        where = self.of(part) if part else self
        return Problem(message=message, line=where.line, path=where.path)


@dataclass
class Leistung:
    ref: Ref
    leika_keys: list[str] = field(default_factory=list)
    #: service text ("name", "short_text", "costs", …) → its languages
    texts: dict[str, Text] = field(default_factory=dict)
    synonyms: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    typisierung: str = ""
    trust_level: str = ""
    where: Where = field(default_factory=Where, compare=False, repr=False)


@dataclass
class Organisationseinheit:
    ref: Ref
    name: Text
    ars: str
    street: str = ""
    house_number: str = ""
    postcode: str = ""
    city: str = ""
    phone: str = ""
    email: str = ""
    where: Where = field(default_factory=Where, compare=False, repr=False)


@dataclass
class Link:
    type: str
    url: str
    title: str = ""


@dataclass
class Onlinedienst:
    ref: Ref
    name: Text
    links: list[Link]
    trust_level: str = ""
    where: Where = field(default_factory=Where, compare=False, repr=False)

    @property
    def application_url(self) -> str:
        """The link to the online application (type 01), else the first link."""
        for link in self.links:
            if link.type == APPLICATION_LINK:
                return link.url
        return self.links[0].url if self.links else ""


@dataclass
class Zustaendigkeit:
    ref: Ref
    #: The Organisationseinheit responsible (uebergeordnetesObjektID).
    authority: Ref
    leistung: Ref
    area: str
    onlinedienst: Ref | None = None
    where: Where = field(default_factory=Where, compare=False, repr=False)


@dataclass
class Loeschung:
    klasse: str
    ref: Ref
    where: Where = field(default_factory=Where, compare=False, repr=False)


@dataclass
class Message:
    version: str = "2.2.0"
    product: str = ""
    vendor: str = ""
    message_id: str = ""
    created_at: str = ""
    leistungen: list[Leistung] = field(default_factory=list)
    organisationseinheiten: list[Organisationseinheit] = field(default_factory=list)
    onlinedienste: list[Onlinedienst] = field(default_factory=list)
    zustaendigkeiten: list[Zustaendigkeit] = field(default_factory=list)
    loeschungen: list[Loeschung] = field(default_factory=list)


# ----------------------------------------------------------------------------- parsing


def safe_parser() -> etree.XMLParser:
    """A parser that never expands entities, loads a DTD or reaches the network."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
    )


@functools.cache
def schema() -> etree.XMLSchema:
    """amtshilfe's XZuFi subset schema (``schema/xzufi-amtshilfe.xsd``)."""
    return etree.XMLSchema(etree.parse(str(SCHEMA_FILE), safe_parser()))


def read(source: bytes | Path | IO[bytes]) -> Message:
    """Parse and validate a transfer message; raise :class:`XzufiInvalid` on any problem."""
    if isinstance(source, Path):
        data = source.read_bytes()
    elif isinstance(source, bytes):
        data = source
    else:
        data = source.read()
    tree = parse(data)
    problems = schema_problems(tree)
    if problems:
        raise XzufiInvalid(problems)
    return _message(tree.getroot())


def parse(data: bytes) -> etree._ElementTree:
    """Well-formed UTF-8 XML without a DOCTYPE, or :class:`XzufiInvalid`."""
    problems = encoding_problems(data)
    if problems:
        raise XzufiInvalid(problems)
    doctype = _DOCTYPE.match(data)
    if doctype:
        # XZuFi needs no DTD; refusing one closes the door on entity tricks altogether.
        line = data[: doctype.end()].count(b"\n") + 1
        raise XzufiInvalid([Problem(_("A DOCTYPE is not allowed."), line=line)])
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as exc:
        entries = [e for e in exc.error_log if e.level >= etree.ErrorLevels.ERROR]
        raise XzufiInvalid(
            [Problem(_clean(e.message), line=e.line) for e in entries[:_MAX_PROBLEMS]]
            or [Problem(_clean(str(exc)), line=exc.lineno)]
        ) from exc
    tree = root.getroottree()
    if tree.docinfo.doctype:  # not in the prolog as the pattern expects it: refuse anyway
        raise XzufiInvalid([Problem(_("A DOCTYPE is not allowed."), line=1)])
    return tree


def encoding_problems(data: bytes) -> list[Problem]:
    """The message must be UTF-8: say where it is not."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return [Problem(_("The file is not UTF-8: %(error)s") % {"error": "UTF-16"}, line=1)]
    declared = _DECLARED_ENCODING.match(data.removeprefix(b"\xef\xbb\xbf"))
    if declared and declared.group(1).decode().lower().replace("_", "-") not in {"utf-8", "utf8"}:
        name = declared.group(1).decode()
        return [Problem(_("The file is not UTF-8: %(error)s") % {"error": name}, line=1)]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        error = f"byte 0x{data[exc.start]:02x}"
        return [Problem(_("The file is not UTF-8: %(error)s") % {"error": error}, line=line)]
    return []


def schema_problems(tree: etree._ElementTree) -> list[Problem]:
    """Every schema violation, with its line and element path."""
    validator = schema()
    if validator.validate(tree):
        return []
    namespaces = {
        prefix: uri for element in tree.iter() for prefix, uri in element.nsmap.items() if prefix
    }
    problems = []
    for entry in list(validator.error_log)[:_MAX_PROBLEMS]:
        element = _element_at(tree, entry.path, namespaces)
        path = element_path(element) if element is not None else ""
        problems.append(Problem(_clean(entry.message), line=entry.line, path=path))
    return problems


def _element_at(
    tree: etree._ElementTree, xpath: str | None, namespaces: dict[str, str]
) -> etree._Element | None:
    """The element libxml2's error path points to (the path uses the document's prefixes)."""
    if not xpath:
        return None
    try:
        found = tree.xpath(xpath, namespaces=namespaces)
    except etree.XPathError:
        return None
    return (
        found[0]
        if isinstance(found, list) and found and isinstance(found[0], etree._Element)
        else None
    )


def element_path(element: etree._Element) -> str:
    """``/xzufi.transfer.operation/schreibe[3]/leistung/referenzLeiKa/code``: local names,
    with a position where an element has siblings of the same name."""
    parts = []
    current: etree._Element | None = element
    while current is not None:
        name = etree.QName(current).localname
        parent = current.getparent()
        if parent is not None:
            same = [sibling for sibling in parent if sibling.tag == current.tag]
            if len(same) > 1:
                name += f"[{same.index(current) + 1}]"
        parts.append(name)
        current = parent
    return "/" + "/".join(reversed(parts))


def _clean(message: str) -> str:
    """libxml2's message without namespace URIs in braces."""
    return _NAMESPACE.sub("", message).strip()


# ------------------------------------------------------------- from elements to objects


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _find(element: etree._Element, path: str) -> etree._Element | None:
    return element.find("/".join(_q(part) for part in path.split("/")))


def _findall(element: etree._Element, path: str) -> list[etree._Element]:
    return element.findall("/".join(_q(part) for part in path.split("/")))


def _text(element: etree._Element, path: str) -> str:
    found = _find(element, path)
    return (found.text or "").strip() if found is not None else ""


def _ref(element: etree._Element | None) -> Ref:
    assert element is not None  # the schema requires the id
    return Ref(agency=element.get("schemeAgencyID", "").strip(), id=(element.text or "").strip())


def _languages(element: etree._Element | None) -> Text:
    """``inhalt`` children by language ("de-DE" counts as "de")."""
    texts: Text = {}
    if element is None:
        return texts
    for inhalt in _findall(element, "inhalt"):
        language = inhalt.get("languageCode", "")[:2].lower()
        texts.setdefault(language, (inhalt.text or "").strip())
    return texts


class _Positions:
    """Element paths and lines for the objects of one message (without O(n²) lookups)."""

    def __init__(self, root: etree._Element) -> None:
        self.totals = {
            "schreibe": len(_findall(root, "schreibe")),
            "loesche": len(_findall(root, "loesche")),
        }
        self.seen = {"schreibe": 0, "loesche": 0}

    def entry(self, element: etree._Element) -> str:
        name = etree.QName(element).localname
        self.seen[name] += 1
        index = f"[{self.seen[name]}]" if self.totals[name] > 1 else ""
        return f"/{ROOT}/{name}{index}"


def _where(element: etree._Element, path: str, parts: tuple[str, ...] = ()) -> Where:
    located: dict[str, tuple[str, int | None]] = {}
    for part in parts:
        found = _find(element, part)
        if found is not None:
            located[part] = (f"{path}/{part}", found.sourceline)
    return Where(path=path, line=element.sourceline, parts=located)


def _message(root: etree._Element) -> Message:
    message = Message(
        version=root.get("xzufiVersion", ""),
        product=root.get("produktbezeichnung", ""),
        vendor=root.get("produkthersteller", ""),
        message_id=_text(root, "nachrichtenkopf/nachrichtID"),
        created_at=_text(root, "nachrichtenkopf/erstellungszeitpunkt"),
    )
    positions = _Positions(root)
    for entry in root:
        if not isinstance(entry.tag, str) or entry.tag not in (_q("schreibe"), _q("loesche")):
            continue
        path = positions.entry(entry)
        if entry.tag == _q("loesche"):
            where = _where(entry, path, ("id",))
            ref = _ref(_find(entry, "id"))
            message.loeschungen.append(Loeschung(entry.get("klasse", ""), ref, where))
            continue
        obj = next(child for child in entry if isinstance(child.tag, str))
        kind = etree.QName(obj).localname
        obj_path = f"{path}/{kind}"
        if kind == "leistung":
            message.leistungen.append(_leistung(obj, obj_path))
        elif kind == "organisationseinheit":
            message.organisationseinheiten.append(_organisationseinheit(obj, obj_path))
        elif kind == "onlinedienst":
            message.onlinedienste.append(_onlinedienst(obj, obj_path))
        else:
            message.zustaendigkeiten.extend(_zustaendigkeiten(obj, obj_path))
    return message


def _leistung(element: etree._Element, path: str) -> Leistung:
    leistung = Leistung(
        ref=_ref(_find(element, "id")),
        leika_keys=[(c.text or "").strip() for c in _findall(element, "referenzLeiKa/code")],
        typisierung=_text(element, "typisierung/code"),
        trust_level=_text(element, "vertrauensniveau/code"),
        where=_where(element, path, ("id", "referenzLeiKa/code", "typisierung/code")),
    )
    for module in _findall(element, "modulText"):
        name = TEXT_MODULES.get(_text(module, "leikaTextmodul/code"))
        if name is not None:  # other text modules are accepted and left out
            leistung.texts[name] = _languages(module)
    for module_name, name in DESCRIPTION_MODULES.items():
        module = _find(element, module_name)
        if module is not None:
            leistung.texts[name] = _languages(_find(module, "beschreibung"))
    for term in _findall(element, "modulBegriffImKontext/begriff"):
        words = leistung.keywords if term.get("typ") == "schlagwort" else leistung.synonyms
        words.append((term.text or "").strip())
    return leistung


def _organisationseinheit(element: etree._Element, path: str) -> Organisationseinheit:
    ars_part = "anschrift/verwaltungspolitischeKodierung/regionalschluessel"
    return Organisationseinheit(
        ref=_ref(_find(element, "id")),
        name=_languages(_find(element, "name/name")),
        ars=_text(element, ars_part),
        street=_text(element, "anschrift/strasse"),
        house_number=_text(element, "anschrift/hausnummer"),
        postcode=_text(element, "anschrift/postleitzahl"),
        city=_text(element, "anschrift/ort"),
        phone=_text(element, "kommunikation/telefon"),
        email=_text(element, "kommunikation/email"),
        where=_where(element, path, ("id", "name", ars_part, "kommunikation")),
    )


def _onlinedienst(element: etree._Element, path: str) -> Onlinedienst:
    return Onlinedienst(
        ref=_ref(_find(element, "id")),
        name=_languages(_find(element, "bezeichnung")),
        links=[
            Link(
                type=_text(link, "typ/code"),
                url=_text(link, "link"),
                title=_text(link, "titel"),
            )
            for link in _findall(element, "link")
        ],
        trust_level=_text(element, "vertrauensniveau/code"),
        where=_where(element, path, ("id", "link")),
    )


def _zustaendigkeiten(element: etree._Element, path: str) -> Iterator[Zustaendigkeit]:
    authority = _ref(_find(element, "uebergeordnetesObjektID"))
    parent = _find(element, "uebergeordnetesObjektID")
    parent_at = (
        f"{path}/uebergeordnetesObjektID",
        parent.sourceline if parent is not None else None,
    )
    items = _findall(element, "zustaendigkeit")
    for index, item in enumerate(items, start=1):
        item_path = f"{path}/zustaendigkeit" + (f"[{index}]" if len(items) > 1 else "")
        where = _where(item, item_path, ("id", "leistungID", "gebietID", "onlinedienstID"))
        where.parts["uebergeordnetesObjektID"] = parent_at
        online = _find(item, "onlinedienstID")
        yield Zustaendigkeit(
            ref=_ref(_find(item, "id")),
            authority=authority,
            leistung=_ref(_find(item, "leistungID")),
            area=_text(item, "gebietID"),
            onlinedienst=_ref(online) if online is not None else None,
            where=where,
        )
