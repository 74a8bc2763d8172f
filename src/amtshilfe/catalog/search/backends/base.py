"""What a search backend does, and the ranking SQL both database backends share."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from amtshilfe.catalog.models import Service
from amtshilfe.catalog.search.analysis import ServiceDocument, VocabularyWord
from amtshilfe.catalog.search.query import Alternative, QueryPlan

#: Parameters of one SQL statement.
Params = list[Any]


@dataclass(frozen=True)
class Ranked:
    """A service the index ranked, with the columns a hit shows."""

    service_id: int
    slug: str
    name_de: str
    name_en: str
    short_text_de: str
    short_text_en: str
    points: int
    #: Per matched group, the code of its best (field, alternative): see ``query.encode``.
    codes: tuple[int, ...]


class SearchBackend(abc.ABC):
    """One implementation of the search index; all SQL takes user input as parameters only."""

    #: SQL aggregate that joins the matched codes of a service with commas.
    concat_codes: str

    # --- reading ---------------------------------------------------------------------------
    @abc.abstractmethod
    def known(self, words: Sequence[tuple[str, bool]]) -> set[int]:
        """Indexes of ``(word, prefix)`` pairs with an indexed word of the same stem (or prefix)."""

    @abc.abstractmethod
    def similar(self, words: Sequence[str]) -> dict[int, list[VocabularyWord]]:
        """Candidate corrections per word index: indexed words sharing trigrams with it."""

    @abc.abstractmethod
    def hits_sql(self, alternative: Alternative) -> tuple[list[str], Params]:
        """SELECTs of ``(service id, group, code)`` for the services matching ``alternative``."""

    def rank(self, plan: QueryPlan, limit: int) -> list[Ranked]:
        """The best ``limit`` services for ``plan``: one query over the service index."""
        selects: list[str] = []
        params: Params = []
        for alternative in plan.alternatives:
            more, values = self.hits_sql(alternative)
            selects.extend(more)
            params.extend(values)
        if not selects:
            return []
        service = Service._meta.db_table
        # Scores are summed per service first; only services scoring at least the
        # ``limit``-th best score are joined to the service table for the tie-break on the
        # name's length (joining every hit cost more than the ranking when a common word
        # matches most services). The index may hold services deleted since: not scored.
        sql = f"""
            WITH hits (sid, g, code) AS ({" UNION ALL ".join(selects)}),
            best AS (SELECT sid, g, MAX(code) AS code FROM hits GROUP BY sid, g),
            scored AS (
                SELECT sid, SUM(best.code / 10000) AS points, {self.concat_codes} AS codes
                FROM best WHERE sid IN (SELECT id FROM {service}) GROUP BY sid
            ),
            cutoff AS (SELECT points FROM scored ORDER BY points DESC LIMIT 1 OFFSET %s)
            SELECT s.id, s.slug, s.name_de, s.name_en, s.short_text_de, s.short_text_en,
                   scored.points, scored.codes
            FROM scored JOIN {service} s ON s.id = scored.sid
            WHERE scored.points >= COALESCE((SELECT points FROM cutoff), 0)
            ORDER BY scored.points DESC, LENGTH(s.name_de), s.id
            LIMIT %s
        """  # noqa: S608 (the interpolated parts are built here, user input is in params)
        rows = self.fetch_ranking(sql, [*params, limit - 1, limit])
        return [
            Ranked(
                service_id=row[0],
                slug=row[1],
                name_de=row[2],
                name_en=row[3],
                short_text_de=row[4],
                short_text_en=row[5],
                points=int(row[6]),
                codes=tuple(int(code) for code in row[7].split(",")),
            )
            for row in rows
        ]

    def fetch_ranking(self, sql: str, params: Params) -> list[tuple[Any, ...]]:
        """Run the ranking statement (a backend may set planner options around it)."""
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    # --- writing ---------------------------------------------------------------------------
    @abc.abstractmethod
    def delete_documents(self, service_ids: Sequence[int] | None) -> None:
        """Remove the given services from the index (all of them for None)."""

    @abc.abstractmethod
    def insert_documents(self, documents: Sequence[ServiceDocument]) -> None:
        """Add documents (their services must not be in the index)."""

    @abc.abstractmethod
    def write_vocabulary(self, words: Sequence[VocabularyWord], *, replace: bool) -> None:
        """Store the words typo correction chooses from; ``replace`` drops the old ones."""
