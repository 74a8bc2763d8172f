"""A deterministic, Germany-shaped service catalogue for ``catalog_scale.py``.

Nothing here touches the database: :func:`build` takes what the product's own loaders put
there (Hesse's 450 regions and their organisations, the OZG catalogue, the 126 shipped
services) and returns the rows to add, table by table, as plain tuples with explicit ids.
The same seed and scale give the same rows on every machine and on both databases.

What is generated:

- regions: the 15 other Länder (Land → Kreis → Gemeinde, 12-digit ARS under Land prefixes
  01–16, Gemeindeverband digits in positions 6–9), municipality counts proportional to the
  real ones (Bayern 2,056, Rheinland-Pfalz 2,301, …) so that with Hesse's real 421 the total
  is the scale's; ~10 % of Kreise are kreisfreie Städte;
- organisations: one per Gemeinde and Kreis (as ``sync_from_regions`` makes them) plus one
  Land authority per Land; 2–3 authorities each;
- services: German names composed from word lists ("Abwassergenehmigung für Unternehmen
  beantragen", "Antrag auf Fischereischein"), texts, keywords and synonyms, so the search
  vocabulary has tens of thousands of words; level gemeinde / kreis / land;
- offerings: ≈ scale.offerings, spread over the municipalities (each offers every real
  Gemeinde-level service plus a sample of the synthetic ones) and the Kreise; ~30 % online;
- responsibilities: per municipality ``gemeinde_rules`` Gemeinde-level rules, per Kreis
  ``kreis_rules`` Kreis-level rules, per Land one rule for every Land-level service;
- delegation agreements: ~8 % of municipalities (all / one bundle / one service).
"""

# ruff: noqa: S311 (seeded pseudo-random data for a benchmark, not for security)

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from typing import Any

SEED = 20261125
NOW = datetime.datetime(2026, 11, 25, 12, 0, tzinfo=datetime.UTC)

# (code, name, real number of municipalities, real number of Kreise incl. kreisfreie Städte)
LAENDER = [
    ("01", "Schleswig-Holstein", 1106, 15),
    ("02", "Hamburg", 1, 1),
    ("03", "Niedersachsen", 941, 45),
    ("04", "Bremen", 2, 2),
    ("05", "Nordrhein-Westfalen", 396, 53),
    ("06", "Hessen", 421, 26),  # real data: not generated
    ("07", "Rheinland-Pfalz", 2301, 36),
    ("08", "Baden-Württemberg", 1101, 44),
    ("09", "Bayern", 2056, 96),
    ("10", "Saarland", 52, 6),
    ("11", "Berlin", 1, 1),
    ("12", "Brandenburg", 413, 18),
    ("13", "Mecklenburg-Vorpommern", 726, 8),
    ("14", "Sachsen", 418, 13),
    ("15", "Sachsen-Anhalt", 218, 14),
    ("16", "Thüringen", 605, 22),
]
HESSE = "06"
CITY_STATES = {"02", "04", "11"}
#: Regierungsbezirke per Land (the third ARS digit); 0 where a Land has none.
BEZIRKE = {"05": 5, "08": 4, "09": 7}

# ----------------------------------------------------------------------- word lists

TOWN_PREFIX = [
    "",
    "",
    "",
    "",
    "",
    "Ober",
    "Nieder",
    "Unter",
    "Groß",
    "Klein",
    "Alt",
    "Neu",
    "Bad ",
    "Hohen",
    "Wald",
    "Berg",
    "Sankt ",
]
TOWN_ROOT = [
    "Ahl",
    "Bern",
    "Eschen",
    "Fried",
    "Hart",
    "Kirch",
    "Lang",
    "Linden",
    "Mühl",
    "Rot",
    "Schön",
    "Stein",
    "Wester",
    "Wies",
    "Buch",
    "Eich",
    "Gold",
    "Hain",
    "Lauter",
    "Mar",
    "Ros",
    "Sand",
    "Tann",
    "Weiden",
    "Wolfs",
    "Brunn",
    "Els",
    "Hasel",
    "Lieben",
    "Ebers",
    "Frei",
    "Hilde",
    "Kalten",
    "Leng",
    "Nord",
    "Oster",
    "Rein",
    "Sonnen",
    "Tiefen",
    "Birken",
    "Erlen",
    "Falken",
    "Gras",
    "Hirsch",
    "Kranich",
    "Lerchen",
    "Otters",
    "Rabens",
    "Schwanen",
    "Wiesen",
    "Adel",
    "Bruch",
    "Dürr",
    "Engel",
    "Fisch",
    "Glas",
    "Hagen",
    "Immen",
    "Kling",
    "Marien",
]
TOWN_SUFFIX = [
    "bach",
    "dorf",
    "hausen",
    "heim",
    "feld",
    "burg",
    "stadt",
    "berg",
    "au",
    "rode",
    "ingen",
    "stedt",
    "hagen",
    "born",
    "brück",
    "furt",
    "weiler",
    "kirchen",
    "winkel",
    "thal",
    "ach",
    "beck",
    "büttel",
    "hof",
    "leben",
    "roda",
    "see",
    "wald",
    "wedel",
    "zell",
]
STREETS = [
    "Hauptstraße",
    "Rathausplatz",
    "Marktplatz",
    "Schulstraße",
    "Bahnhofstraße",
    "Kirchgasse",
    "Am Rathaus",
    "Lindenallee",
    "Gartenweg",
    "Schlossstraße",
]

