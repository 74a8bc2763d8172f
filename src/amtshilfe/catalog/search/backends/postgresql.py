"""PostgreSQL backend: weighted ``tsvector`` documents (``german``) and a trigram word table.

Tables (created by migration ``catalog.0003_search_index`` on PostgreSQL only, with the
``unaccent`` and ``pg_trgm`` extensions):

``catalog_search_document``
    One row per service. ``document`` holds the German fields with weights A (name),
    B (synonyms and keywords), C (short text, LeiKa name, OZG bundle), D (the other texts),
    each as ``german`` lexemes plus ``simple`` (unstemmed) ones for prefix matching;
    ``document_en`` the English name (A), short text (C) and texts (D) with ``english``.
    The ranked fields also have a column each (``name``, ``aliases``, ``summary``,
    ``name_en``, ``summary_en``; migration ``catalog.0006``). Every column has a GIN index,
    so each "which services have these words in this field" is an index look-up; the whole
    documents answer "somewhere in the service", the lowest level of a match.
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
from typing import Any

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

CANDIDATES = 50
#: The column a field is looked up in; the lowest field of each language is the whole
#: document, as a match "anywhere" counts as a match at that level.
COLUMNS = {
    Field.NAME: "name",
    Field.ALIASES: "aliases",
    Field.SUMMARY: "summary",
    Field.BODY: "document",
    Field.NAME_EN: "name_en",
    Field.SUMMARY_EN: "summary_en",
    Field.BODY_EN: "document_en",
}


def _german(column: str, weight: str) -> str:
    return (
        f"setweight(to_tsvector('german', unaccent({column})) "
        f"|| to_tsvector('simple', {column}), '{weight}')"
    )


def _english(column: str, weight: str) -> str:
    return (
        f"setweight(to_tsvector('english', {column}) || to_tsvector('simple', {column}), "
        f"'{weight}')"
    )


_INSERT = f"""
    INSERT INTO catalog_search_document
        (service_id, document, document_en, name, aliases, summary, name_en, summary_en)
    SELECT id, name || aliases || summary || body, name_en || summary_en || body_en,
           name, aliases, summary, name_en, summary_en
    FROM (
        SELECT t.id,
            {_german("t.name", "A")} AS name, {_german("t.aliases", "B")} AS aliases,
            {_german("t.summary", "C")} AS summary, {_german("t.body", "D")} AS body,
            {_english("t.name_en", "A")} AS name_en,
            {_english("t.summary_en", "C")} AS summary_en,
            {_english("t.body_en", "D")} AS body_en
        FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[],
                    %s::text[], %s::text[])
            AS t (id, name, aliases, summary, body, name_en, summary_en, body_en)
    ) AS fields
"""  # noqa: S608 (constant SQL)


def _tsquery(alternative: Alternative, config: str) -> tuple[str, Params] | None:
    """A ``tsquery`` for the alternative in ``config``; None if only stop words are left."""
    language = "en" if config == "english" else "de"
    words = [w for w in alternative.words if not analysis.is_stop_word(w, language)]
    if not words:
        return None
    sql = f"to_tsquery('{config}', %s)"
    params: Params = [" & ".join(words)]
    if alternative.prefix and len(words) == 1:
        sql = f"({sql} || to_tsquery('simple', %s))"
        params.append(f"{words[0]}:*")
    return sql, params


_KNOWN_STEM = (
    "SELECT {index:d} WHERE EXISTS (SELECT 1 FROM catalog_search_word "
    "WHERE stem = COALESCE((ts_lexize('german_stem', %s))[1], %s))"
)
_KNOWN_PREFIX = " OR EXISTS (SELECT 1 FROM catalog_search_word WHERE word LIKE %s)"
_SIMILAR = (
    "(SELECT {index:d}, word, spelling, frequency FROM catalog_search_word "
    "WHERE word %% %s ORDER BY similarity(word, %s) DESC, word LIMIT {limit:d})"
)
#: Around the typo look-up and the ranking: sequential scans and parallel workers off, and the
#: settings as they were again after (see :func:`_with_planner_options`).
_PLANNER_OFF = (
    "SELECT set_config('amtshilfe.enable_seqscan', current_setting('enable_seqscan'), true), "
    "set_config('amtshilfe.parallel', current_setting('max_parallel_workers_per_gather'), true), "
    "set_config('enable_seqscan', 'off', true), "
    "set_config('max_parallel_workers_per_gather', '0', true)"
)
_PLANNER_BACK = (
    "SELECT set_config('enable_seqscan', current_setting('amtshilfe.enable_seqscan'), true), "
    "set_config('max_parallel_workers_per_gather', current_setting('amtshilfe.parallel'), true)"
)


def _with_planner_options(sql: str, params: Params) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` planned with index scans only and without parallel workers.

    The planner does not know what reading a row costs here. A trigram test costs ~2 µs a
    word, so pg_trgm's estimates often make it read the whole vocabulary (0.15 s at 66 k
    words; with the index 5–15 ms). A common word ("beantragen") matches most services, and
    for them the planner prefers reading the table to the index, but each row's document
    then comes from TOAST: 22 ms against 8 ms through the index at 10,000 services. Parallel
    workers cost more to start than these statements take, and under load they take cores
    from other requests. So: three statements sent as one (one round trip; PostgreSQL plans
    each after the one before has run), the settings local to the transaction and restored
    by the third, also inside an enclosing transaction. Several statements in one execute()
    need client-side binding, the default of Django's psycopg 3 backend (not OPTIONS
    "server_side_binding").
    """
    with connection.cursor() as cursor:
        cursor.execute(f"{_PLANNER_OFF}; {sql}; {_PLANNER_BACK}", params)
        cursor.nextset()
        return list(cursor.fetchall())


class PostgresBackend(SearchBackend):
    concat_codes = "string_agg((best.code %% 10000)::text, ',')"

    def hits_sql(self, alternative: Alternative) -> tuple[list[str], Params]:
        """One indexed SELECT per field; the ranking keeps each service's best field."""
        selects: list[str] = []
        params: Params = []
        languages: list[tuple[str, tuple[Field, ...]]] = [("german", GERMAN_FIELDS)]
        if alternative.english:
            languages.append(("english", ENGLISH_FIELDS))
        for config, fields in languages:
            query = _tsquery(alternative, config)
            if query is None:
                continue
            tsquery, values = query
            for field in fields:
                # Group and code are ints made here; the words are parameters.
                selects.append(
                    f"SELECT service_id, {alternative.group:d}, {alternative.code(field):d} "  # noqa: S608
                    f"FROM catalog_search_document WHERE {COLUMNS[field]} @@ {tsquery}"
                )
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
        rows = _with_planner_options(sql, params)
        for index, word, spelling, frequency in rows:
            result.setdefault(index, []).append(VocabularyWord(word, spelling, frequency))
        return result

    def fetch_ranking(self, sql: str, params: Params) -> list[tuple[Any, ...]]:
        return _with_planner_options(sql, params)

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
