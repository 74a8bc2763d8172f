"""Reading an XZuFi transfer message: safe parsing, schema validation, plain Python objects.

Nothing here touches the database. :func:`read` either returns a :class:`Message` whose
structure the schema has checked, or raises :class:`XzufiInvalid` listing every problem with
its line and element path. The checks that need the database (does a referenced Leistung
exist?) are made by the importer before it writes anything.

A national message is about a gigabyte, and as an lxml tree it would take several times
that in memory. So :func:`read` streams it: libxml2 checks the schema while it parses, each
``schreibe``/``loesche`` entry becomes objects and is dropped from the tree. Only a message
the stream finds faulty is parsed again as a whole tree, to report every problem with its
line and path (libxml2 tells neither while it streams).
"""

from __future__ import annotations

import functools
import io
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

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
#: Bytes read at a time when a message is streamed; the start of the file holds the prolog.
_CHUNK = 1 << 20

#: A text in several languages: language code ("de", "en") → text.
Text = dict[str, str]


@dataclass(frozen=True, order=True, slots=True)
class Ref:
    """An XZuFi id: unique only together with the issuing Redaktion (schemeAgencyID)."""

    agency: str
    id: str

    def __str__(self) -> str:
        return f"{self.agency}/{self.id}"


@dataclass(frozen=True, slots=True)
class Where:
    """Where an object stands in the file, and where some of its parts stand.

    ``parts`` maps a part's path below the object ("referenzLeiKa/code") to its line, or,
    for a part that stands elsewhere in the file, to its own (path, line). (A national
    message has 1.6 million of these: paths below the object are not kept as strings.)
    """

    path: str = ""
    line: int | None = None
    parts: dict[str, int | tuple[str, int | None] | None] = field(default_factory=dict)

    def of(self, part: str) -> Where:
        if part not in self.parts:
            return Where(self.path, self.line)
        found = self.parts[part]
        if isinstance(found, tuple):
            return Where(*found)
        return Where(f"{self.path}/{part}", found)

    def moved(self, old: str, new: str) -> Where:
        """The same place, with the path prefix ``old`` written ``new``."""

        def move(path: str) -> str:
            return new + path.removeprefix(old) if path.startswith(old) else path

        parts = {
            k: (move(v[0]), v[1]) if isinstance(v, tuple) else v for k, v in self.parts.items()
        }
        return Where(move(self.path), self.line, parts)

    def problem(self, message: str, part: str = "") -> Problem:
        where = self.of(part) if part else self
        return Problem(message=message, line=where.line, path=where.path)


@dataclass(slots=True)
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


@dataclass(slots=True)
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


@dataclass(slots=True)
class Link:
    type: str
    url: str
    title: str = ""


@dataclass(slots=True)
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


@dataclass(slots=True)
class Zustaendigkeit:
    ref: Ref
    #: The Organisationseinheit responsible (uebergeordnetesObjektID).
    authority: Ref
    leistung: Ref
    area: str
    onlinedienst: Ref | None = None
    where: Where = field(default_factory=Where, compare=False, repr=False)


@dataclass(slots=True)
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
    opened = _opener(source)
    with opened() as stream:
        head = stream.read(_CHUNK)
    problems = _declaration_problems(head)
    if not problems:
        with opened() as stream:
            problems = _utf8_problems(iter(functools.partial(stream.read, _CHUNK), b""))
    if problems:
        raise XzufiInvalid(problems)
    if not _DOCTYPE.match(head):  # else let parse() say where it is
        with opened() as stream:
            message = _streamed(stream)
        if message is not None:
            return message
    with opened() as stream:
        tree = parse(stream.read())
    problems = schema_problems(tree)
    if problems:
        raise XzufiInvalid(problems)
    return _message(tree.getroot())  # valid after all: the tree decides, as it always did


def _opener(source: bytes | Path | IO[bytes]) -> Callable[[], IO[bytes]]:
    """Opens the message again each time it is called (a file is read from disk each time)."""
    if isinstance(source, Path):
        return lambda: source.open("rb")
    data = source if isinstance(source, bytes) else source.read()
    return lambda: io.BytesIO(data)


def _streamed(stream: IO[bytes]) -> Message | None:
    """The message, parsed and checked against the schema entry by entry; None if the
    stream finds anything wrong (libxml2 then knows no lines and paths to report)."""
    entries = etree.iterparse(
        stream,
        events=("end",),
        tag=[_q("nachrichtenkopf"), _q("schreibe"), _q("loesche")],
        schema=schema(),
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
    )
    reader = _Reader()
    try:
        for _event, element in entries:
            parent = element.getparent()
            if parent is None or parent.getparent() is not None:
                continue  # not an entry of the message: the schema will say so
            reader.add(element)
            element.clear()
            while element.getprevious() is not None:  # what has been read goes
                del parent[0]
    except etree.XMLSyntaxError:
        return None
    root = entries.root
    if root is None or root.tag != _q(ROOT) or root.getroottree().docinfo.doctype:
        return None
    return reader.finish()


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
    return _declaration_problems(data) or _utf8_problems([data])


