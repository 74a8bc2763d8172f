"""Searching and indexing services; the backend does the SQL, this module the rest."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction

from amtshilfe.catalog.models import Offering, Service
from amtshilfe.catalog.search import analysis
from amtshilfe.catalog.search import query as planning
from amtshilfe.catalog.search.analysis import LABELS
from amtshilfe.catalog.search.backends import Ranked, get_backend
from amtshilfe.catalog.search.cache import cached, catalogue_changed
from amtshilfe.catalog.search.query import Kind, QueryPlan
from amtshilfe.organisations.models import Organisation

#: Services ranked before the online offerings of the citizen's municipality are looked at.
CANDIDATES = 50
#: A service offered online in the citizen's municipality counts this much more, so it comes
#: first among hits of comparable relevance (within 25 %) but not above clearly better ones.
ONLINE_HERE_BOOST = 1.25
ARS = re.compile(r"\d{12}")
REINDEX_CHUNK = 500


@dataclass(frozen=True)
class SearchHit:
    service_id: int
    slug: str
    name: str
    short_text: str
    #: Relevance: 1.0 is one query word found in the service's name.
    score: float
    #: The citizen's municipality offers the service online (live or pilot).
    online_here: bool
    #: Why the service matched, e.g. "synonym: Perso → Personalausweis".
    matched: str


def search_services(
    query: str, *, ars: str | None = None, language: str = "de", limit: int = 20
) -> list[SearchHit]:
    """Services matching what a citizen typed, best first; [] for an empty or overlong query.

    With ``ars`` (the citizen's 12-digit Gemeinde ARS), services the municipality offers
    online come first among comparably relevant hits. At most four queries, whatever the
    catalogue's size: vocabulary check, typo candidates (only for unknown words), ranking
    over the service index, and one indexed look-up of the municipality's offerings among
    the top candidates. Repeated queries are answered from the cache (:mod:`.cache`).
    """
    if not query or len(query) > planning.MAX_QUERY_LENGTH or limit < 1:
        return []
    english = language[:2].lower() == "en"
    normalized = " ".join(query.split())  # case kept: explanations quote what was typed
    return cached(
        ("search", normalized, ars if ars and ARS.fullmatch(ars) else "", english, limit),
        lambda: _search(normalized, ars, english, limit),
    )


def _search(query: str, ars: str | None, english: bool, limit: int) -> list[SearchHit]:
    backend = get_backend()
    plan = planning.plan(query, english=english, vocabulary=backend)
    if plan is None:
        return []
    ranked = backend.rank(plan, max(limit, CANDIDATES))
    online = _online_here(ars, [row.service_id for row in ranked])
    hits = [_hit(row, plan, english, row.service_id in online) for row in ranked]
    hits.sort(key=lambda hit: -hit.score)  # stable: equal scores keep the index's order
    return hits[:limit]


def _online_here(ars: str | None, service_ids: Sequence[int]) -> set[int]:
    """Which of ``service_ids`` the municipality with ``ars`` offers online (one query)."""
    if not ars or not ARS.fullmatch(ars) or not service_ids:
        return set()
    # Scoped to the one organisation of the citizen's municipality, resolved in a subquery.
    municipality = Organisation.objects.filter(region__ars=ars, is_active=True)
    offerings = Offering.objects.with_scope(
        organisation=municipality.order_by().values("pk")[:1]
    ).filter(
        service_id__in=service_ids,
        channel__in=[Offering.Channel.ONLINE, Offering.Channel.BOTH],
        status__in=[Offering.Status.LIVE, Offering.Status.PILOT],
    )
    return set(offerings.order_by().values_list("service_id", flat=True))


def _hit(row: Ranked, plan: QueryPlan, english: bool, online_here: bool) -> SearchHit:
    points = row.points * (ONLINE_HERE_BOOST if online_here else 1)
    return SearchHit(
        service_id=row.service_id,
        slug=row.slug,
        name=(row.name_en if english else "") or row.name_de,
        short_text=(row.short_text_en if english else "") or row.short_text_de,
        score=round(points / 100, 3),
        online_here=online_here,
        matched=explain(plan, row.codes),
    )


def explain(plan: QueryPlan, codes: Iterable[int]) -> str:
    """Say why a service matched: the synonyms and corrections used, else its best field."""
    found = sorted((planning.decode(code) for code in codes), reverse=True)
    special = []
    for _points, _field, alternative_id in found:
        alternative = plan.alternative(alternative_id)
        if alternative.kind != Kind.WORD:
            text = f"{alternative.kind}: {alternative.explanation}"
            if text not in special:
                special.append(text)
    if special or not found:
        return "; ".join(special)
    best_field = found[0][1]
    typed = sorted(a for _points, field, a in found if field == best_field)
    return f"{LABELS[best_field]}: {' '.join(plan.alternative(a).explanation for a in typed)}"


def reindex_services(service_ids: Iterable[int] | None = None) -> int:
    """Rebuild the search index for the given services (all for None); returns how many.

    Every code path that creates, changes or deletes services must call this afterwards
    (``content.load_services`` does; XZuFi import and the admin must too). A deleted id
    given here leaves the index. Typo corrections come from a vocabulary that is rebuilt in
    full only when everything is reindexed; a partial reindex only adds words.
    """
    ids = None if service_ids is None else sorted(set(service_ids))
    backend = get_backend()
    services = Service.objects.select_related("ozg_bundle").order_by("pk")
    if ids is not None:
        services = services.filter(pk__in=ids)
    count = 0
    words: dict[str, analysis.VocabularyWord] = {}
    with transaction.atomic():
        backend.delete_documents(ids)
        for chunk in analysis.chunked(services.iterator(chunk_size=REINDEX_CHUNK), REINDEX_CHUNK):
            documents = [analysis.document_for(service) for service in chunk]
            backend.insert_documents(documents)
            _merge(words, analysis.vocabulary(documents))
            count += len(documents)
        backend.write_vocabulary(sorted(words.values(), key=lambda w: w.word), replace=ids is None)
        catalogue_changed()
    return count


def _merge(
    words: dict[str, analysis.VocabularyWord], more: Sequence[analysis.VocabularyWord]
) -> None:
    for word in more:
        known = words.get(word.word)
        frequency = word.frequency + (known.frequency if known else 0)
        spelling = known.spelling if known else word.spelling
        words[word.word] = analysis.VocabularyWord(word.word, spelling, frequency)
