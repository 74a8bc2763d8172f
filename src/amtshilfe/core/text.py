"""Text helpers for German names: folding for tolerant lookup, and ASCII slugs."""

from __future__ import annotations

import re
import unicodedata

from django.utils.text import slugify

_TRANSLITERATE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
_DIGRAPHS = re.compile(r"(?<=[a-z])(ae|oe|ue)")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Fold a name so spellings with and without umlauts meet.

    "Büdingen", "Buedingen" and "Budingen" all fold to "budingen"; "Groß-Gerau" and
    "Gross Gerau" to "gross gerau". Both the stored key and the query are folded, so the
    (rare) word with a genuine "ue" still finds itself.
    """
    text = unicodedata.normalize("NFC", text).lower().translate(_TRANSLITERATE)
    text = _DIGRAPHS.sub(lambda m: m.group(1)[0], text)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NON_WORD.sub(" ", text).strip()


def german_slug(text: str) -> str:
    """An ASCII slug that spells umlauts out: "Gießen" → "giessen", "Höchst" → "hoechst"."""
    return slugify(text.lower().translate(_TRANSLITERATE))