def _declaration_problems(head: bytes) -> list[Problem]:
    """A byte order mark or an XML declaration naming another encoding than UTF-8."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return [Problem(_("The file is not UTF-8: %(error)s") % {"error": "UTF-16"}, line=1)]
    declared = _DECLARED_ENCODING.match(head.removeprefix(b"\xef\xbb\xbf"))
    if declared and declared.group(1).decode().lower().replace("_", "-") not in {"utf-8", "utf8"}:
        name = declared.group(1).decode()
        return [Problem(_("The file is not UTF-8: %(error)s") % {"error": name}, line=1)]
    return []


def _utf8_problems(chunks: Iterable[bytes]) -> list[Problem]:
    """The first byte that is not UTF-8, and its line. Decoded piece by piece, each cut
    before a "<" (never inside a character), so a big file is not decoded in one go."""
    line, rest = 1, b""
    for chunk in _and_end(chunks):
        piece = rest + chunk
        cut = piece.rfind(b"<") if chunk else len(piece)
        piece, rest = (piece[:cut], piece[cut:]) if cut > 0 else (b"", piece)
        try:
            piece.decode("utf-8")
        except UnicodeDecodeError as exc:
            line += piece[: exc.start].count(b"\n")
            error = f"byte 0x{piece[exc.start]:02x}"
            return [Problem(_("The file is not UTF-8: %(error)s") % {"error": error}, line=line)]
        line += piece.count(b"\n")
    return []


def _and_end(chunks: Iterable[bytes]) -> Iterator[bytes]:
    yield from chunks
    yield b""


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


@functools.cache
def _path(path: str) -> str:
    return "/".join(_q(part) for part in path.split("/"))


def _find(element: etree._Element, path: str) -> etree._Element | None:
    return element.find(_path(path))


def _findall(element: etree._Element, path: str) -> list[etree._Element]:
    return element.findall(_path(path))


def _text(element: etree._Element, path: str) -> str:
    found = _find(element, path)
    return (found.text or "").strip() if found is not None else ""


def _stripped(element: etree._Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _languages(element: etree._Element | None) -> Text:
    """``inhalt`` children by language ("de-DE" counts as "de")."""
    texts: Text = {}
    if element is None:
        return texts
    for inhalt in element.iterchildren(_q("inhalt")):
        language = inhalt.get("languageCode", "")[:2].lower()
        texts.setdefault(language, (inhalt.text or "").strip())
    return texts


#: Tag → local name, for the children the many small objects are read from.
_LOCAL = {
    _q(name): name
    for name in (
        "id",
        "uebergeordnetesObjektID",
        "zustaendigkeit",
        "leistungID",
        "gebietID",
        "onlinedienstID",
        "bezeichnung",
        "link",
        "typ",
        "code",
        "titel",
        "vertrauensniveau",
    )
}


def _children(element: etree._Element | None) -> dict[str, etree._Element]:
    """The first child of each known local name (quicker than ``find`` per part)."""
    found: dict[str, etree._Element] = {}
    for child in element if element is not None else ():
        name = _LOCAL.get(child.tag)
        if name is not None and name not in found:
            found[name] = child
    return found


def _where(element: etree._Element, path: str, parts: tuple[str, ...] = ()) -> Where:
    located: dict[str, int | tuple[str, int | None] | None] = {}
    for part in parts:
        found = _find(element, part)
        if found is not None:
            located[part] = found.sourceline
    return Where(path=path, line=element.sourceline, parts=located)


class _Reader:
    """Turns the entries of a message into objects, one entry at a time, so that a stream
    can drop each entry once it is read. Ids and short repeated texts are shared."""

    def __init__(self) -> None:
        self.message: Message | None = None
        self.refs: dict[tuple[str, str], Ref] = {}
        self.seen = {"schreibe": 0, "loesche": 0}
        #: the objects of the first entry of each name: its path loses the "[1]" if it
        #: stays the only one (known only at the end of a stream)
        self.first: dict[str, list[Any]] = {"schreibe": [], "loesche": []}

    def add(self, element: etree._Element) -> None:
        """Read an entry of the message (or its header)."""
        message = self.message or self._start(element.getparent())
        name = etree.QName(element).localname
        if name == "nachrichtenkopf":
            message.message_id = _text(element, "nachrichtID")
            message.created_at = _text(element, "erstellungszeitpunkt")
            return
        self.seen[name] += 1
        path = f"/{ROOT}/{name}[{self.seen[name]}]"
        objects = (
            self._loeschung(element, path) if name == "loesche" else self._schreibe(element, path)
        )
        if self.seen[name] == 1:
            self.first[name] = objects

    def finish(self) -> Message:
        message = self.message or Message()
        for name, count in self.seen.items():
            if count == 1:  # no position where an element has no sibling of the same name
                old = f"/{ROOT}/{name}[1]"
                for obj in self.first[name]:
                    obj.where = obj.where.moved(old, f"/{ROOT}/{name}")
        return message

    def _start(self, root: etree._Element | None) -> Message:
        attributes = root.attrib if root is not None else {}
        self.message = Message(
            version=attributes.get("xzufiVersion", ""),
            product=attributes.get("produktbezeichnung", ""),
            vendor=attributes.get("produkthersteller", ""),
        )
        return self.message

    def _ref(self, element: etree._Element | None, *, shared: bool = True) -> Ref:
        """The id in ``element``; an id other objects refer to is made once."""
        if element is None:
            return Ref("", "")  # the schema requires it: the stream is rejected anyway
        key = (sys.intern(element.get("schemeAgencyID", "").strip()), (element.text or "").strip())
        if not shared:
            return Ref(*key)
        found = self.refs.get(key)
        if found is None:
            found = self.refs[key] = Ref(*key)
        return found

    def _loeschung(self, element: etree._Element, path: str) -> list[Any]:
        where = _where(element, path, ("id",))
        ref = self._ref(_find(element, "id"), shared=False)
        loeschung = Loeschung(sys.intern(element.get("klasse", "")), ref, where)
        assert self.message is not None
        self.message.loeschungen.append(loeschung)
        return [loeschung]

    def _schreibe(self, element: etree._Element, path: str) -> list[Any]:
        assert self.message is not None
        message = self.message
        obj = next((child for child in element if isinstance(child.tag, str)), None)
        if obj is None:
            return []
        kind = etree.QName(obj).localname
        obj_path = f"{path}/{kind}"
        if kind == "leistung":
            message.leistungen.append(self._leistung(obj, obj_path))
            return message.leistungen[-1:]
        if kind == "organisationseinheit":
            message.organisationseinheiten.append(self._organisationseinheit(obj, obj_path))
            return message.organisationseinheiten[-1:]
        if kind == "onlinedienst":
            message.onlinedienste.append(self._onlinedienst(obj, obj_path))
            return message.onlinedienste[-1:]
        items = list(self._zustaendigkeiten(obj, obj_path))
        message.zustaendigkeiten.extend(items)
        return items

    def _leistung(self, element: etree._Element, path: str) -> Leistung:
        leistung = Leistung(
            ref=self._ref(_find(element, "id")),
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

    def _organisationseinheit(self, element: etree._Element, path: str) -> Organisationseinheit:
        ars_part = "anschrift/verwaltungspolitischeKodierung/regionalschluessel"
        return Organisationseinheit(
            ref=self._ref(_find(element, "id")),
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

    def _onlinedienst(self, element: etree._Element, path: str) -> Onlinedienst:
        parts = _children(element)
        links = [child for child in element if child.tag == _LINK]
        name = _languages(parts.get("bezeichnung"))
        return Onlinedienst(
            ref=self._ref(parts.get("id")),
            name={language: sys.intern(text) for language, text in name.items()},
            links=[self._link(link) for link in links],
            trust_level=sys.intern(_stripped(_children(parts.get("vertrauensniveau")).get("code"))),
            where=Where(
                path,
                element.sourceline,
                {part: parts[part].sourceline for part in ("id", "link") if part in parts},
            ),
        )

    def _link(self, element: etree._Element) -> Link:
        parts = _children(element)
        return Link(
            type=sys.intern(_stripped(_children(parts.get("typ")).get("code"))),
            url=_stripped(parts.get("link")),
            title=_stripped(parts.get("titel")),
        )

    def _zustaendigkeiten(self, element: etree._Element, path: str) -> Iterator[Zustaendigkeit]:
        parent = _children(element).get("uebergeordnetesObjektID")
        authority = self._ref(parent)
        parent_at = (
            f"{path}/uebergeordnetesObjektID",
            parent.sourceline if parent is not None else None,
        )
        items = [child for child in element if child.tag == _ZUSTAENDIGKEIT]
        for index, item in enumerate(items, start=1):
            item_path = f"{path}/zustaendigkeit" + (f"[{index}]" if len(items) > 1 else "")
            parts = _children(item)
            located: dict[str, int | tuple[str, int | None] | None] = {
                part: parts[part].sourceline for part in _ZUSTAENDIGKEIT_PARTS if part in parts
            }
            located["uebergeordnetesObjektID"] = parent_at
            online = parts.get("onlinedienstID")
            yield Zustaendigkeit(
                ref=self._ref(parts.get("id"), shared=False),
                authority=authority,
                leistung=self._ref(parts.get("leistungID")),
                area=sys.intern(_stripped(parts.get("gebietID"))),
                onlinedienst=self._ref(online) if online is not None else None,
                where=Where(item_path, item.sourceline, located),
            )


_LINK = _q("link")
_ZUSTAENDIGKEIT = _q("zustaendigkeit")
_ZUSTAENDIGKEIT_PARTS = ("id", "leistungID", "gebietID", "onlinedienstID")


def _message(root: etree._Element) -> Message:
    """The objects of a message parsed as a whole tree."""
    reader = _Reader()
    reader._start(root)
    for entry in root:
        if isinstance(entry.tag, str) and entry.tag in (
            _q("nachrichtenkopf"),
            _q("schreibe"),
            _q("loesche"),
        ):
            reader.add(entry)
    return reader.finish()
