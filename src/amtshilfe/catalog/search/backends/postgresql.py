"""PostgreSQL backend: weighted ``tsvector`` documents (``german``) and a trigram word table.

Tables (created by migration ``catalog.0003_search_index`` on PostgreSQL only, with the
``unaccent`` and ``pg_trgm`` extensions):

``catalog_search_document``
    One row per service. ``document`` holds the German fields with weights A (name),
    B (synonyms and keywords), C (short text, LeiKa name, OZG bundle), D (the other texts),
    each as ``german`` lexemes plus ``simple`` (unstemmed) ones for prefix matching;
    ``document_en`` the English name (A), short text (C) and texts (D) with ``english``.
    GIN indexes on both.
``catalog_search_word``
    The vocabulary (folded word, spelling, ``german_stem`` stem, document count) with a
    trigram GIN index: ``word % token`` finds typo candidates.

Texts are folded in Python before they reach PostgreSQL: ``fold()`` also turns "ue" into
"u", which ``unaccent`` cannot, and both backends must fold alike. ``unaccent`` is applied
to the German texts as well; on folded text it changes nothing, it guards against a caller
that skips folding. Query words are folded the same way and passed as parameters to
``to_tsquery``; being ``[a-z0-9]+`` they carry no tsquery syntax.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from amtshilfe.catalog.search import analysis
from amtshilfe.catalog.search.analysis import (
    ENGLISH_FIELDS,
    Field,
    ServiceDocument,
    VocabularyWord,
)
from amtshilfe.catalog.search.backends.base import Params, SearchBackend
from amtshilfe.catalog.search.query import Alternative

CANDIDATES = 50
#: tsvector weight per field; English fields live in ``document_en``.
LABELS = {
    Field.NAME: "A",
    Field.ALIASES: "B",
    Field.SUMMARY: "C",
    Field.BODY: "D",
    Field.NAME_EN: "A",
    Field.SUMMARY_EN: "C",
    Field.BODY_EN: "D",
}


def _german(column: str) -> str:
    return f"(to_tsvector('german', unaccent({column})) || to_tsvector('simple', {column}))"


def _english(column: str) -> str:
    return f"(to_tsvector('english', {column}) || to_tsvector('simple', {column}))"


_INSERT = f"""
    INSERT INTO catalog_search_document (service_id, document, document_en)
    SELECT t.id,
        setweight({_german("t.name")}, 'A') || setweight({_german("t.aliases")}, 'B')
        || setweight({_german("t.summary")}, 'C') || setweight({_german("t.body")}, 'D'),
        setweight({_english("t.name_en")}, 'A') || setweight({_english("t.summary_en")}, 'C')
        || setweight({_english("t.body_en")}, 'D')
    FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[],
                %s::text[], %s::text[])
        AS t (id, name, aliases, summary, body, name_en, summary_en, body_en)
