"""SQLite backend: an FTS5 table of stemmed terms, a word table, and a trigram index of words.

Tables (created by migration ``catalog.0003_search_index`` on SQLite only):

``catalog_search_fts``
    FTS5, rowid = service id, one column per :class:`~.analysis.Field`. Each column holds the
    field's folded words as Snowball stems (German or English) plus the unstemmed words, so a
    query matches ``stem`` exactly or the typed word as a prefix.
``catalog_search_word``
    The vocabulary (folded word, its spelling, German stem, document count).
``catalog_search_trigram``
    FTS5 with the ``trigram`` tokenizer over the vocabulary (external content, kept in step
    by :meth:`SQLiteBackend.write_vocabulary`; words are never deleted one by one): finds
    the candidates for a typo; edit distance is then computed in Python.

A query string for FTS5 is built only from folded words (``[a-z0-9]+``), each quoted, so
FTS5 syntax typed by a citizen (``NEAR``, ``*``, ``"``, ``:``) is plain text to it; the
string itself is passed as a parameter.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from amtshilfe.catalog.search import analysis
from amtshilfe.catalog.search.analysis import (
    ENGLISH_FIELDS,
    GERMAN_FIELDS,
    Field,
    ServiceDocument,
    VocabularyWord,
)
from amtshilfe.catalog.search.backends.base import Params, SearchBackend
from amtshilfe.catalog.search.query import Alternative

COLUMNS = {
    Field.NAME: "name",
    Field.ALIASES: "aliases",
    Field.SUMMARY: "summary",
    Field.BODY: "body",
    Field.NAME_EN: "name_en",
    Field.SUMMARY_EN: "summary_en",
    Field.BODY_EN: "body_en",
}
CANDIDATES = 50


def _quote(term: str) -> str:
    # Terms are folded words ([a-z0-9]+); quoting makes FTS5 read even "and" or "near" as text.
    return f'"{term}"'


def _expression(alternative: Alternative, language: str) -> str | None:
    words = [w for w in alternative.words if not analysis.is_stop_word(w, language)]
    if not words:
        return None
    terms = [_quote(analysis.stem(w, language)) for w in words]
    if alternative.prefix and len(words) == 1:
        return f"({terms[0]} OR {_quote(words[0])}*)"
    return "(" + " AND ".join(terms) + ")"


def _columns(field: Field, alternative: Alternative) -> str:
    """The column filter for ``field``; the lowest level of a phrase is "anywhere"."""
    if len(alternative.words) > 1 and field in (Field.BODY, Field.BODY_EN):
        fields = GERMAN_FIELDS if field == Field.BODY else ENGLISH_FIELDS
        return "{" + " ".join(COLUMNS[f] for f in fields) + "}"
    return COLUMNS[field]


_HITS = (
    "SELECT rowid, {group:d}, {code:d} FROM catalog_search_fts WHERE catalog_search_fts MATCH %s"
)
_KNOWN_STEM = "SELECT {index:d} WHERE EXISTS (SELECT 1 FROM catalog_search_word WHERE stem = %s)"
_KNOWN_PREFIX = " OR EXISTS (SELECT 1 FROM catalog_search_word WHERE word >= %s AND word < %s)"
_SIMILAR = (
    "SELECT {index:d}, w.word, w.spelling, w.frequency FROM catalog_search_word w JOIN ("
    "SELECT rowid, rank FROM catalog_search_trigram WHERE catalog_search_trigram MATCH %s "
    "ORDER BY rank LIMIT {limit:d}) t ON t.rowid = w.id"
)
_INSERT = (
    "INSERT INTO catalog_search_fts "
    "(rowid, name, aliases, summary, body, name_en, summary_en, body_en) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
)


class SQLiteBackend(SearchBackend):
    concat_codes = "group_concat(best.code %% 10000)"

    def hits_sql(self, alternative: Alternative) -> tuple[list[str], Params]:
        selects: list[str] = []
        params: Params = []
        languages: list[tuple[str, tuple[Field, ...]]] = [("de", GERMAN_FIELDS)]
        if alternative.english:
            languages.append(("en", ENGLISH_FIELDS))
        for language, fields in languages:
            expression = _expression(alternative, language)
            if expression is None:
                continue
            for field in fields:
                selects.append(_HITS.format(group=alternative.group, code=alternative.code(field)))
                params.append(f"{_columns(field, alternative)} : {expression}")
        return selects, params

    def known(self, words: Sequence[tuple[str, bool]]) -> set[int]:
        selects: list[str] = []
        params: Params = []
        for index, (word, prefix) in enumerate(words):
            sql = _KNOWN_STEM.format(index=index)
            params.append(analysis.stem(word))
            if prefix:
                sql += _KNOWN_PREFIX
                params.extend([word, word + "~"])  # "~" sorts after every [a-z0-9]
            selects.append(sql)
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(selects), params)
            return {row[0] for row in cursor.fetchall()}

    def similar(self, words: Sequence[str]) -> dict[int, list[VocabularyWord]]:
        selects: list[str] = []
        params: Params = []
        for index, word in enumerate(words):
            grams = sorted({word[i : i + 3] for i in range(len(word) - 2)})
            if grams:
                selects.append(_SIMILAR.format(index=index, limit=CANDIDATES))
                params.append(" OR ".join(_quote(gram) for gram in grams))
        result: dict[int, list[VocabularyWord]] = {}
        if not selects:
            return result
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(selects), params)
            for index, word, spelling, frequency in cursor.fetchall():
                result.setdefault(index, []).append(VocabularyWord(word, spelling, frequency))
        return result

    def delete_documents(self, service_ids: Sequence[int] | None) -> None:
        with connection.cursor() as cursor:
            if service_ids is None:
                cursor.execute("DELETE FROM catalog_search_fts")
                return
            cursor.executemany(
                "DELETE FROM catalog_search_fts WHERE rowid = %s", [[i] for i in service_ids]
            )

    def insert_documents(self, documents: Sequence[ServiceDocument]) -> None:
        rows = []
        for document in documents:
            row: Params = [document.service_id]
            for field in COLUMNS:
                language = "en" if field in ENGLISH_FIELDS else "de"
                row.append(analysis.index_terms(document.fields[field], language))
            rows.append(row)
        with connection.cursor() as cursor:
            cursor.executemany(_INSERT, rows)

    def write_vocabulary(self, words: Sequence[VocabularyWord], *, replace: bool) -> None:
        with connection.cursor() as cursor:
            if replace:
                cursor.execute("DELETE FROM catalog_search_word")
            cursor.execute("SELECT coalesce(max(id), 0) FROM catalog_search_word")
            (last_id,) = cursor.fetchone()
            cursor.executemany(
                "INSERT OR IGNORE INTO catalog_search_word (word, spelling, stem, frequency) "
                "VALUES (%s, %s, %s, %s)",
                [(w.word, w.spelling, analysis.stem(w.word), w.frequency) for w in words],
            )
            if replace:
                cursor.execute(
                    "INSERT INTO catalog_search_trigram (catalog_search_trigram) VALUES ('rebuild')"
                )
            else:  # new rows get ids above the old maximum
                cursor.execute(
                    "INSERT INTO catalog_search_trigram (rowid, word) "
                    "SELECT id, word FROM catalog_search_word WHERE id > %s",
                    [last_id],
                )
