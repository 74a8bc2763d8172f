"""German full-text search over services: one interface, a backend per database.

``search_services(query, ars=…, language=…, limit=…)`` answers a citizen's query with
:class:`SearchHit` objects; ``reindex_services(ids)`` rebuilds the index from the Service rows.
The index is not kept in step by signals: **whatever writes services (content loading, XZuFi
import, the admin) must call** ``reindex_services()`` **afterwards** with the ids it wrote, or
without ids to rebuild everything.

What a query gets, on both backends alike:

- folding ("Führerschein" = "Fuehrerschein" = "Fuhrerschein", "Straße" = "Strasse"),
  German Snowball stemming ("Anmeldungen" finds "anmelden"), German stop words dropped;
- prefix matching of the last word, for search as you type ("Baugen" → Baugenehmigung);
- built-in synonyms (:mod:`.synonyms`: "Perso" → Personalausweis) and each service's own
  synonyms and keywords, indexed with it;
- typo correction of words that match nothing, from the vocabulary of indexed words
  (trigram candidates, then edit distance);
- ranking by field (name > synonyms/keywords > short text > other texts), summed over the
  query's words; with ``ars``, services the citizen's municipality offers online come first
  among comparably relevant hits;
- with ``language="en"`` the English names and texts are searched too.

Backends: SQLite FTS5 (``backends.sqlite``) and PostgreSQL full text with ``german`` and
pg_trgm (``backends.postgresql``), chosen by ``connection.vendor`` or the ``SEARCH_BACKEND``
setting.
"""

from __future__ import annotations

from amtshilfe.catalog.search.engine import SearchHit, reindex_services, search_services

__all__ = ["SearchHit", "reindex_services", "search_services"]