"""  # noqa: S608 (constant SQL)


def _tsquery(alternative: Alternative, config: str, label: str | None) -> tuple[str, Params]:
    """A ``tsquery`` for the alternative, restricted to weight ``label`` if given."""
    suffix = f":{label}" if label else ""
    language = "en" if config == "english" else "de"
    words = [w for w in alternative.words if not analysis.is_stop_word(w, language)]
    sql = f"to_tsquery('{config}', %s)"
    params: Params = [" & ".join(f"{w}{suffix}" for w in words)]
    if alternative.prefix and len(words) == 1:
        sql = f"({sql} || to_tsquery('simple', %s))"
        params.append(f"{words[0]}:*{label or ''}")
    return sql, params


def _case(
    alternative: Alternative, column: str, config: str, fields: Sequence[Field]
) -> tuple[str, Params]:
    """SELECT of (service, group, code of the best field) for services matching in ``column``."""
    whens: list[str] = []
    params: Params = []
    for field in fields[:-1]:
        sql, values = _tsquery(alternative, config, LABELS[field])
        whens.append(f"WHEN {column} @@ {sql} THEN {alternative.code(field):d}")
        params.extend(values)
    # Whatever matched but not within one better field counts as the lowest field.
    where, values = _tsquery(alternative, config, None)
    # Codes are ints made here; the tsqueries take the words as parameters.
    select = (
        f"SELECT service_id, {alternative.group:d}, CASE {' '.join(whens)} "  # noqa: S608
        f"ELSE {alternative.code(fields[-1]):d} END "
        f"FROM catalog_search_document WHERE {column} @@ {where}"
    )
    return select, [*params, *values]


_KNOWN_STEM = (
    "SELECT {index:d} WHERE EXISTS (SELECT 1 FROM catalog_search_word "
    "WHERE stem = COALESCE((ts_lexize('german_stem', %s))[1], %s))"
)
_KNOWN_PREFIX = " OR EXISTS (SELECT 1 FROM catalog_search_word WHERE word LIKE %s)"
_SIMILAR = (
    "(SELECT {index:d}, word, spelling, frequency FROM catalog_search_word "
    "WHERE word %% %s ORDER BY similarity(word, %s) DESC, word LIMIT {limit:d})"
)
#: Around the typo look-up: sequential scans off, and the setting as it was again after.
_SEQSCAN_OFF = (
    "SELECT set_config('amtshilfe.enable_seqscan', current_setting('enable_seqscan'), true), "
    "set_config('enable_seqscan', 'off', true)"
)
_SEQSCAN_BACK = (
    "SELECT set_config('enable_seqscan', current_setting('amtshilfe.enable_seqscan'), true)"
)


class PostgresBackend(SearchBackend):
    concat_codes = "string_agg((best.code %% 10000)::text, ',')"

    def hits_sql(self, alternative: Alternative) -> tuple[list[str], Params]:
        selects: list[str] = []
        params: Params = []
        sql, values = _case(
            alternative,
            "document",
            "german",
            (Field.NAME, Field.ALIASES, Field.SUMMARY, Field.BODY),
        )
        selects.append(sql)
        params.extend(values)
        if alternative.english and any(
            not analysis.is_stop_word(w, "en") for w in alternative.words
        ):
            sql, values = _case(alternative, "document_en", "english", ENGLISH_FIELDS)
            selects.append(sql)
            params.extend(values)
        return selects, params

    def known(self, words: Sequence[tuple[str, bool]]) -> set[int]:
        selects: list[str] = []
        params: Params = []
        for index, (word, prefix) in enumerate(words):
            sql = _KNOWN_STEM.format(index=index)
            params.extend([word, word])
            if prefix:
                sql += _KNOWN_PREFIX
                params.append(word + "%")  # the word is [a-z0-9]+: no LIKE wildcards in it
            selects.append(sql)
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(selects), params)
            return {row[0] for row in cursor.fetchall()}

    def similar(self, words: Sequence[str]) -> dict[int, list[VocabularyWord]]:
        result: dict[int, list[VocabularyWord]] = {}
        if not words:
            return result
        selects = [_SIMILAR.format(index=i, limit=CANDIDATES) for i in range(len(words))]
        sql = " UNION ALL ".join(selects)
        params = [value for word in words for value in (word, word)]
        # The trigram index must be used: similarity() costs ~2 µs a word, which the planner
        # does not know, so pg_trgm's estimates often make it read the whole vocabulary
        # instead (0.15 s at 66 k words, 27 ms at 14 k; with the index 5–15 ms). Sequential
        # scans are switched off for this statement only: three statements sent as one
        # (one round trip; PostgreSQL plans each after the one before has run), the setting
        # local to the transaction and restored by the third, also inside an enclosing
        # transaction. Several statements in one execute() need client-side binding, the
        # default of Django's psycopg 3 backend (not OPTIONS "server_side_binding").
        with connection.cursor() as cursor:
            cursor.execute(f"{_SEQSCAN_OFF}; {sql}; {_SEQSCAN_BACK}", params)
            cursor.nextset()
            rows = cursor.fetchall()
        for index, word, spelling, frequency in rows:
            result.setdefault(index, []).append(VocabularyWord(word, spelling, frequency))
        return result

    def delete_documents(self, service_ids: Sequence[int] | None) -> None:
        with connection.cursor() as cursor:
            if service_ids is None:
                cursor.execute("DELETE FROM catalog_search_document")
            else:
                cursor.execute(
                    "DELETE FROM catalog_search_document WHERE service_id = ANY(%s::bigint[])",
                    [list(service_ids)],
                )

    def insert_documents(self, documents: Sequence[ServiceDocument]) -> None:
        columns: list[Params] = [[d.service_id for d in documents]]
        for field in Field:
            columns.append([d.fields[field] for d in documents])
        with connection.cursor() as cursor:
            cursor.execute(_INSERT, columns)

    def write_vocabulary(self, words: Sequence[VocabularyWord], *, replace: bool) -> None:
        with connection.cursor() as cursor:
            if replace:
                cursor.execute("DELETE FROM catalog_search_word")
            cursor.execute(
                """
                INSERT INTO catalog_search_word (word, spelling, stem, frequency)
                SELECT t.word, t.spelling,
                       COALESCE((ts_lexize('german_stem', t.word))[1], t.word), t.frequency
                FROM unnest(%s::text[], %s::text[], %s::integer[]) AS t (word, spelling, frequency)
                ON CONFLICT (word) DO NOTHING
                """,
                [
                    [w.word for w in words],
                    [w.spelling for w in words],
                    [w.frequency for w in words],
                ],
            )
            if replace:  # fresh statistics, so the planner picks the trigram index when it pays
                cursor.execute("ANALYZE catalog_search_word")
                cursor.execute("ANALYZE catalog_search_document")