#: First parts of compound nouns (with their joint), and the word a keyword takes.
FIRST = [
    "Abfall",
    "Abwasser",
    "Altlasten",
    "Anwohner",
    "Arbeits",
    "Aufenthalts",
    "Ausbildungs",
    "Bau",
    "Baum",
    "Bestattungs",
    "Betreuungs",
    "Bienen",
    "Bildungs",
    "Boden",
    "Brand",
    "Brunnen",
    "Bürger",
    "Camping",
    "Dach",
    "Denkmal",
    "Deponie",
    "Dünge",
    "Eltern",
    "Energie",
    "Entsorgungs",
    "Erbschafts",
    "Fahr",
    "Fahrrad",
    "Familien",
    "Feuer",
    "Feuerwerks",
    "Fischerei",
    "Forst",
    "Friedhofs",
    "Funk",
    "Garten",
    "Gaststätten",
    "Gebäude",
    "Geburts",
    "Gefahrgut",
    "Gemeinde",
    "Gesundheits",
    "Gewässer",
    "Gewerbe",
    "Glücksspiel",
    "Grab",
    "Grund",
    "Grundstücks",
    "Grünflächen",
    "Hafen",
    "Handwerks",
    "Heim",
    "Heiz",
    "Hochwasser",
    "Hunde",
    "Immissions",
    "Impf",
    "Jagd",
    "Jugend",
    "Kanal",
    "Kinder",
    "Kita",
    "Kirchen",
    "Kraftfahrzeug",
    "Kranken",
    "Kultur",
    "Lärm",
    "Land",
    "Landwirtschafts",
    "Lebensmittel",
    "Lehr",
    "Luft",
    "Markt",
    "Melde",
    "Miet",
    "Müll",
    "Musik",
    "Natur",
    "Naturschutz",
    "Park",
    "Pflege",
    "Photovoltaik",
    "Reise",
    "Renten",
    "Schank",
    "Schiffs",
    "Schornstein",
    "Schul",
    "Schwerbehinderten",
    "Senioren",
    "Solar",
    "Sozial",
    "Spiel",
    "Sport",
    "Sprengstoff",
    "Stadt",
    "Standes",
    "Steuer",
    "Straßen",
    "Strom",
    "Tier",
    "Tierschutz",
    "Trinkwasser",
    "Umwelt",
    "Unterhalts",
    "Vereins",
    "Verkehrs",
    "Versammlungs",
    "Versicherungs",
    "Vieh",
    "Wahl",
    "Wald",
    "Waffen",
    "Wasser",
    "Wege",
    "Wein",
    "Wind",
    "Wohn",
    "Wohnungs",
    "Zweitwohnungs",
    "Zucht",
    "Ausländer",
    "Asyl",
    "Einbürgerungs",
    "Fahrerlaubnis",
    "Gewässerschutz",
    "Hygiene",
    "Infektionsschutz",
    "Jugendschutz",
    "Kampfmittel",
    "Katastrophenschutz",
    "Kleingarten",
    "Ladenöffnungs",
    "Nichtraucher",
    "Obdachlosen",
    "Personenstands",
    "Rundfunk",
    "Sperrmüll",
    "Sonntags",
    "Taxi",
    "Veranstaltungs",
    "Vermessungs",
    "Wirtschafts",
    "Ausschank",
    "Anlagen",
    "Aufzugs",
    "Beherbergungs",
    "Biogas",
    "Container",
    "Dienst",
    "Einzelhandels",
    "Erschließungs",
    "Fernwärme",
    "Fundsachen",
    "Gas",
    "Gefahrstoff",
    "Gutachter",
    "Hausnummern",
    "Heilpraktiker",
    "Kompost",
    "Leitungs",
    "Lotterie",
    "Mobilfunk",
    "Nutzungs",
    "Ordnungs",
    "Plakat",
    "Rettungs",
    "Sonder",
    "Spielplatz",
    "Stellplatz",
    "Tagespflege",
    "Tankstellen",
    "Umzugs",
    "Werbe",
    "Zuwanderungs",
    "Schwimmbad",
    "Bibliotheks",
    "Museums",
    "Archiv",
    "Kataster",
    "Grenz",
    "Flur",
    "Holz",
    "Jagdpacht",
    "Weide",
    "Obstbaum",
    "Hecken",
    "Bach",
    "Teich",
    "Deich",
]
#: Second parts: (noun, gender) — gender for articles in the texts.
HEAD = [
    ("genehmigung", "f"),
    ("erlaubnis", "f"),
    ("bescheinigung", "f"),
    ("ausweis", "m"),
    ("karte", "f"),
    ("zulassung", "f"),
    ("anzeige", "f"),
    ("meldung", "f"),
    ("steuer", "f"),
    ("gebühr", "f"),
    ("zuschuss", "m"),
    ("förderung", "f"),
    ("beihilfe", "f"),
    ("auskunft", "f"),
    ("bescheid", "m"),
    ("registrierung", "f"),
    ("eintragung", "f"),
    ("prüfung", "f"),
    ("abnahme", "f"),
    ("befreiung", "f"),
    ("ermäßigung", "f"),
    ("verlängerung", "f"),
    ("änderung", "f"),
    ("löschung", "f"),
    ("anmeldung", "f"),
    ("abmeldung", "f"),
    ("vorbescheid", "m"),
    ("zeugnis", "n"),
    ("nachweis", "m"),
    ("plakette", "f"),
    ("schein", "m"),
    ("lizenz", "f"),
    ("konzession", "f"),
    ("zertifikat", "n"),
    ("ausnahmegenehmigung", "f"),
    ("sondernutzung", "f"),
    ("beratung", "f"),
    ("untersuchung", "f"),
    ("kontrolle", "f"),
    ("überwachung", "f"),
    ("beitrag", "m"),
    ("abgabe", "f"),
    ("erstattung", "f"),
    ("vergütung", "f"),
    ("unterstützung", "f"),
    ("bewilligung", "f"),
    ("anerkennung", "f"),
    ("beglaubigung", "f"),
    ("bestätigung", "f"),
    ("urkunde", "f"),
    ("akte", "f"),
    ("einsicht", "f"),
    ("widerspruch", "m"),
    ("stundung", "f"),
    ("rückerstattung", "f"),
    ("kostenübernahme", "f"),
    ("pauschale", "f"),
    ("versicherung", "f"),
    ("vollmacht", "f"),
    ("vormerkung", "f"),
    ("zuteilung", "f"),
    ("zuweisung", "f"),
    ("vermittlung", "f"),
    ("begutachtung", "f"),
    ("besichtigung", "f"),
    ("einweisung", "f"),
    ("schulung", "f"),
    ("belehrung", "f"),
    ("befähigung", "f"),
    ("sachkunde", "f"),
    ("aufsicht", "f"),
    ("satzung", "f"),
    ("planung", "f"),
    ("beteiligung", "f"),
    ("kataster", "n"),
    ("register", "n"),
    ("verzeichnis", "n"),
    ("gutachten", "n"),
    ("kennzeichen", "n"),
    ("vertrag", "m"),
    ("plan", "m"),
]
#: Heads that say nearly the same, for service synonyms.
KINDRED = [
    {"genehmigung", "erlaubnis", "bewilligung", "zulassung", "lizenz", "konzession"},
    {"bescheinigung", "nachweis", "bestätigung", "zertifikat", "zeugnis", "urkunde"},
    {"anzeige", "meldung", "anmeldung", "registrierung", "eintragung"},
    {"zuschuss", "förderung", "beihilfe", "unterstützung", "erstattung", "kostenübernahme"},
    {"befreiung", "ermäßigung", "stundung"},
    {"gebühr", "abgabe", "beitrag", "steuer", "pauschale"},
    {"prüfung", "kontrolle", "untersuchung", "begutachtung", "besichtigung", "abnahme"},
    {"ausweis", "karte", "schein", "plakette"},
]
VERBS = (
    ["beantragen"] * 18
    + ["anmelden"] * 3
    + ["anzeigen"] * 3
    + ["melden"] * 2
    + ["verlängern"] * 2
    + ["ändern"] * 2
    + [
        "abmelden",
        "einreichen",
        "widerrufen",
        "zurückgeben",
        "übertragen",
        "erneuern",
        "ersetzen lassen",
        "prüfen lassen",
        "ausstellen lassen",
        "abholen",
        "einsehen",
        "anfordern",
        "erteilen lassen",
        "bezahlen",
        "erstatten lassen",
        "kündigen",
        "berichtigen lassen",
        "vorlegen",
    ]
)
QUALIFIERS = [
    "für Vereine",
    "für Unternehmen",
    "für Privatpersonen",
    "im Außenbereich",
    "für Minderjährige",
    "für Landwirte",
    "für Gewerbetreibende",
    "auf Zeit",
    "für Veranstaltungen",
    "für Studierende",
    "aus dem Ausland",
    "für Senioren",
    "für Menschen mit Behinderung",
    "für Neubauten",
    "im Eilverfahren",
    "für Kleinbetriebe",
    "für Kommunen",
    "für Ehrenamtliche",
    "bei Umzug",
    "nach Verlust",
]
TAILS = [
    "verfahren",
    "antrag",
    "formular",
    "frist",
    "stelle",
    "behörde",
    "unterlagen",
    "pflicht",
    "recht",
    "gesetz",
    "verordnung",
    "bescheid",
    "gebühr",
    "richtlinie",
    "merkblatt",
    "vordruck",
    "nummer",
    "register",
    "termin",
    "kosten",
]
ACTIVITIES = [
    "ein Gewerbe betreiben",
    "ein Grundstück bebauen",
    "eine Veranstaltung planen",
    "einen Hund halten",
    "in eine neue Wohnung ziehen",
    "Abwasser einleiten",
    "einen Baum fällen",
    "ein Fahrzeug nutzen",
    "Tiere halten",
    "einen Verein gründen",
    "im Ausland leben",
    "Kinder betreuen lassen",
    "Lebensmittel verkaufen",
    "eine Anlage errichten",
    "einen Brunnen bohren",
    "Plakate aufhängen",
    "eine Gaststätte eröffnen",
    "Feuerwerk abbrennen",
    "einen Markt veranstalten",
    "Fördermittel erhalten möchten",
    "ein Denkmal sanieren",
    "Müll entsorgen",
    "eine Solaranlage bauen",
    "einen Angehörigen pflegen",
    "eine Ausbildung beginnen",
    "Ihren Wohnsitz verlegen",
    "ein Haus abreißen",
    "eine Straße sperren",
    "Waffen besitzen",
    "jagen oder angeln möchten",
]
AUTHORITIES_F = [
    "Behörde",
    "Gemeinde",
    "Kreisverwaltung",
    "Stadtverwaltung",
    "Landesbehörde",
    "Ordnungsbehörde",
    "Bauaufsicht",
    "Fachstelle",
]
INSTITUTIONS = [
    "der Behörde",
    "dem Arbeitgeber",
    "der Krankenkasse",
    "dem Finanzamt",
    "der Schule",
    "dem Vermieter",
    "der Versicherung",
    "dem Gericht",
    "der Bank",
    "dem Standesamt",
]
DOCUMENTS = [
    "Personalausweis oder Reisepass",
    "Meldebescheinigung",
    "Lageplan",
    "Nachweis über das Einkommen",
    "Vollmacht",
    "aktuelles Lichtbild",
    "Handelsregisterauszug",
    "Bauzeichnungen",
    "Mietvertrag",
    "Geburtsurkunde",
    "Führungszeugnis",
    "Gesundheitszeugnis",
    "Kontoauszug",
    "Versicherungsnachweis",
]
EVENTS = [
    "Beginn der Maßnahme",
    "der Veranstaltung",
    "dem Einzug",
    "Baubeginn",
    "Ablauf der Frist",
    "Eröffnung des Betriebs",
    "Beginn des Schuljahres",
    "der Inbetriebnahme",
]
CLAUSES = [
    "Sie volljährig sind",
    "Sie Ihren Wohnsitz in der Gemeinde haben",
    "die Voraussetzungen nach dem Landesrecht erfüllt sind",
    "keine öffentlichen Belange entgegenstehen",
    "Sie zuverlässig sind",
    "die Unterlagen vollständig vorliegen",
    "die Nachbarn beteiligt wurden",
    "das Vorhaben genehmigungsfähig ist",
    "Sie die Gebühr bezahlt haben",
    "der Betrieb angemeldet ist",
]
BUREAUS = {
    "gemeinde": ["Bürgerbüro", "Ordnungsamt", "Bauamt"],
    "kreis": ["Straßenverkehrsamt", "Jugendamt", "Ausländerbehörde"],
    "land": ["Landesverwaltungsamt", "Landesamt für Umwelt"],
}
#: Gemeinde / Kreis / Land share of the synthetic services.
LEVELS = [("gemeinde", 55), ("kreis", 35), ("land", 10)]
TYPISIERUNG = {"gemeinde": ["2/3", "5", "2"], "kreis": ["2", "2/3", "4"], "land": ["4", "1", "3"]}
JOINTS = ("ung", "heit", "keit", "schaft", "tion", "tät")


