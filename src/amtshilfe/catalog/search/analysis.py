"""Text analysis shared by both backends: folding, words, stems, and the indexed fields.

Every text, indexed or typed, goes through :func:`amtshilfe.core.text.fold` first, so
"Führerschein", "Fuehrerschein" and "Fuhrerschein" are one word ("fuhrerschein") and "Straße"
is "strasse". Stemming comes after folding: PostgreSQL stems with its ``german`` (or
``english``) configuration, SQLite with the same Snowball algorithms in Python.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import snowballstemmer

from amtshilfe.catalog.search import stopwords
from amtshilfe.core.text import fold

_WORD = re.compile(r"[^\W_]+")
#: Words shorter than this are not offered as typo corrections.
MIN_VOCABULARY_LENGTH = 3


class Field(enum.IntEnum):
    """The indexed fields of a service, with their weights in :data:`WEIGHTS`."""

    NAME = 0
    ALIASES = 1  # the service's own synonyms and keywords
    SUMMARY = 2  # short text, LeiKa name, OZG bundle
    BODY = 3  # full text, costs, documents, prerequisites, hints
    NAME_EN = 4
    SUMMARY_EN = 5
    BODY_EN = 6


#: Points a word earns where it is found: a name match outranks any text match.
WEIGHTS = {
    Field.NAME: 100,
    Field.ALIASES: 70,
    Field.SUMMARY: 40,
    Field.BODY: 20,
    Field.NAME_EN: 100,
    Field.SUMMARY_EN: 40,
    Field.BODY_EN: 20,
}
GERMAN_FIELDS = (Field.NAME, Field.ALIASES, Field.SUMMARY, Field.BODY)
ENGLISH_FIELDS = (Field.NAME_EN, Field.SUMMARY_EN, Field.BODY_EN)
LABELS = {
    Field.NAME: "name",
    Field.ALIASES: "keyword",
    Field.SUMMARY: "summary",
    Field.BODY: "text",
    Field.NAME_EN: "name (en)",
    Field.SUMMARY_EN: "summary (en)",
    Field.BODY_EN: "text (en)",
}

_BODY_DE = (
    "full_text_de",
    "costs_de",
    "deadlines_de",
    "processing_time_de",
    "required_documents_de",
    "prerequisites_de",
    "hints_de",
)
_BODY_EN = tuple(name.replace("_de", "_en") for name in _BODY_DE)

_STEMMERS = {
    "de": snowballstemmer.stemmer("german"),
    "en": snowballstemmer.stemmer("english"),
}


@lru_cache(maxsize=200_000)
def stem(word: str, language: str = "de") -> str:
    """The Snowball stem of a folded word (the same algorithm PostgreSQL uses)."""
    return str(_STEMMERS[language].stemWord(word))


def is_stop_word(word: str, language: str = "de") -> bool:
    return word in (stopwords.ENGLISH if language == "en" else stopwords.GERMAN)


@dataclass(frozen=True)
class Token:
    """A folded word of a query, with the spelling the citizen typed."""

    word: str
    typed: str


def tokens(text: str) -> list[Token]:
    """The folded words of ``text``, each with its original spelling."""
    result: list[Token] = []
    for typed in _WORD.findall(text):
        result.extend(Token(word, typed) for word in fold(typed).split())
    return result


def words(text: str) -> list[str]:
    """The folded words of ``text``."""
    return fold(text).split()


@dataclass
class ServiceDocument:
    """What the index holds about one service: folded text per field, and its words."""

    service_id: int
    fields: dict[Field, str]
    #: folded word → the first spelling seen (lower case), for explanations.
    spellings: dict[str, str] = field(default_factory=dict)


def _join(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def document_for(service: Any) -> ServiceDocument:
    """Analyse a :class:`~amtshilfe.catalog.models.Service` (ozg_bundle selected) for the index."""
    bundle = service.ozg_bundle
    raw = {
        Field.NAME: service.name_de,
        Field.ALIASES: _join(service.synonyms, service.keywords),
        Field.SUMMARY: _join(
            service.short_text_de,
            service.leika_name,
            bundle.name if bundle else "",
        ),
        Field.BODY: _join(*(getattr(service, name) for name in _BODY_DE)),
        Field.NAME_EN: service.name_en,
        Field.SUMMARY_EN: service.short_text_en,
        Field.BODY_EN: _join(*(getattr(service, name) for name in _BODY_EN)),
    }
    spellings: dict[str, str] = {}
    for text in raw.values():
        for token in tokens(text):
            spellings.setdefault(token.word, token.typed.lower())
    return ServiceDocument(
        service_id=service.pk,
        fields={key: " ".join(words(text)) for key, text in raw.items()},
        spellings=spellings,
    )


def index_terms(text: str, language: str) -> str:
    """Terms FTS5 stores for a folded text: each word's stem, and the word itself for prefixes.

    Like PostgreSQL's ``german`` configuration joined with ``simple``: a stop word is kept
    only as itself (a prefix may still reach it), every other word as stem and word.
    """
    terms: list[str] = []
    for word in text.split():
        if is_stop_word(word, language):
            terms.append(word)
            continue
        stemmed = stem(word, language)
        terms.append(stemmed)
        if stemmed != word:
            terms.append(word)
    return " ".join(terms)


@dataclass(frozen=True)
class VocabularyWord:
    word: str
    spelling: str
    frequency: int


def vocabulary(documents: Iterable[ServiceDocument]) -> list[VocabularyWord]:
    """Distinct indexed words (typo corrections are chosen from these), with document counts."""
    counts: dict[str, int] = {}
    spellings: dict[str, str] = {}
    for document in documents:
        for word, spelling in document.spellings.items():
            if _is_vocabulary_word(word):
                counts[word] = counts.get(word, 0) + 1
                spellings.setdefault(word, spelling)
    return [VocabularyWord(word, spellings[word], counts[word]) for word in sorted(counts)]


def _is_vocabulary_word(word: str) -> bool:
    return (
        len(word) >= MIN_VOCABULARY_LENGTH
        and not word.isdigit()
        and not is_stop_word(word)
        and not is_stop_word(word, "en")
    )


def chunked(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau–Levenshtein distance (optimal string alignment), capped at ``limit + 1``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


def trigram_similarity(a: str, b: str) -> float:
    """pg_trgm's ``similarity()`` for one folded word each (both padded the same way)."""
    grams_a, grams_b = _trigrams(a), _trigrams(b)
    if not grams_a or not grams_b:
        return 0.0
    return len(grams_a & grams_b) / len(grams_a | grams_b)


def _trigrams(word: str) -> set[str]:
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}
