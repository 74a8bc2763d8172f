"""Query planning: from what the citizen typed to alternatives the backends look up.

A query becomes *groups*, one per typed word plus one per synonym found. A group holds
*alternatives* (the word itself, a typo correction, a synonym's expansion); a service earns,
per group, the points of its best alternative in its best field, and its score is the sum
over groups. So a service matching more of the query ranks higher, a name match beats a text
match, and an expansion or correction counts a little less than the citizen's own word.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from amtshilfe.catalog.search import analysis, synonyms
from amtshilfe.catalog.search.analysis import WEIGHTS, Field, Token, VocabularyWord

MAX_QUERY_LENGTH = 200
#: Words of a query looked at; more only make the SQL longer.
MAX_WORDS = 8
#: The last word also matches as a prefix (search as you type) from this length on.
MIN_PREFIX_LENGTH = 3
#: Words shorter than this are never corrected: too many real words are one edit apart.
MIN_TYPO_LENGTH = 5
#: pg_trgm's default ``similarity_threshold``; applied on both backends.
MIN_SIMILARITY = 0.3


class Kind(enum.StrEnum):
    WORD = "word"
    SYNONYM = "synonym"
    TYPO = "typo"


#: Share (percent) of a field's points an alternative earns.
FACTORS = {Kind.WORD: 100, Kind.SYNONYM: 90, Kind.TYPO: 80}


@dataclass(frozen=True)
class Alternative:
    """Words that must all occur in one field (the last may be a prefix)."""

    id: int
    group: int
    words: tuple[str, ...]
    kind: Kind
    prefix: bool = False
    english: bool = False  # also looked up in the English fields
    explanation: str = ""

    def points(self, field: Field) -> int:
        return WEIGHTS[field] * FACTORS[self.kind] // 100

    def code(self, field: Field) -> int:
        """Points, field and alternative in one integer, so SQL can keep the best with MAX()."""
        return encode(self.points(field), field, self.id)


def encode(points: int, field: Field, alternative_id: int) -> int:
    return points * 10_000 + int(field) * 1_000 + alternative_id


def decode(code: int) -> tuple[int, Field, int]:
    """(points, field, alternative id) of a code made by :func:`encode`."""
    points, rest = divmod(code, 10_000)
    return points, Field(rest // 1_000), rest % 1_000


@dataclass(frozen=True)
class QueryPlan:
    alternatives: tuple[Alternative, ...]

    def alternative(self, alternative_id: int) -> Alternative:
        return self.alternatives[alternative_id]


class Vocabulary(Protocol):
    """What planning needs from a backend (two indexed queries at most)."""

    def known(self, words: Sequence[tuple[str, bool]]) -> set[int]:
        """Indexes of ``(word, prefix)`` pairs with an indexed word of the same stem (or prefix)."""
        ...

    def similar(self, words: Sequence[str]) -> dict[int, list[VocabularyWord]]:
        """Candidates for correcting each word, by index (trigram neighbours)."""
        ...


def plan(query: str, *, english: bool, vocabulary: Vocabulary) -> QueryPlan | None:
    """The alternatives to look up for ``query``; None if nothing is left to search for."""
    typed = [t for t in analysis.tokens(query) if not analysis.is_stop_word(t.word)][:MAX_WORDS]
    if not typed:
        return None
    builder = _Builder(english)
    for index, token in enumerate(typed):
        prefix = index == len(typed) - 1 and len(token.word) >= MIN_PREFIX_LENGTH
        builder.add(
            index, (token.word,), Kind.WORD, prefix=prefix, english=english, explanation=token.typed
        )
    covered = builder.add_synonyms(typed, group=len(typed))
    suspects = [
        i
        for i, token in enumerate(typed)
        if i not in covered and len(token.word) >= MIN_TYPO_LENGTH and not token.word.isdigit()
    ]
    if suspects:
        _correct_typos(builder, typed, suspects, vocabulary)
    return QueryPlan(tuple(builder.alternatives))


class _Builder:
    def __init__(self, english: bool) -> None:
        self.english = english
        self.alternatives: list[Alternative] = []
        self.next_group = 0

    def add(
        self,
        group: int,
        words: tuple[str, ...],
        kind: Kind,
        *,
        prefix: bool = False,
        english: bool = False,
        explanation: str = "",
    ) -> None:
        if words:
            self.alternatives.append(
                Alternative(
                    len(self.alternatives), group, words, kind, prefix, english, explanation
                )
            )
            self.next_group = max(self.next_group, group + 1)

    def add_synonyms(self, typed: Sequence[Token], group: int) -> set[int]:
        """One group per synonym found in ``typed``; the positions it covers."""
        covered: set[int] = set()
        for match in synonyms.find([t.word for t in typed]):
            phrase = " ".join(t.typed for t in typed[match.start : match.end])
            group = max(group, self.next_group)
            for expansion in match.expansions:
                words = tuple(w for w in analysis.words(expansion) if not analysis.is_stop_word(w))
                explanation = f"{phrase} → {expansion}"
                self.add(group, words, Kind.SYNONYM, explanation=explanation)
            covered.update(range(match.start, match.end))
        return covered


def _correct_typos(
    builder: _Builder, typed: Sequence[Token], suspects: list[int], vocabulary: Vocabulary
) -> None:
    last = len(typed) - 1
    known = vocabulary.known(
        [(typed[i].word, i == last and len(typed[i].word) >= MIN_PREFIX_LENGTH) for i in suspects]
    )
    unknown = [i for n, i in enumerate(suspects) if n not in known]
    if not unknown:
        return
    candidates = vocabulary.similar([typed[i].word for i in unknown])
    for n, index in enumerate(unknown):
        best = best_correction(typed[index].word, candidates.get(n, []))
        if best is None:
            continue
        token = typed[index]
        builder.add(
            index,
            (best.word,),
            Kind.TYPO,
            english=builder.english,
            explanation=f"{token.typed} → {best.spelling}",
        )
        builder.add_synonyms([Token(best.word, best.spelling)], group=builder.next_group)


def max_edits(word: str) -> int:
    return 1 if len(word) < 8 else 2


def best_correction(word: str, candidates: Sequence[VocabularyWord]) -> VocabularyWord | None:
    """The closest indexed word: fewest edits, then most similar, then most frequent."""
    limit = max_edits(word)
    scored = []
    for candidate in candidates:
        similarity = analysis.trigram_similarity(word, candidate.word)
        if similarity < MIN_SIMILARITY or candidate.word == word:
            continue
        distance = analysis.edit_distance(word, candidate.word, limit)
        if distance <= limit:
            scored.append(
                ((distance, -similarity, -candidate.frequency, candidate.word), candidate)
            )
    return min(scored, key=lambda item: item[0])[1] if scored else None