def cap(word: str) -> str:
    return word[:1].upper() + word[1:]


def compound(first: str, head: str) -> str:
    return first + head


def long_compound(first: str, head: str, tail: str) -> str:
    return first + head + ("s" if head.endswith(JOINTS) else "") + tail


def keyword_of(first: str) -> str:
    """The first part as a word of its own: "Bestattungs" → "Bestattung"."""
    if first.endswith("ungs") or first.endswith("heits") or first.endswith("schafts"):
        return first[:-1]
    return first


ARTICLES = {  # (definite nominative, indefinite accusative, definite dative)
    "f": ("die", "eine", "der"),
    "m": ("der", "einen", "dem"),
    "n": ("das", "ein", "dem"),
}


# ------------------------------------------------------------------------------- scale


@dataclass(frozen=True)
class Scale:
    name: str
    municipalities: int
    services: int
    offerings: int
    #: rules per municipality / per Kreis
    gemeinde_rules: int
    kreis_rules: int
    #: timing parameters used by catalog_scale.py
    search_reps: int
    finder_lookups: int
    http_seconds: int
    #: XZuFi slices to import: (Leistungen, municipalities with one new authority each)
    import_slices: tuple[tuple[int, int], ...]
    leika_import: int


SCALES = {
    "germany": Scale(
        "germany",
        10_800,
        10_000,
        3_000_000,
        60,
        150,
        3,
        2_000,
        30,
        ((10, 60), (25, 120)),
        10_000,
    ),
    "small": Scale(
        "small",
        800,
        1_000,
        100_000,
        30,
        40,
        1,
        300,
        5,
        ((4, 20),),
        500,
    ),
}


