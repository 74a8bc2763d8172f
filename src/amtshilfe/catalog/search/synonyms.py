"""Built-in synonyms: the words citizens type, mapped to the words the catalogue uses.

Expanded on the query side, so changing this map needs no reindex. A key is one to three
words, matched on stems after folding ("Hunde anmelden" matches "Hund anmelden"); its
expansions are searched as extra terms (each expansion's words in one field), worth a little
less than the citizen's own words. A service's own ``synonyms`` and ``keywords`` fields are
indexed with the service instead (weighted below its name); put service-specific words there
and only general colloquial language here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from amtshilfe.catalog.search import analysis

SYNONYMS: dict[str, tuple[str, ...]] = {
    # Meldewesen
    "Perso": ("Personalausweis",),
    "Ausweis": ("Personalausweis",),
    "ID card": ("Personalausweis",),
    "Identity card": ("Personalausweis",),
    "Pass": ("Reisepass",),
    "Passport": ("Reisepass",),
    "Kinderpass": ("Kinderreisepass",),
    "Umzug": ("Wohnsitz anmelden",),
    "umziehen": ("Wohnsitz anmelden",),
    "Ummeldung": ("Wohnsitz anmelden",),
    "ummelden": ("Wohnsitz anmelden",),
    "Wohnung anmelden": ("Wohnsitz anmelden",),
    "Anmeldung Wohnung": ("Wohnsitz anmelden",),
    "Wohnung abmelden": ("Wohnsitz abmelden",),
    "abmelden Wohnung": ("Wohnsitz abmelden",),
    "Wegzug": ("Wohnsitz abmelden",),
    "Auswandern": ("Wohnsitz abmelden",),
    "Zweitwohnsitz": ("Nebenwohnsitz",),
    "Polizeiliches Führungszeugnis": ("Führungszeugnis",),
    "Wahlschein": ("Briefwahl",),
    "Beglaubigung": ("Unterschrift beglaubigen",),
    "Fundbüro": ("Fundsache",),
    # Familie und Personenstand
    "heiraten": ("Eheschließung",),
    "Hochzeit": ("Eheschließung",),
    "Trauung": ("Eheschließung",),
    "Standesamt": ("Eheschließung", "Geburtsurkunde"),
    "Todesfall": ("Sterbefall",),
    "gestorben": ("Sterbefall", "Sterbeurkunde"),
    "Beerdigung": ("Bestattung",),
    "Kindergarten": ("Kita",),
    "Kindergartenplatz": ("Kita-Platz",),
    "Krippe": ("Kita",),
    "Krippenplatz": ("Kita-Platz",),
    "Tagesmutter": ("Kindertagespflege",),
    "Schulbus": ("Schülerbeförderung",),
    "Kirche austreten": ("Kirchenaustritt",),
    # Hund
    "Hund anmelden": ("Hundesteuer",),
    "Hundemarke": ("Hundesteuer",),
    "Kampfhund": ("gefährlicher Hund",),
    "Listenhund": ("gefährlicher Hund",),
    # Fahrzeuge
    "Auto": ("Fahrzeug",),
    "Kfz": ("Fahrzeug",),
    "Auto anmelden": ("Fahrzeug zulassen", "Kfz-Zulassung"),
    "Kfz anmelden": ("Fahrzeug zulassen", "Kfz-Zulassung"),
    "Auto ummelden": ("Fahrzeug zulassen",),
    "Zulassung": ("Fahrzeug zulassen",),
    "Auto abmelden": ("Fahrzeug abmelden",),
    "Kfz abmelden": ("Fahrzeug abmelden",),
    "Nummernschild": ("Kennzeichen",),
    "Autokennzeichen": ("Kennzeichen",),
    "Anwohnerparkausweis": ("Bewohnerparkausweis",),
    "Anwohnerparken": ("Bewohnerparkausweis",),
    "Parkausweis": ("Bewohnerparkausweis",),
    "Behindertenparkausweis": ("Parkausweis schwerbehinderte",),
    "Taxi": ("Taxigenehmigung",),
    # Bauen, Umwelt
    "Bauantrag": ("Baugenehmigung",),
    "bauen": ("Baugenehmigung",),
    "Abriss": ("Abrissgenehmigung",),
    "Baum fällen": ("Baumfällgenehmigung",),
    "Baumfällung": ("Baumfällgenehmigung",),
    "Sperrgut": ("Sperrmüll",),
    "Müll": ("Hausmüll", "Sperrmüll"),
    "Mülltonne": ("Hausmüll",),
    "Tonne": ("Hausmüll",),
    "Abfall": ("Hausmüll",),
    "Müllabfuhr": ("Hausmüll",),
    "Angelschein": ("Fischereischein",),
    "angeln": ("Fischereischein",),
    # Arbeit, Gewerbe, Geld
    "Gewerbeanmeldung": ("Gewerbe anmelden",),
    "Gewerbeschein": ("Gewerbe anmelden",),
    "selbstständig": ("Gewerbe anmelden",),
    "Firma gründen": ("Gewerbe anmelden",),
    "Kneipe": ("Gaststättenerlaubnis",),
    "Restaurant": ("Gaststättenerlaubnis",),
    "Konzession": ("Gaststättenerlaubnis",),
    "Mietzuschuss": ("Wohngeld",),
    "Sozialwohnung": ("Wohnberechtigungsschein",),
    "WBS": ("Wohnberechtigungsschein",),
    "Studienförderung": ("BAföG",),
    "Behindertenausweis": ("Schwerbehindertenausweis",),
    "Gesundheitszeugnis": ("Infektionsschutz Belehrung",),
    "Staatsangehörigkeit": ("Einbürgerung",),
    "deutscher Pass": ("Einbürgerung",),
    "Aufenthaltstitel": ("Aufenthaltserlaubnis",),
    "Visum": ("Aufenthaltserlaubnis",),
}

MAX_KEY_WORDS = 3


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    expansions: tuple[str, ...]


@cache
def _table() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Keys as tuples of stems, without stop words."""
    return {_stems(analysis.words(key)): expansions for key, expansions in SYNONYMS.items()}


def _stems(words: Sequence[str]) -> tuple[str, ...]:
    return tuple(analysis.stem(w) for w in words if not analysis.is_stop_word(w))


def find(words: Sequence[str]) -> list[Match]:
    """Synonyms among folded ``words``, longest first, not overlapping."""
    stems = _stems(words)
    if len(stems) != len(words):
        raise ValueError("find() expects words without stop words")
    table = _table()
    matches: list[Match] = []
    taken: set[int] = set()
    for size in range(min(MAX_KEY_WORDS, len(stems)), 0, -1):
        for start in range(len(stems) - size + 1):
            span = set(range(start, start + size))
            expansions = table.get(stems[start : start + size])
            if expansions and not span & taken:
                matches.append(Match(start, start + size, expansions))
                taken |= span
    return sorted(matches, key=lambda m: m.start)