# -------------------------------------------------------------------------------- input


@dataclass
class Existing:
    """What the product's loaders created before generation (read by catalog_scale.py)."""

    #: Hesse's regions: (id, ars, kind, parent_id)
    regions: list[tuple[int, str, str, int | None]]
    #: organisations: (id, region_id, kind)
    organisations: list[tuple[int, int, str]]
    #: shipped services: (id, level, leika_key, ozg_id)
    services: list[tuple[int, str, str, str]]
    #: OZG bundles: (id, ozg_id)
    bundles: list[tuple[int, str]]
    #: organisation id → slug; the services' slugs
    org_slugs: dict[int, str]
    service_slugs: set[str]
    next_ids: dict[str, int]  # table → first free id


@dataclass
class Muni:
    org_id: int
    ars: str
    kreis_org: int
    land: str
    authorities: list[int]
    slug: str


@dataclass
class World:
    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: for the benchmark's queries and lookups
    municipalities: list[Muni] = field(default_factory=list)
    service_names: dict[int, str] = field(default_factory=dict)
    service_level: dict[int, str] = field(default_factory=dict)
    service_meta: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: (service id, municipality ARS, tier) pairs a rule covers
    rule_pairs: list[tuple[int, str, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def table(self, name: str, columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
        self.columns[name] = columns
        return self.rows.setdefault(name, [])


COLUMNS = {
    "regions_region": (
        "id",
        "ars",
        "ags",
        "name",
        "official_name",
        "name_folded",
        "kind",
        "parent_id",
        "population",
        "area_km2",
        "postcode",
        "sonderstatusstadt",
    ),
    "organisations_organisation": (
        "id",
        "name",
        "slug",
        "kind",
        "region_id",
        "email",
        "phone",
        "website",
        "street",
        "postcode",
        "city",
        "is_active",
    ),
    "organisations_authority": (
        "id",
        "organisation_id",
        "name",
        "email",
        "phone",
        "street",
        "postcode",
        "city",
        "room",
    ),
    "catalog_service": (
        "id",
        "leika_key",
        "slug",
        "leika_name",
        "name_de",
        "name_en",
        "short_text_de",
        "short_text_en",
        "full_text_de",
        "full_text_en",
        "costs_de",
        "costs_en",
        "deadlines_de",
        "deadlines_en",
        "processing_time_de",
        "processing_time_en",
        "required_documents_de",
        "required_documents_en",
        "prerequisites_de",
        "prerequisites_en",
        "hints_de",
        "hints_en",
        "legal_basis",
        "keywords",
        "synonyms",
        "typisierung",
        "ozg_bundle_id",
        "trust_level",
        "valid_from",
        "valid_until",
        "external_id",
        "scheme_agency",
        "updated_at",
    ),
    "catalog_offering": (
        "id",
        "organisation_id",
        "service_id",
        "channel",
        "status",
        "maturity",
        "fees",
        "online_url",
        "receiving_authority_id",
    ),
    "catalog_responsibility": (
        "id",
        "service_id",
        "area",
        "authority_id",
        "organisation_id",
        "external_id",
        "scheme_agency",
    ),
    "organisations_delegationagreement": (
        "id",
        "delegating_id",
        "processing_id",
        "scope",
        "scope_value",
        "valid_from",
        "valid_until",
    ),
}
#: Load order (foreign keys point backwards).
TABLES = list(COLUMNS)


# ------------------------------------------------------------------------------- build


def distribute(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` proportionally to ``weights`` (largest remainder; each at least 1)."""
    whole = sum(weights)
    shares = [max(1, total * w // whole) for w in weights]
    remainders = sorted(
        range(len(weights)), key=lambda i: -(total * weights[i] / whole - shares[i])
    )
    i = 0
    while sum(shares) < total:
        shares[remainders[i % len(weights)]] += 1
        i += 1
    while sum(shares) > total:
        j = max(range(len(shares)), key=lambda k: shares[k])
        shares[j] -= 1
    return shares


class _Builder:
    def __init__(
        self, scale: Scale, existing: Existing, german_slug: Any, fold: Any, unique_slug: Any
    ) -> None:
        self.all_authorities: dict[int, list[int]] = {}
        self.kreis_authorities: dict[int, list[int]] = {}
        self.scale = scale
        self.existing = existing
        self.rng = random.Random(SEED)
        self.german_slug = german_slug
        self.fold = fold
        self.unique_slug = unique_slug
        self.ids = dict(existing.next_ids)
        self.world = World()
        for table, columns in COLUMNS.items():
            self.world.table(table, columns)
        self.org_slugs: set[str] = set()

    def next_id(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    # ------------------------------------------------------------------ places

    def town_name(self) -> str:
        r = self.rng
        name = r.choice(TOWN_PREFIX) + r.choice(TOWN_ROOT) + r.choice(TOWN_SUFFIX)
        if name.startswith(("Bad ", "Sankt ")):
            return name[:4] + cap(name[4:].lstrip()) if name.startswith("Bad ") else name
        return cap(name.lower()) if name[0].islower() else name[0] + name[1:].lower()

    def region(
        self, ars: str, name: str, kind: str, parent: int | None, population: int | None
    ) -> int:
        region_id = self.next_id("regions_region")
        ags = ars[:5] + ars[9:] if kind in ("gemeinde", "stadt", "kreisfreie_stadt") else ""
        postcode = f"{self.rng.randint(1067, 99998):05d}" if ags else ""
        area = f"{self.rng.uniform(5, 300):.2f}" if population else None
        self.world.rows["regions_region"].append(
            (
                region_id,
                ars,
                ags,
                name,
                name,
                self.fold(name),
                kind,
                parent,
                population,
                area,
                postcode,
                False,
            )
        )
        return region_id

    def organisation(
        self, name: str, kind: str, region_id: int | None, city: str, slug_base: str
    ) -> int:
        org_id = self.next_id("organisations_organisation")
        slug = self.german_slug(slug_base)[:90]
        if slug in self.org_slugs:
            slug = f"{slug}-{org_id}"
        self.org_slugs.add(slug)
        self.world.rows["organisations_organisation"].append(
            (
                org_id,
                name,
                slug,
                kind,
                region_id,
                f"poststelle@{slug}.example.de",
                f"0{self.rng.randint(2000, 9999)} {self.rng.randint(1000, 99999)}",
                f"https://www.{slug}.example.de",
                f"{self.rng.choice(STREETS)} {self.rng.randint(1, 40)}",
                "",
                city,
                True,
            )
        )
        return org_id

    def authorities(self, org_id: int, level: str, city: str, count: int) -> list[int]:
        ids = []
        for name in BUREAUS[level][:count]:
            authority_id = self.next_id("organisations_authority")
            self.world.rows["organisations_authority"].append(
                (
                    authority_id,
                    org_id,
                    name,
                    f"{self.german_slug(name)}-{org_id}@example.de",
                    f"0{self.rng.randint(2000, 9999)} {self.rng.randint(1000, 99999)}",
                    f"{self.rng.choice(STREETS)} {self.rng.randint(1, 40)}",
                    "",
                    city,
                    f"{self.rng.randint(1, 3)}.{self.rng.randint(1, 40):02d}",
                )
            )
            ids.append(authority_id)
        return ids

    def places(self) -> None:
        """Länder, Kreise and municipalities; Hesse from the real data."""
        existing = self.existing
        region_by_id = {r[0]: r for r in existing.regions}
        org_by_region = {o[1]: o for o in existing.organisations}
        self.org_slugs = set(existing.org_slugs.values())
        self.land_orgs: dict[str, int] = {}
        self.kreise: list[tuple[int, str]] = []  # (kreis org id, 5-digit prefix)
        world = self.world
        others = [land for land in LAENDER if land[0] != HESSE]
        hesse_munis = [
            r for r in existing.regions if r[2] in ("gemeinde", "stadt", "kreisfreie_stadt")
        ]
        synthetic = self.scale.municipalities - len(hesse_munis)
        counts = distribute(synthetic, [land[2] for land in others])
        # --- Hesse: real regions and organisations, authorities generated
        hesse_land = next(r for r in existing.regions if r[2] == "land")
        self.land_orgs[HESSE] = self.organisation(
            "Landesverwaltungsamt Hessen",
            "state_authority",
            hesse_land[0],
            "Wiesbaden",
            "landesverwaltungsamt-hessen",
        )
        self.authorities(self.land_orgs[HESSE], "land", "Wiesbaden", 2)
        kreis_org: dict[int, int] = {}
        for region_id, ars, kind, _parent in existing.regions:
            if kind in ("kreis", "kreisfreie_stadt") and region_id in org_by_region:
                org_id = org_by_region[region_id][0]
                kreis_org[region_id] = org_id
                self.kreise.append((org_id, ars[:5]))
                if kind == "kreis":
                    self.authorities(org_id, "kreis", "", 3)
        for region_id, ars, kind, parent in hesse_munis:
            if region_id not in org_by_region:
                continue
            org_id = org_by_region[region_id][0]
            city = ""
            own = self.authorities(org_id, "gemeinde", city, 3 if kind != "gemeinde" else 2)
            if kind == "kreisfreie_stadt":
                own += self.authorities(org_id, "kreis", city, 3)
                k_org = org_id
            else:
                k_org = kreis_org.get(parent or 0) or kreis_org[region_by_id[parent][3]]
            world.municipalities.append(Muni(org_id, ars, k_org, HESSE, own, ""))
        # --- the other Länder, generated
        for (code, land_name, _real, real_kreise), count in zip(others, counts, strict=True):
            land_region = self.region(f"{code}0000000000", land_name, "land", None, None)
            self.land_orgs[code] = self.organisation(
                f"Landesverwaltungsamt {land_name}",
                "state_authority",
                land_region,
                land_name,
                f"landesverwaltungsamt-{land_name}",
            )
            self.authorities(self.land_orgs[code], "land", land_name, 2)
            if code in CITY_STATES:  # kreisfreie Städte directly under the Land
                for index in range(count):
                    name = land_name if index == 0 else f"{land_name} {index + 1}"
                    name = {"Bremen 2": "Bremerhaven"}.get(name, name)
                    ars = f"{code}{index + 1:03d}0000000"
                    region_id = self.region(
                        ars,
                        name,
                        "kreisfreie_stadt",
                        land_region,
                        self.rng.randint(100_000, 3_600_000),
                    )
                    org_id = self.organisation(
                        f"Stadt {name}", "kreisfreie_stadt", region_id, name, name
                    )
                    own = self.authorities(org_id, "gemeinde", name, 3)
                    own += self.authorities(org_id, "kreis", name, 3)
                    self.kreise.append((org_id, ars[:5]))
                    world.municipalities.append(Muni(org_id, ars, org_id, code, own, ""))
                continue
            kreise = min(count, max(1, round(real_kreise * count / _real)))
            free = kreise // 10  # ~10 % of Kreise are kreisfreie Städte: one municipality
            sizes = [1] * free + distribute(count - free, [1] * (kreise - free))
            bezirke = BEZIRKE.get(code, 0)
            for k, size in enumerate(sizes):
                bezirk = (k % bezirke) + 1 if bezirke else 0
                number = k // bezirke + 1 if bezirke else k + 1
                prefix = f"{code}{bezirk}{number:02d}"
                if k < free:  # a kreisfreie Stadt
                    name = self.town_name()
                    ars = f"{prefix}0000000"
                    region_id = self.region(
                        ars,
                        name,
                        "kreisfreie_stadt",
                        land_region,
                        self.rng.randint(40_000, 600_000),
                    )
                    org_id = self.organisation(
                        f"Stadt {name}", "kreisfreie_stadt", region_id, name, f"{name}-{ars}"
                    )
                    own = self.authorities(org_id, "gemeinde", name, 3)
                    own += self.authorities(org_id, "kreis", name, 3)
                    self.kreise.append((org_id, prefix))
                    world.municipalities.append(Muni(org_id, ars, org_id, code, own, ""))
                    continue
                kreis_name = self.town_name()
                kreis_region = self.region(
                    f"{prefix}0000000",
                    f"Landkreis {kreis_name}",
                    "kreis",
                    land_region,
                    self.rng.randint(60_000, 400_000),
                )
                k_org = self.organisation(
                    f"Landkreis {kreis_name}",
                    "kreis",
                    kreis_region,
                    "",
                    f"landkreis-{kreis_name}-{prefix}",
                )
                self.authorities(k_org, "kreis", kreis_name, 3)
                self.kreise.append((k_org, prefix))
                for index in range(size):
                    verband, member = divmod(index, 8)
                    ars = f"{prefix}{5001 + verband:04d}{member + 1:03d}"
                    name = self.town_name()
                    kind = "stadt" if self.rng.random() < 0.3 else "gemeinde"
                    population = int(min(400_000, self.rng.lognormvariate(9.0, 1.1)))
                    region_id = self.region(ars, name, kind, kreis_region, population)
                    prefix_word = "Stadt" if kind == "stadt" else "Gemeinde"
                    org_id = self.organisation(
                        f"{prefix_word} {name}", kind, region_id, name, f"{name}-{ars}"
                    )
                    own = self.authorities(org_id, "gemeinde", name, 3 if kind == "stadt" else 2)
                    world.municipalities.append(Muni(org_id, ars, k_org, code, own, ""))

    # ---------------------------------------------------------------- services

    def services(self) -> None:
        r = self.rng
        world = self.world
        existing = self.existing
        for service_id, level, _key, ozg_id in existing.services:
            world.service_level[service_id] = level
            world.service_meta[service_id] = {"ozg_id": ozg_id, "real": True}
        bundles = existing.bundles
        heads = dict(HEAD)
        combos = [(f, h) for f in FIRST for h, _g in HEAD]
        r.shuffle(combos)
        synthetic = self.scale.services - len(existing.services)
        if synthetic > len(combos):
            raise ValueError("word lists too small for this many services")
        levels = [level for level, weight in LEVELS for _ in range(weight)]
        rows = world.rows["catalog_service"]
        taken = set(existing.service_slugs)
        for n in range(synthetic):
            first, head = combos[n]
            gender = heads[head]
            noun = compound(first, head)
            verb = r.choice(VERBS)
            roll = r.random()
            if roll < 0.6:
                name = f"{noun} {verb}"
            elif roll < 0.85:
                name = f"{noun} {r.choice(QUALIFIERS)} {verb}"
            else:
                name = f"Antrag auf {noun}"
            level = r.choice(levels)
            service_id = self.next_id("catalog_service")
            slug = self.unique_slug(name, taken)
            nom, acc, dat = ARTICLES[gender]

            def other() -> str:
                f2, h2 = r.choice(FIRST), r.choice(HEAD)[0]
                return (
                    cap(compound(f2, h2))
                    if r.random() < 0.6
                    else cap(long_compound(f2, h2, r.choice(TAILS)))
                )

            short = r.choice(
                [
                    f"Sie brauchen {acc} {noun}, wenn Sie {r.choice(ACTIVITIES)}.",
                    f"{cap(nom)} {noun} erteilt die zuständige {r.choice(AUTHORITIES_F)}.",
                    f"Mit {dat} {noun} weisen Sie gegenüber {r.choice(INSTITUTIONS)} nach, "
                    f"dass {r.choice(CLAUSES)}.",
                    f"Beantragen Sie {nom if gender == 'f' else acc} {noun} rechtzeitig vor "
                    f"{r.choice(EVENTS)}.",
                ]
            )
            sentences = [
                f"{cap(nom)} {noun} ist im {long_compound(first, head, 'verfahren')} "
                f"bei der {r.choice(AUTHORITIES_F)} zu beantragen.",
                f"Wer {r.choice(ACTIVITIES)} will, braucht in vielen Fällen auch "
                f"{other()} oder {other()}.",
                f"Die {cap(long_compound(first, head, r.choice(TAILS)))} regelt, "
                f"wann {r.choice(CLAUSES)}.",
                f"Zuständig ist die {r.choice(AUTHORITIES_F)}; sie prüft {other()} und {other()}.",
                f"Für {keyword_of(first)} gelten zusätzlich die Regeln zur {other()}.",
                f"Hinweise zur {other()} finden Sie im {other()}.",
            ]
            r.shuffle(sentences)
            full = " ".join(sentences[: r.randint(3, 6)])
            kin = next((k for k in KINDRED if head in k), None)
            synonyms = []
            if kin:
                synonyms.append(cap(compound(first, r.choice(sorted(kin - {head})))))
            if r.random() < 0.3:
                synonyms.append(cap(long_compound(first, head, "antrag")))
            keywords = [keyword_of(first), cap(head), other()]
            if r.random() < 0.5:
                keywords.append(r.choice(ACTIVITIES).split()[-2])
            fee = r.choice([0, 0, 10, 15, 25, 30, 50, 75, 100, 150, 250])
            costs = (
                f"Die Gebühr beträgt {fee} Euro." if fee else f"{cap(nom)} {noun} ist gebührenfrei."
            )
            bundle_id, ozg_id = r.choice(bundles)
            typisierung = r.choice(TYPISIERUNG[level])
            trust = r.choices(["niedrig", "substanziell", "hoch"], [70, 25, 5])[0]
            rows.append(
                (
                    service_id,
                    f"999{service_id:011d}",
                    slug,
                    cap(noun),
                    name,
                    "",
                    short,
                    "",
                    full,
                    "",
                    costs,
                    "",
                    f"Der Antrag ist {r.randint(1, 8)} Wochen vor {r.choice(EVENTS)} zu stellen.",
                    "",
                    f"In der Regel {r.randint(1, 12)} Wochen.",
                    "",
                    "; ".join([*r.sample(DOCUMENTS, r.randint(1, 3)), other()]),
                    "",
                    f"Sie erhalten {acc} {noun}, wenn {r.choice(CLAUSES)}.",
                    "",
                    f"Die {other()} bleibt davon unberührt.",
                    "",
                    f"§ {r.randint(1, 120)} {keyword_of(first)[:3].upper()}G",
                    "\n".join(keywords),
                    "\n".join(synonyms),
                    typisierung,
                    bundle_id,
                    trust,
                    None,
                    None,
                    "",
                    "",
                    NOW,
                )
            )
            world.service_names[service_id] = name
            world.service_level[service_id] = level
            world.service_meta[service_id] = {"ozg_id": ozg_id, "real": False}
        world.counts["services_synthetic"] = synthetic

    # -------------------------------------------------------- offerings, rules

    def offerings_and_rules(self) -> None:
        r = self.rng
        world = self.world
        scale = self.scale
        by_level: dict[str, list[int]] = {"gemeinde": [], "kreis": [], "land": []}
        for service_id in sorted(world.service_level):
            by_level[world.service_level[service_id]].append(service_id)
        real_gemeinde = [s for s in by_level["gemeinde"] if world.service_meta[s]["real"]]
        real_kreis = [s for s in by_level["kreis"] if world.service_meta[s]["real"]]
        synth_gemeinde = [s for s in by_level["gemeinde"] if not world.service_meta[s]["real"]]
        synth_kreis = [s for s in by_level["kreis"] if not world.service_meta[s]["real"]]
        offerings = world.rows["catalog_offering"]
        rules = world.rows["catalog_responsibility"]
        org_slug = {row[0]: row[2] for row in world.rows["organisations_organisation"]}
        org_slug.update(self.existing.org_slugs)

        def offer(org_id: int, service_id: int, authority: int) -> None:
            roll = r.random()
            if roll < 0.30:  # online, mostly live
                channel = "online" if r.random() < 0.5 else "both"
                status = "live" if r.random() < 0.85 else "pilot"
                maturity = r.randint(2, 4)
                url = f"https://portal.example.de/{org_slug.get(org_id, org_id)}/{service_id}"
            else:
                channel = "in_person"
                status = "live" if roll < 0.9 else "planned"
                maturity = r.randint(0, 1)
                url = ""
            fees = "" if r.random() < 0.6 else f"{r.choice([5, 10, 20, 35, 50])},00 EUR"
            offerings.append(
                (
                    self.next_id("catalog_offering"),
                    org_id,
                    service_id,
                    channel,
                    status,
                    maturity,
                    fees,
                    url,
                    authority,
                )
            )

        # Kreise: their rules and offerings
        kreis_services = min(scale.kreis_rules, len(by_level["kreis"]))
        kreis_rules: dict[int, list[int]] = {}
        for k_org, prefix in self.kreise:
            chosen = real_kreis + r.sample(synth_kreis, max(0, kreis_services - len(real_kreis)))
            kreis_rules[k_org] = chosen
            authorities = self.kreis_authorities.get(k_org) or self.all_authorities[k_org]
            for service_id in chosen:
                authority = r.choice(authorities)
                rules.append(
                    (
                        self.next_id("catalog_responsibility"),
                        service_id,
                        prefix,
                        authority,
                        k_org,
                        "",
                        "",
                    )
                )
                offer(k_org, service_id, authority)
        kreis_offerings = len(offerings)
        # Länder: every Land-level service
        land_count = 0
        for code, org_id in sorted(self.land_orgs.items()):
            authorities = self.all_authorities[org_id]
            for service_id in by_level["land"]:
                rules.append(
                    (
                        self.next_id("catalog_responsibility"),
                        service_id,
                        code,
                        r.choice(authorities),
                        org_id,
                        "",
                        "",
                    )
                )
                land_count += 1
        # municipalities
        municipalities = world.municipalities
        per = distribute(scale.offerings - kreis_offerings, [1] * len(municipalities))
        for muni, count in zip(municipalities, per, strict=True):
            sample = r.sample(synth_gemeinde, max(0, count - len(real_gemeinde)))
            offered = real_gemeinde + sample
            for service_id in offered:
                offer(muni.org_id, service_id, muni.authorities[0])
            ruled = r.sample(real_gemeinde, min(len(real_gemeinde), scale.gemeinde_rules // 3))
            ruled += sample[: scale.gemeinde_rules - len(ruled)]
            for service_id in ruled:
                rules.append(
                    (
                        self.next_id("catalog_responsibility"),
                        service_id,
                        muni.ars,
                        r.choice(muni.authorities[:2]),
                        muni.org_id,
                        "",
                        "",
                    )
                )
            # lookup pairs: this place, with a service of each tier
            world.rule_pairs.append((r.choice(ruled), muni.ars, "gemeinde"))
            k_rules = kreis_rules.get(muni.kreis_org, [])
            if k_rules:
                world.rule_pairs.append((r.choice(k_rules), muni.ars, "kreis"))
            if by_level["land"]:
                world.rule_pairs.append((r.choice(by_level["land"]), muni.ars, "land"))
        world.counts.update(
            offerings=len(offerings),
            kreis_offerings=kreis_offerings,
            responsibilities=len(rules),
            land_rules=land_count,
        )

    def delegations(self) -> None:
        r = self.rng
        world = self.world
        rows = world.rows["organisations_delegationagreement"]
        by_kreis: dict[int, list[Muni]] = {}
        for muni in world.municipalities:
            by_kreis.setdefault(muni.kreis_org, []).append(muni)
        ozg_ids = sorted({m["ozg_id"] for m in world.service_meta.values() if m["ozg_id"]})
        leika = {row[0]: row[1] for row in world.rows["catalog_service"]}
        leika.update({s[0]: s[2] for s in self.existing.services})
        service_ids = sorted(leika)
        start = datetime.date(2024, 1, 1)
        for muni in world.municipalities:
            roll = r.random()
            if roll >= 0.08:
                continue
            neighbours = [m for m in by_kreis[muni.kreis_org] if m.org_id != muni.org_id]
            until = None if r.random() < 0.8 else datetime.date(2025, 12, 31)
            if roll < 0.02 and muni.kreis_org != muni.org_id:
                rows.append(
                    (
                        self.next_id("organisations_delegationagreement"),
                        muni.org_id,
                        muni.kreis_org,
                        "all",
                        "",
                        start,
                        until,
                    )
                )
            elif neighbours and roll < 0.05:
                rows.append(
                    (
                        self.next_id("organisations_delegationagreement"),
                        muni.org_id,
                        r.choice(neighbours).org_id,
                        "bundle",
                        r.choice(ozg_ids),
                        start,
                        until,
                    )
                )
            elif neighbours:
                rows.append(
                    (
                        self.next_id("organisations_delegationagreement"),
                        muni.org_id,
                        r.choice(neighbours).org_id,
                        "service",
                        leika[r.choice(service_ids)],
                        start,
                        until,
                    )
                )
        world.counts["delegations"] = len(rows)


def build(
    scale: Scale, existing: Existing, *, german_slug: Any, fold: Any, unique_slug: Any
) -> World:
    """All rows to add for ``scale``, deterministic for a given ``existing`` state."""
    builder = _Builder(scale, existing, german_slug, fold, unique_slug)
    builder.places()
    authorities: dict[int, list[int]] = {}
    for row in builder.world.rows["organisations_authority"]:
        authorities.setdefault(row[1], []).append(row[0])
    builder.all_authorities = authorities
    builder.kreis_authorities = {org: ids[-3:] for org, ids in authorities.items()}
    builder.services()
    builder.offerings_and_rules()
    builder.delegations()
    world = builder.world
    for table in TABLES:
        width = len(COLUMNS[table])
        assert all(len(row) == width for row in world.rows[table]), table
        world.counts[table] = len(world.rows[table])
    return world
