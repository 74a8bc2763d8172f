"""Germany-scale catalogue benchmark (Portalverbund I, "What must hold" 4).

Builds a generated catalogue of Germany's size — 10,800 municipalities, 10,000 services,
3,000,000 offerings, ~700 k responsibilities (see ``catalog_world.py``) — in a fresh,
migrated database and measures, in one run and side by side:

1. generation (Python) and load (PostgreSQL: ``COPY`` through psycopg 3 with the big tables'
   indexes and constraints dropped and rebuilt, then ``VACUUM ANALYZE``; SQLite:
   ``executemany`` in one transaction, no ``ANALYZE`` as in the product), and
   ``reindex_services()``;
2. catalogue import: the XZuFi import a Land would run (``catalog.xzufi.import_xzufi``) on
   slices of the generated catalogue and its rate per object kind, and the LeiKa CSV import
   of all services (``catalog.importers.import_leika_csv``), each in a transaction that is
   rolled back. Then, on PostgreSQL (on SQLite with ``--whole-import``), the whole
   catalogue for real: ``export-catalog`` writes it as one XZuFi message, the catalogue
   tables are emptied (regions and organisations stay), and ``import_xzufi`` imports the
   message twice, each in a process of its own: wall time, objects/s per kind, peak
   memory. Without the whole import, its time is extrapolated from the slices (and
   labelled so). This part comes last, as it replaces the generated catalogue;
3. search in-process: ~235 queries (exact names, prefixes, typos, synonyms, short phrases,
   broad words, English; half with the citizen's ARS), warmed up, ``search_services()``
   against the bare SQL it issued (recorded with ``connection.execute_wrapper`` and
   replayed with the same parameters): p50/p95/p99 and the overhead ratio;
4. search over HTTP: the real server (``amtshilfe web --workers 2 --threads 8``) and
   ``wrk`` (``apt-get install wrk``; a Python thread-pool client otherwise) with 32
   keep-alive connections on ``/api/v1/services?q=…``; also one connection for reference;
5. ``find_responsibility()`` over random (service, municipality) pairs;
6. the same on SQLite (FTS5) and PostgreSQL.

Usage (PostgreSQL 15 on 127.0.0.1, database ``bench`` is dropped and created):

    .venv/bin/python bench/catalog_scale.py                         # germany, both backends
    .venv/bin/python bench/catalog_scale.py --scale small           # ~1-2 minute smoke run
    .venv/bin/python bench/catalog_scale.py --backend postgresql --no-write
    .venv/bin/python bench/catalog_scale.py --backend postgresql --only import --no-write

``--write`` (the default for ``--scale germany``) appends the results as a new section to
``bench/RESULTS.md``. Each backend runs in its own process (``--worker``); scratch files
(SQLite database, server log, wrk script, raw JSON) go to ``--workdir``.
"""

# ruff: noqa: S311 (seeded pseudo-random data for a benchmark, not for security)

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(BENCH))

PG_URL = "postgres://postgres@127.0.0.1:5432/bench"
FORBIDDEN_DATABASES = {"test", "lead", "postgres", "template0", "template1"}
GOALS = {
    "search_p95": 30.0,
    "http_p95": 60.0,
    "finder_p95": 5.0,
    "import_s": 600.0,
    "overhead": 1.5,
}


# =============================================================================== helpers


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = share * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": percentile(values, 0.50),
        "p95": percentile(values, 0.95),
        "p99": percentile(values, 0.99),
        "mean": statistics.fmean(values) if values else float("nan"),
        "max": max(values) if values else float("nan"),
    }


def log(message: str) -> None:
    stamp = time.strftime("%H:%M:%S", time.gmtime())
    print(f"[{stamp}] {message}", file=sys.stderr, flush=True)


class Timer:
    def __init__(self, results: dict[str, Any], key: str) -> None:
        self.results, self.key = results, key

    def __enter__(self) -> Timer:
        self.started = time.perf_counter()
        log(f"{self.key} …")
        return self

    def __exit__(self, *exc: Any) -> None:
        seconds = time.perf_counter() - self.started
        self.results.setdefault("timings", {})[self.key] = round(seconds, 2)
        log(f"{self.key}: {seconds:.1f} s (load average {os.getloadavg()[0]:.2f})")


# ============================================================================ the worker


def worker(args: argparse.Namespace) -> int:
    os.environ["DJANGO_SETTINGS_MODULE"] = "amtshilfe.config.settings"
    # In-process, every search is measured as a new question: the result cache stays off.
    os.environ["SEARCH_CACHE_SECONDS"] = "0"
    import django

    django.setup()
    from catalog_world import SCALES

    scale = SCALES[args.scale]
    results: dict[str, Any] = {
        "backend": args.backend,
        "scale": scale.name,
        "loadavg_start": os.getloadavg(),
    }
    workdir = Path(args.workdir)
    world, _existing = setup_database(scale, results)
    if args.only != "import":
        queries = query_set(world, scale)
        results["queries"] = len(queries)
        search_in_process(queries, scale, results, workdir)
        find_responsibilities(world, scale, results)
    if args.only is None:
        search_over_http(queries, scale, results, workdir)
    if args.only != "search":
        catalogue_import(world, scale, results, args, workdir)
    results["loadavg_end"] = os.getloadavg()
    Path(args.out).write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    return 0


# ------------------------------------------------------------------- database and data


def setup_database(scale: Any, results: dict[str, Any]) -> tuple[Any, Any]:
    from catalog_world import build
    from django.core.management import call_command
    from django.db import connection

    from amtshilfe.catalog import content
    from amtshilfe.catalog.importers import unique_slug
    from amtshilfe.catalog.search import reindex_services
    from amtshilfe.core.text import fold, german_slug
    from amtshilfe.organisations import services as organisation_services
    from amtshilfe.regions import services as region_services

    with Timer(results, "migrate"):
        call_command("migrate", verbosity=0, interactive=False)
    with Timer(results, "reference data (product loaders)"):
        region_services.import_regions()
        organisation_services.sync_from_regions()
        content.load_ozg_catalogue()
        content.load_services()  # the 126 shipped services; indexes them too
    existing = read_existing()
    with Timer(results, "generate"):
        world = build(scale, existing, german_slug=german_slug, fold=fold, unique_slug=unique_slug)
    results["counts"] = dict(world.counts)
    results["counts"]["municipalities"] = len(world.municipalities)
    with Timer(results, "load"):
        if connection.vendor == "postgresql":
            load_postgresql(world)
        else:
            load_sqlite(world)
    with Timer(results, "reindex_services"):
        results["counts"]["indexed_services"] = reindex_services()
    with connection.cursor() as cursor:
        for table in (
            "regions_region",
            "organisations_organisation",
            "organisations_authority",
            "catalog_service",
            "catalog_offering",
            "catalog_responsibility",
            "organisations_delegationagreement",
            "catalog_search_word",
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (constant names)
            results["counts"][f"db.{table}"] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM regions_region WHERE kind IN "
            "('gemeinde', 'stadt', 'kreisfreie_stadt')"
        )
        results["counts"]["db.gemeinden"] = cursor.fetchone()[0]
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
            results["database_bytes"] = cursor.fetchone()[0]
            cursor.execute("SELECT version()")
            results["server_version"] = cursor.fetchone()[0]
        else:
            import sqlite3

            results["database_bytes"] = Path(connection.settings_dict["NAME"]).stat().st_size
            results["server_version"] = f"SQLite {sqlite3.sqlite_version}"
    return world, existing


def read_existing() -> Any:
    from catalog_world import TABLES, Existing
    from django.db import connection

    def rows(sql: str) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return [tuple(row) for row in cursor.fetchall()]

    levels = {e["slug"]: e.get("level", "gemeinde") for e in _service_entries()}
    services = [
        (pk, levels.get(slug, "gemeinde"), key, ozg or "")
        for pk, slug, key, ozg in rows(
            "SELECT s.id, s.slug, s.leika_key, b.ozg_id FROM catalog_service s "
            "LEFT JOIN catalog_ozgbundle b ON b.id = s.ozg_bundle_id ORDER BY s.id"
        )
    ]
    next_ids = {}
    for table in TABLES:
        next_ids[table] = rows(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")[0][0]  # noqa: S608
    return Existing(
        regions=rows("SELECT id, ars, kind, parent_id FROM regions_region ORDER BY id"),
        organisations=rows(
            "SELECT id, region_id, kind FROM organisations_organisation ORDER BY id"
        ),
        services=services,
        bundles=rows("SELECT id, ozg_id FROM catalog_ozgbundle ORDER BY id"),
        org_slugs=dict(rows("SELECT id, slug FROM organisations_organisation ORDER BY id")),
        service_slugs={r[0] for r in rows("SELECT slug FROM catalog_service")},
        next_ids=next_ids,
    )


def _service_entries() -> list[dict[str, Any]]:
    from amtshilfe.catalog import content

    return content.service_entries()


#: Tables whose secondary indexes and constraints are dropped for the load and rebuilt.
BIG_TABLES = ("catalog_offering", "catalog_responsibility")


def load_postgresql(world: Any) -> None:
    """COPY every table; the big ones without their indexes and constraints, rebuilt after
    (as pg_restore does): the constraints are validated when they are added again."""
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection, transaction

    connection.ensure_connection()
    raw = connection.connection
    with transaction.atomic(), raw.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        saved = {table: _pg_drop_secondary(cursor, table) for table in BIG_TABLES}
        for table, columns in world.columns.items():
            started = time.perf_counter()
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in world.rows[table]:
                    copy.write_row(row)
            log(
                f"  COPY {table}: {len(world.rows[table]):,} rows, "
                f"{time.perf_counter() - started:.1f} s"
            )
        for table in BIG_TABLES:
            started = time.perf_counter()
            indexes, constraints = saved[table]
            for statement in indexes:
                cursor.execute(statement)
            for name, definition in constraints:
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            log(
                f"  {table}: {len(indexes)} indexes, {len(constraints)} constraints "
                f"rebuilt, {time.perf_counter() - started:.1f} s"
            )
        models = [
            apps.get_model(*label.split("."))
            for label in (
                "regions.Region",
                "organisations.Organisation",
                "organisations.Authority",
                "catalog.Service",
                "catalog.Offering",
                "catalog.Responsibility",
                "organisations.DelegationAgreement",
            )
        ]
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
    started = time.perf_counter()
    with connection.cursor() as cursor:  # autocommit: VACUUM cannot run in a transaction
        cursor.execute("VACUUM ANALYZE")
    log(f"  VACUUM ANALYZE: {time.perf_counter() - started:.1f} s")


def _pg_drop_secondary(cursor: Any, table: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Drop the foreign keys, unique constraints and plain indexes of ``table``; return the
    statements to create the indexes again and the constraints (name, definition)."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC, conname",
        [table],
    )
    constraints = [(name, definition) for name, definition, _kind in cursor.fetchall()]
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT EXISTS ("
        "  SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid "
        "  AND k.conrelid = i.indrelid) ORDER BY c.relname",
        [table],
    )
    indexes = cursor.fetchall()
    for name, _definition in constraints:  # foreign keys first ('f' sorts after 'u' DESC)
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    # unique constraints before foreign keys when adding them back
    constraints.sort(key=lambda c: not c[1].startswith("UNIQUE"))
    return [definition for _name, definition in indexes], constraints


def load_sqlite(world: Any) -> None:
    """executemany per table in one transaction; droppable indexes of the big tables are
    dropped first and created again after. No ANALYZE, as in the product."""
    from catalog_world import TABLES
    from django.db import connection, transaction

    connection.ensure_connection()
    raw = connection.connection
    with transaction.atomic():
        saved: list[str] = []
        for table in BIG_TABLES:
            found = raw.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                "AND sql IS NOT NULL",
                [table],
            ).fetchall()
            for name, sql in found:
                raw.execute(f'DROP INDEX "{name}"')
                saved.append(sql)
        for table in TABLES:
            columns = world.columns[table]
            started = time.perf_counter()
            sql = (
                f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 (constant names)
                f"VALUES ({', '.join('?' * len(columns))})"
            )
            raw.executemany(sql, (_sqlite_row(row) for row in world.rows[table]))
            log(
                f"  INSERT {table}: {len(world.rows[table]):,} rows, "
                f"{time.perf_counter() - started:.1f} s"
            )
        started = time.perf_counter()
        for sql in saved:
            raw.execute(sql)
        log(f"  {len(saved)} indexes rebuilt, {time.perf_counter() - started:.1f} s")
    # No ANALYZE: amtshilfe never runs it on SQLite, so its installations plan without
    # statistics. (With them, SQLite plans some ORM queries worse: see bench/RESULTS.md.)


def _sqlite_row(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(
        value.isoformat(sep=" ").replace("+00:00", "")
        if isinstance(value, datetime.datetime)
        else value.isoformat()
        if isinstance(value, datetime.date)
        else value
        for value in row
    )


# --------------------------------------------------------------------------- the queries


BROAD = [
    "beantragen",
    "Genehmigung",
    "Antrag",
    "Bescheinigung",
    "anmelden",
    "Steuer",
    "Erlaubnis",
    "melden",
    "Gebühr",
    "Wohnung",
    "Kinder",
    "Auskunft",
    "Unternehmen",
    "Hund",
    "Bau",
    "Antrag stellen",
    "Genehmigung beantragen",
    "Förderung",
    "Ausweis",
    "Zuschuss",
]
ENGLISH = [
    "register address",
    "passport",
    "identity card",
    "building permit",
    "dog tax",
    "driving licence",
    "residence permit",
    "birth certificate",
    "marriage",
    "parking permit",
    "housing benefit",
    "child care",
    "register a business",
    "waste collection",
    "fishing licence",
]
CITIZEN = [
    "Hund anmelden",
    "Auto anmelden",
    "Müll",
    "Umzug",
    "Perso verloren",
    "neuer Ausweis",
    "Kita Platz",
    "Baum fällen",
    "Haus bauen",
    "Gewerbe anmelden",
    "Wohngeld",
    "Führerschein",
    "Heiraten",
    "Geburt",
    "Sperrmüll abholen",
    "Anwohnerparken",
    "Fischereischein",
    "Parkausweis",
    "Elterngeld",
    "Bafög",
    "Grundsteuer",
    "Kirchenaustritt",
    "Hundesteuer zahlen",
    "Briefwahl",
    "Führungszeugnis",
]


def typo(word: str, rng: random.Random) -> str:
    for _ in range(20):
        i = rng.randint(1, len(word) - 2)
        kind = rng.choice(["swap", "drop", "vowel", "double"])
        if kind == "swap":
            result = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        elif kind == "drop":
            result = word[:i] + word[i + 1 :]
        elif kind == "vowel" and word[i] in "aeiou":
            result = word[:i] + rng.choice([v for v in "aeiou" if v != word[i]]) + word[i + 1 :]
        else:
            result = word[:i] + word[i] + word[i:]
        if result.lower() != word.lower():
            return result
    return word[:-1]


def query_set(world: Any, scale: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """~235 realistic queries, the same on both backends: (category, text, options)."""
    from amtshilfe.catalog.search.synonyms import SYNONYMS

    rng = random.Random(4711)
    real = [e for e in _service_entries()]
    synthetic = sorted(world.service_names.items())
    municipalities = [m.ars for m in world.municipalities]
    queries: list[tuple[str, str]] = []
    queries += [("exact (shipped)", e["name_de"]) for e in rng.sample(real, 30)]
    queries += [("exact (generated)", name) for _id, name in rng.sample(synthetic, 40)]
    for _id, name in rng.sample(synthetic, 40):
        word = name.split()[0] if not name.startswith("Antrag auf") else name.split()[2]
        queries.append(("prefix", word[: rng.randint(4, max(4, len(word) - 2))]))
    names = [e["name_de"] for e in rng.sample(real, 15)] + [
        n for _i, n in rng.sample(synthetic, 25)
    ]
    for name in names:
        words = name.split()
        long = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
        if not long:
            continue
        i = rng.choice(long)
        words[i] = typo(words[i], rng)
        queries.append(("typo", " ".join(words[: max(i + 1, 2)])))
    synonym_keys = sorted(k for k in SYNONYMS if len(k) > 3)
    queries += [("synonym", k) for k in rng.sample(synonym_keys, min(15, len(synonym_keys)))]
    own = sorted({s for e in real for s in e.get("synonyms", [])})
    queries += [("synonym", s) for s in rng.sample(own, min(10, len(own)))]
    queries += [("citizen phrase", q) for q in CITIZEN]
    queries += [("broad word", q) for q in BROAD]
    result: list[tuple[str, str, dict[str, Any]]] = []
    for n, (category, text) in enumerate(queries):
        options: dict[str, Any] = {}
        if n % 2 == 0:
            options["ars"] = rng.choice(municipalities)
        result.append((category, text, options))
    for n, text in enumerate(ENGLISH):
        options = {"language": "en"}
        if n % 2 == 0:
            options["ars"] = rng.choice(municipalities)
        result.append(("english", text, options))
    return result


# --------------------------------------------------------------------- search in-process


def search_in_process(
    queries: list[tuple[str, str, dict[str, Any]]],
    scale: Any,
    results: dict[str, Any],
    workdir: Path,
) -> None:
    from django.db import connection, transaction

    from amtshilfe.catalog.search import search_services

    def record(text: str, options: dict[str, Any]) -> tuple[list[tuple[str, Any]], list[Any]]:
        statements: list[tuple[str, Any]] = []

        def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            statements.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(wrapper):
            hits = search_services(text, **options)
        return statements, hits

    def replay(statements: list[tuple[str, Any]]) -> None:
        # In one transaction, so that a statement that sets something for the rest of its
        # transaction (set_config(…, true)) would work as it did in search_services().
        with transaction.atomic(), connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()

    log(f"search in-process: {len(queries)} queries × {scale.search_reps} runs")
    recorded = []
    for category, text, options in queries:
        statements, hits = record(text, options)
        recorded.append((category, text, options, statements, hits))
    per_query: list[dict[str, Any]] = []
    for _category, text, options, statements, _hits in recorded:  # warm up
        search_services(text, **options)
        replay(statements)
    timings: dict[int, tuple[list[float], list[float]]] = {
        i: ([], []) for i in range(len(recorded))
    }
    rng = random.Random(99)
    for rep in range(scale.search_reps):
        order = list(range(len(recorded)))
        rng.shuffle(order)
        for i in order:
            _category, text, options, statements, _hits = recorded[i]
            search_first = (rep + i) % 2 == 0
            for step in (0, 1) if search_first else (1, 0):
                started = time.perf_counter()
                if step == 0:
                    search_services(text, **options)
                else:
                    replay(statements)
                timings[i][step].append((time.perf_counter() - started) * 1000)
    all_search: list[float] = []
    all_sql: list[float] = []
    categories: dict[str, tuple[list[float], list[float]]] = {}
    for i, (category, text, options, statements, hits) in enumerate(recorded):
        search_ms, sql_ms = timings[i]
        all_search += search_ms
        all_sql += sql_ms
        bucket = categories.setdefault(category, ([], []))
        bucket[0].extend(search_ms)
        bucket[1].extend(sql_ms)
        per_query.append(
            {
                "category": category,
                "query": text,
                "options": options,
                "statements": len(statements),
                "search_ms": statistics.median(search_ms),
                "sql_ms": statistics.median(sql_ms),
                "hits": len(hits),
                "top": hits[0].slug if hits else "",
                "matched": hits[0].matched if hits else "",
            }
        )
    results["search"] = {
        "search": summary(all_search),
        "sql": summary(all_sql),
        "ratio_p50": percentile(all_search, 0.5) / percentile(all_sql, 0.5),
        "ratio_p95": percentile(all_search, 0.95) / percentile(all_sql, 0.95),
        "ratio_mean": statistics.fmean(all_search) / statistics.fmean(all_sql),
        "statements_mean": statistics.fmean(len(r[3]) for r in recorded),
        "no_hits": sum(1 for r in recorded if not r[4]),
        "categories": {
            name: {
                "n": len(s) // max(1, scale.search_reps),
                "search": summary(s),
                "sql": summary(q),
            }
            for name, (s, q) in categories.items()
        },
    }
    slow = sorted(per_query, key=lambda q: -q["search_ms"])
    results["search"]["slowest"] = slow[:8]
    (workdir / f"queries-{connection.vendor}.json").write_text(
        json.dumps(per_query, indent=1, ensure_ascii=False), encoding="utf-8"
    )
    # the plan of the slowest query's ranking statement
    worst = next(r for r in recorded if r[1] == slow[0]["query"] and r[2] == slow[0]["options"])
    rank_sql, rank_params = max(worst[3], key=lambda s: len(s[0]))
    explain = (
        "EXPLAIN (ANALYZE, BUFFERS) "
        if connection.vendor == "postgresql"
        else "EXPLAIN QUERY PLAN "
    )
    with connection.cursor() as cursor:
        cursor.execute(explain + rank_sql, rank_params)
        plan = "\n".join(" | ".join(str(c) for c in row) for row in cursor.fetchall())
    results["search"]["slowest_plan"] = {"query": slow[0]["query"], "plan": plan}
    s, q = results["search"]["search"], results["search"]["sql"]
    log(
        f"search p50 {s['p50']:.2f} p95 {s['p95']:.2f} p99 {s['p99']:.2f} ms; "
        f"SQL p50 {q['p50']:.2f} p95 {q['p95']:.2f} ms"
    )


# -------------------------------------------------------------------------------- finder


def find_responsibilities(world: Any, scale: Any, results: dict[str, Any]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from amtshilfe.catalog import finder
    from amtshilfe.catalog.models import Service
    from amtshilfe.core.errors import NotFound

    rng = random.Random(1234)
    services = {s.pk: s for s in Service.objects.select_related("ozg_bundle")}
    slugs = {pk: s.slug for pk, s in services.items()}
    pairs = [
        (sid, ars)
        for sid, ars, _tier in rng.sample(
            world.rule_pairs, min(len(world.rule_pairs), scale.finder_lookups)
        )
    ]
    misses = len(pairs) // 10  # a tenth: any service at any place (often no rule: 404)
    ids = sorted(services)
    places = [m.ars for m in world.municipalities]
    pairs += [(rng.choice(ids), rng.choice(places)) for _ in range(misses)]
    rng.shuffle(pairs)

    def lookup(service_id: int, ars: str) -> bool:
        try:
            finder.find_responsibility(service=services[service_id], ars=ars)
        except NotFound:
            return False
        return True

    def api_lookup(service_id: int, ars: str) -> bool:
        try:
            finder.find_responsibility(service=finder.service_by_slug(slugs[service_id]), ars=ars)
        except NotFound:
            return False
        return True

    for service_id, ars in pairs[:200]:
        lookup(service_id, ars)
    with CaptureQueriesContext(connection) as captured:
        for service_id, ars in pairs[:100]:
            lookup(service_id, ars)
    found = 0
    times: list[float] = []
    api_times: list[float] = []
    levels: dict[str, int] = {}
    for service_id, ars in pairs:
        started = time.perf_counter()
        ok = lookup(service_id, ars)
        times.append((time.perf_counter() - started) * 1000)
        found += ok
        started = time.perf_counter()
        api_lookup(service_id, ars)
        api_times.append((time.perf_counter() - started) * 1000)
    for service_id, ars in pairs[:300]:
        try:
            finding = finder.find_responsibility(service=services[service_id], ars=ars)
            key = finding.rule_level + (" delegated" if finding.delegated else "")
        except NotFound:
            key = "none"
        levels[key] = levels.get(key, 0) + 1
    results["finder"] = {
        "lookup": summary(times),
        "with_service_by_slug": summary(api_times),
        "found": found,
        "lookups": len(pairs),
        "queries_per_lookup": len(captured) / 100,
        "levels_of_300": levels,
    }
    s = results["finder"]["lookup"]
    log(
        f"find_responsibility p50 {s['p50']:.2f} p95 {s['p95']:.2f} ms "
        f"({found}/{len(pairs)} found, {len(captured) / 100:.1f} queries each)"
    )


# ---------------------------------------------------------------------------------- HTTP


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


#: The server's result cache in the HTTP runs: off (every request a new search, the worst
#: case) and on (the product's default; the query set repeats, so after the first round
#: every answer comes from the cache of the worker process that serves it).
HTTP_VARIANTS = {"uncached": "0", "cached": "300"}


def search_over_http(
    queries: list[tuple[str, str, dict[str, Any]]],
    scale: Any,
    results: dict[str, Any],
    workdir: Path,
) -> None:
    results["http"] = {}
    for variant, seconds in HTTP_VARIANTS.items():
        results["http"][variant] = _search_over_http(queries, scale, workdir, variant, seconds)


def _search_over_http(
    queries: list[tuple[str, str, dict[str, Any]]],
    scale: Any,
    workdir: Path,
    variant: str,
    cache_seconds: str,
) -> dict[str, Any]:
    import http.client

    from django.conf import settings
    from django.db import connection

    port = free_port()
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": os.environ["DATABASE_URL"],
            "AMTSHILFE_VAR_DIR": str(workdir / "var"),
            "API_RATE_LIMIT": "1000000/min",
            "DEBUG": "false",
            "SEARCH_CACHE_SECONDS": cache_seconds,
        }
    )
    pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool")
    workers, threads = 2, 8
    log_path = workdir / f"server-{connection.vendor}-{variant}.log"
    server_log = log_path.open("wb")
    connection.close()  # the worker keeps no connection or lock while the server runs
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "amtshilfe.cli",
            "web",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
        ],
        cwd=ROOT,
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    paths = []
    for _category, text, options in queries:
        if options.get("language") == "en":
            continue  # the API takes the language from the request; German only here
        params = {"q": text}
        if "ars" in options:
            params["ars"] = options["ars"]
        paths.append("/api/v1/services?" + urllib.parse.urlencode(params))
    info: dict[str, Any] = {
        "workers": workers,
        "threads": threads,
        "paths": len(paths),
        "pool": pool,
        "client": "wrk" if shutil.which("wrk") else "python threads",
    }
    try:
        deadline = time.time() + 90
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", paths[0])
                response = conn.getresponse()
                response.read()
                if response.status == 200:
                    break
                raise RuntimeError(f"status {response.status}")
            except (OSError, RuntimeError):
                if time.time() > deadline or server.poll() is not None:
                    raise RuntimeError(f"server did not start, see {server_log.name}") from None
                time.sleep(0.5)
        statuses = {}
        for path in paths:  # every query once: all must answer 200
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            statuses[response.status] = statuses.get(response.status, 0) + 1
        conn.close()
        info["statuses_single_pass"] = statuses
        load_test(port, paths, 32, 5, workdir)  # warm-up: both workers, their pools
        info["c1"] = load_test(port, paths, 1, max(5, scale.http_seconds // 3), workdir)
        info["c32"] = load_test(port, paths, 32, scale.http_seconds, workdir)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        server_log.close()
    errors = sum(
        1
        for line in log_path.read_text(errors="replace").splitlines()
        if " 500 " in line or "PoolTimeout" in line
    )
    info["server_errors_logged"] = errors
    info["cache_seconds"] = int(cache_seconds)
    c32 = info["c32"]
    log(
        f"HTTP ({variant}) 32 clients: p50 {c32['p50']:.1f} p95 {c32['p95']:.1f} ms, "
        f"{c32['rps']:.0f} req/s, non-2xx {c32['non2xx']}"
    )
    return info


WRK_SCRIPT = """
local paths = {%s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%d %%.1f %%.1f %%.1f %%.1f %%.1f\\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean,
    latency.max))
end
"""


def load_test(
    port: int, paths: list[str], clients: int, seconds: int, workdir: Path
) -> dict[str, Any]:
    """Closed loop: ``clients`` keep-alive connections, each sending its next request as
    soon as the answer is in; latency percentiles in ms and requests per second."""
    if shutil.which("wrk"):
        script = workdir / "paths.lua"
        script.write_text(WRK_SCRIPT % ", ".join(f'"{p}"' for p in paths), encoding="utf-8")
        threads = min(2, clients)
        out = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{clients}",
                f"-d{seconds}s",
                "--timeout",
                "10s",
                "-s",
                str(script),
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        line = next(x for x in out.splitlines() if x.startswith("RESULT"))
        requests, duration_us, status_errors, socket_errors, p50, p95, p99, mean, top = (
            float(x) for x in line.split()[1:]
        )
        return {
            "clients": clients,
            "seconds": seconds,
            "requests": int(requests),
            "rps": requests / (duration_us / 1e6),
            "p50": p50 / 1000,
            "p95": p95 / 1000,
            "p99": p99 / 1000,
            "mean": mean / 1000,
            "max": top / 1000,
            "non2xx": int(status_errors),
            "socket_errors": int(socket_errors),
        }
    return _python_load_test(port, paths, clients, seconds)


def _python_load_test(port: int, paths: list[str], clients: int, seconds: int) -> dict[str, Any]:
    import http.client
    import threading

    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine: list[float] = []
        n = offset
        while time.perf_counter() < stop:
            started = time.perf_counter()
            conn.request("GET", paths[n % len(paths)])
            response = conn.getresponse()
            response.read()
            mine.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                with lock:
                    errors[0] += 1
            n += 1
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    pool = [threading.Thread(target=client, args=(i * 7,)) for i in range(clients)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    result = summary(latencies)
    return {
        "clients": clients,
        "seconds": seconds,
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": result["p50"],
        "p95": result["p95"],
        "p99": result["p99"],
        "mean": result["mean"],
        "max": result["max"],
        "non2xx": errors[0],
        "socket_errors": 0,
    }


# ------------------------------------------------------------------------ catalogue import


def catalogue_import(
    world: Any, scale: Any, results: dict[str, Any], args: argparse.Namespace, workdir: Path
) -> None:
    """XZuFi slices and the LeiKa CSV import, each in a transaction rolled back after; then
    the whole catalogue as one message, for real (see :func:`whole_catalogue_import`)."""
    from django.db import connection

    info: dict[str, Any] = {"slices": []}
    for leistungen, places in scale.import_slices:
        info["slices"].append(xzufi_slice(world, leistungen, places))
    # What the whole generated catalogue is as an XZuFi message (what export_catalog writes):
    # every service, every authority with a responsibility, an Onlinedienst per online
    # offering with a link, and a Zuständigkeit per responsibility.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM catalog_offering WHERE channel IN ('online', "
            "'both') AND status IN ('live', 'pilot') AND online_url <> ''"
        )
        online = cursor.fetchone()[0]
        cursor.execute("SELECT count(DISTINCT authority_id), count(*) FROM catalog_responsibility")
        units, rules = cursor.fetchone()
        cursor.execute("SELECT substr(area, 1, 2), count(*) FROM catalog_responsibility GROUP BY 1")
        by_land = dict(cursor.fetchall())
    national = {
        "Leistung": scale.services,
        "Organisationseinheit": units,
        "Onlinedienst": online,
        "Zustaendigkeit": rules,
    }
    info["land_shares"] = {land: count / rules for land, count in sorted(by_land.items())}
    info["national_message"] = national
    last = info["slices"][-1]
    per_object = last["per_object_ms"]
    estimate = {kind: national[kind] * per_object[kind] / 1000 for kind in national}
    objects = sum(national.values())
    estimate["read (parse + schema), resolve, reindex"] = (
        objects * last["overhead_ms_per_object"] / 1000
    )
    info["national_estimate_s"] = estimate
    info["national_estimate_total_s"] = sum(estimate.values())
    # The biggest Land's own message: every service, its share of the rest.
    biggest = max(info["land_shares"].values())
    land = {kind: national[kind] * (1 if kind == "Leistung" else biggest) for kind in national}
    info["biggest_land_message"] = land
    info["biggest_land_estimate_total_s"] = (
        sum(land[kind] * per_object[kind] / 1000 for kind in land)
        + sum(land.values()) * last["overhead_ms_per_object"] / 1000
    )
    info["leika"] = leika_import(world, scale.leika_import)
    whole = args.whole_import if args.whole_import is not None else args.backend == "postgresql"
    if whole:
        info["whole"] = whole_catalogue_import(workdir)
    results["import"] = info
    log(
        f"XZuFi import: {last['objects']} objects in {last['total_s']:.1f} s; national "
        f"message ({objects:,} objects) ≈ {info['national_estimate_total_s'] / 60:.0f} min "
        f"(extrapolated); LeiKa {scale.leika_import} services {info['leika']['seconds']:.1f} s"
    )


def xzufi_slice(world: Any, leistungen: int, places: int) -> dict[str, Any]:
    from catalog_world import COLUMNS
    from django.db import reset_queries
    from lxml import etree

    from amtshilfe.catalog.models import Service
    from amtshilfe.catalog.xzufi import exporter, reader
    from amtshilfe.catalog.xzufi.importer import import_message
    from amtshilfe.catalog.xzufi.reader import (
        APPLICATION_LINK,
        Link,
        Onlinedienst,
        Organisationseinheit,
        Ref,
        Zustaendigkeit,
    )

    rng = random.Random(leistungen * 1000 + places)
    agency = "bench-redaktion"
    columns = COLUMNS["catalog_service"]
    text_fields = [
        c
        for c in columns
        if c.endswith(("_de", "_en"))
        or c in ("leika_name", "legal_basis", "keywords", "synonyms", "typisierung", "trust_level")
    ]
    rows = rng.sample(world.rows["catalog_service"], leistungen)
    catalogue = exporter.Catalogue()
    for n, row in enumerate(rows):
        values = dict(zip(columns, row, strict=True))
        service = Service(**{k: values[k] for k in text_fields})
        service.name_de = values["name_de"] + " (Landesredaktion)"
        service.leika_key = f"998{n:011d}"
        service.external_id, service.scheme_agency = f"L-{n}", agency
        catalogue.leistungen.append(exporter.leistung_of(service))
    munis = rng.sample(world.municipalities, places)
    for muni in munis:
        catalogue.organisationseinheiten.append(
            Organisationseinheit(
                ref=Ref(agency, f"OE-{muni.org_id}"),
                name={"de": "Fachdienst Onlinezugang"},
                ars=muni.ars,
                street="Hauptstraße",
                house_number="1",
                postcode="12345",
                city="Musterstadt",
                phone="0123 45678",
                email="onlinezugang@example.de",
            )
        )
    for leistung in catalogue.leistungen:
        for muni in munis:
            dienst = None
            if rng.random() < 0.3:
                dienst = Ref(agency, f"D-{leistung.ref.id}-{muni.org_id}")
                catalogue.onlinedienste.append(
                    Onlinedienst(
                        ref=dienst,
                        name={"de": leistung.texts["name"]["de"]},
                        links=[
                            Link(
                                APPLICATION_LINK,
                                f"https://portal.example.de/{muni.org_id}/{leistung.ref.id}",
                            )
                        ],
                        trust_level="substanziell",
                    )
                )
            catalogue.zustaendigkeiten.append(
                Zustaendigkeit(
                    ref=Ref(agency, f"Z-{leistung.ref.id}-{muni.org_id}"),
                    authority=Ref(agency, f"OE-{muni.org_id}"),
                    leistung=leistung.ref,
                    area=muni.ars,
                    onlinedienst=dienst,
                )
            )
    tree = exporter.to_xml(catalogue)
    # A Land's update also withdraws Zuständigkeiten: deletions of ids the catalogue does not
    # have cost the importer the same look-up as real ones (and change nothing).
    deletions = max(5, leistungen)
    for n in range(deletions):
        element = etree.SubElement(
            tree.getroot(), f"{{{reader.NS}}}loesche", klasse="Zustaendigkeit"
        )
        ident = etree.SubElement(element, f"{{{reader.NS}}}id", schemeAgencyID=agency)
        ident.text = f"Z-alt-{n}"
    data = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
    counts = {
        "Loeschung": deletions,
        "Leistung": len(catalogue.leistungen),
        "Organisationseinheit": len(catalogue.organisationseinheiten),
        "Onlinedienst": len(catalogue.onlinedienste),
        "Zustaendigkeit": len(catalogue.zustaendigkeiten),
    }
    objects = sum(counts.values())
    log(f"XZuFi slice: {counts}, {len(data) / 1e6:.1f} MB")
    started = time.perf_counter()
    message = reader.read(data)
    read_s = time.perf_counter() - started
    stamps: list[tuple[int, float]] = []

    def progress(done: int, total: int) -> None:
        stamps.append((done, time.perf_counter()))

    reset_queries()
    with _count_queries() as queries:
        started = time.perf_counter()
        summary_ = import_message(message, dry_run=True, progress=progress)
        total_s = time.perf_counter() - started
    kinds = ["Loeschung", "Leistung", "Organisationseinheit", "Onlinedienst", "Zustaendigkeit"]
    bounds = kind_seconds(stamps, [(kind, counts[kind]) for kind in kinds])
    resolve_s = stamps[0][1] - started  # the importer reports (0, total) when writing starts
    tail_s = started + total_s - stamps[-1][1]  # orphans, reindex, rollback
    per_object = {kind: bounds[kind] * 1000 / counts[kind] for kind in kinds}
    created = {k: c.created for k, c in summary_.counts.items()}
    result = {
        "counts": counts,
        "objects": objects,
        "bytes": len(data),
        "read_s": read_s,
        "resolve_s": resolve_s,
        "write_s": bounds,
        "tail_s": tail_s,
        "total_s": read_s + total_s,
        "per_object_ms": per_object,
        "overhead_ms_per_object": (read_s + resolve_s + tail_s) * 1000 / objects,
        "objects_per_s": objects / (read_s + total_s),
        "created": created,
        "queries": queries[0],
        "queries_per_object": queries[0] / objects,
    }
    log(
        f"  read {read_s:.1f} s, resolve {resolve_s:.1f} s, write "
        f"{sum(bounds.values()):.1f} s, tail {tail_s:.1f} s; "
        + ", ".join(f"{k} {v:.2f} ms" for k, v in per_object.items())
        + f"; {queries[0] / objects:.1f} queries/object"
    )

    return result


class _count_queries:
    """Counts the SQL statements run inside the block (without keeping them)."""

    def __enter__(self) -> list[int]:
        from django.db import connection

        self.count = [0]

        def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            self.count[0] += 1
            return execute(sql, params, many, context)

        self.wrapper = connection.execute_wrapper(wrapper)
        self.wrapper.__enter__()
        return self.count

    def __exit__(self, *exc: Any) -> None:
        self.wrapper.__exit__(*exc)


def leika_import(world: Any, count: int) -> dict[str, Any]:
    import csv
    import io

    from django.db import transaction

    from amtshilfe.catalog.importers import import_leika_csv

    rng = random.Random(count)
    bundles = sorted({m["ozg_id"] for m in world.service_meta.values() if m["ozg_id"]})
    names = sorted(world.service_names.values())
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["leika_key", "name_de", "typisierung", "ozg_id"])
    for n in range(count):
        name = names[n % len(names)].rsplit(" ", 1)[0] + f" Variante {n // len(names) + 1}"
        writer.writerow(
            [f"997{n:011d}", name, rng.choice(["2", "2/3", "4", "5"]), rng.choice(bundles)]
        )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "leika.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8")
        started = time.perf_counter()
        with transaction.atomic():
            summary_ = import_leika_csv(path)
            seconds = time.perf_counter() - started
            transaction.set_rollback(True)
    return {
        "rows": count,
        "seconds": seconds,
        "created": summary_.created,
        "per_row_ms": seconds * 1000 / count,
    }


def kind_seconds(stamps: list[tuple[int, float]], kinds: list[tuple[str, int]]) -> dict[str, float]:
    """Seconds per kind from the importer's progress stamps ``(done, time)``: it writes kind
    after kind, reports ``(0, total)`` when writing starts and again after every batch, so a
    stamp falls on the end of each kind."""
    done_at = dict(stamps)
    position, previous, seconds = 0, stamps[0][1], {}
    for kind, count in kinds:
        position += count
        seconds[kind] = done_at[position] - previous
        previous = done_at[position]
    return seconds


# The whole catalogue, for real. Which import is "a Land or the operator imports the
# catalogue"? The one that matters for the 10-minute goal is the biggest: the national
# catalogue (every Leistung, every Organisationseinheit with a Zuständigkeit, an Onlinedienst
# per online offering, every Zuständigkeit) as one message into an installation that has its
# regions and organisations but not yet this catalogue, so that every object is created
# (first delivery, or moving to amtshilfe). The message is what the product itself writes:
# `amtshilfe export-catalog` on the generated installation. The catalogue tables are then
# emptied, and `import-xzufi`'s function imports the file in a fresh process (its own peak
# memory; the worker holds the generated world). The same file is imported a second time:
# the regular full re-delivery, which must change nothing.

#: Emptied before the whole import; regions, organisations and the audit trail stay.
CATALOGUE_TABLES = (
    "catalog_responsibility",
    "catalog_offering",
    "catalog_externalid",
    "organisations_openinghours",
    "organisations_authority",
    "catalog_service",
)


def whole_catalogue_import(workdir: Path) -> dict[str, Any]:
    """Export the catalogue, empty the catalogue tables, import the message twice."""
    from django.db import connection

    path = workdir / "catalogue.xml"
    log("whole catalogue: export-catalog …")
    info: dict[str, Any] = {
        "export": run_measured(
            [sys.executable, "-m", "amtshilfe.cli", "export-catalog", "--output", str(path)]
        )
    }
    info["bytes"] = path.stat().st_size
    log(f"  {info['bytes'] / 1e6:,.0f} MB in {info['export']['seconds']:.0f} s")
    empty_catalogue()
    for run in ("first", "again"):
        out = workdir / f"import-{run}.json"
        log(f"whole catalogue: import ({run}) …")
        measured = run_measured(
            [sys.executable, __file__, "--import-message", str(path), "--out", str(out)]
        )
        info[run] = {**json.loads(out.read_text(encoding="utf-8")), "process": measured}
        log(f"  {import_line(info[run])}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM core_auditentry WHERE action LIKE 'catalog.import.%'")
        info["audit_entries"] = cursor.fetchone()[0]
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
            info["database_bytes"] = cursor.fetchone()[0]
    return info


def empty_catalogue() -> None:
    """Forget the generated catalogue (and its search index), keep the places."""
    from django.db import connection, transaction

    from amtshilfe.catalog.search import reindex_services

    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(CATALOGUE_TABLES)} CASCADE")
        else:
            for table in CATALOGUE_TABLES:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (constant names)
    reindex_services()  # no services: empties the index


def run_measured(command: list[str]) -> dict[str, Any]:
    """Run a child process: its wall time, peak memory and the load around it."""
    load = os.getloadavg()
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT)
    _pid, status, usage = os.wait4(child.pid, 0)  # wait4: the child's own resource usage
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command[1:4])} failed ({child.returncode})")
    return {
        "seconds": seconds,
        "max_rss_mb": usage.ru_maxrss / 1024,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "loadavg_start": load,
        "loadavg_end": os.getloadavg(),
    }


#: The importer's order of writing: (kind, how to count it in the message).
WRITE_ORDER = (
    "Loeschung Zustaendigkeit",
    "Leistung",
    "Organisationseinheit",
    "Onlinedienst",
    "Zustaendigkeit",
    "Loeschung Onlinedienst",
    "Loeschung Organisationseinheit",
    "Loeschung Leistung",
)


def import_child(args: argparse.Namespace) -> int:
    """One import of a message file in this process (``--import-message``), measured."""
    import resource

    os.environ["DJANGO_SETTINGS_MODULE"] = "amtshilfe.config.settings"
    import django

    django.setup()
    from amtshilfe.catalog.xzufi import reader
    from amtshilfe.catalog.xzufi.importer import import_message

    def rss_mb() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    result: dict[str, Any] = {"loadavg_start": os.getloadavg(), "max_rss_start_mb": rss_mb()}
    started = time.perf_counter()
    message = reader.read(Path(args.import_message))
    result["read_s"] = time.perf_counter() - started
    result["max_rss_after_read_mb"] = rss_mb()
    counts = {
        "Leistung": len(message.leistungen),
        "Organisationseinheit": len(message.organisationseinheiten),
        "Onlinedienst": len(message.onlinedienste),
        "Zustaendigkeit": len(message.zustaendigkeiten),
    }
    for klasse in list(counts):
        counts[f"Loeschung {klasse}"] = sum(1 for x in message.loeschungen if x.klasse == klasse)
    stamps: list[tuple[int, float]] = []
    with _count_queries() as queries:
        begun = time.perf_counter()
        summary_ = import_message(
            message, progress=lambda done, _total: stamps.append((done, time.perf_counter()))
        )
        result["import_s"] = time.perf_counter() - begun
    result["resolve_s"] = stamps[0][1] - begun
    result["write_s"] = kind_seconds(stamps, [(kind, counts[kind]) for kind in WRITE_ORDER])
    result["tail_s"] = begun + result["import_s"] - stamps[-1][1]  # orphans, reindex, commit
    result["total_s"] = result["read_s"] + result["import_s"]
    result["counts"] = counts
    result["objects"] = sum(counts.values())
    result["summary"] = {k: vars(c) for k, c in summary_.counts.items()}
    result["changed"] = summary_.changed
    result["queries"] = queries[0]
    result["max_rss_mb"] = rss_mb()
    result["loadavg_end"] = os.getloadavg()
    Path(args.out).write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


def import_line(run: dict[str, Any]) -> str:
    rates = ", ".join(
        f"{kind} {run['counts'][kind] / seconds:,.0f}/s"
        for kind, seconds in run["write_s"].items()
        if run["counts"][kind] and seconds > 0
    )
    return (
        f"{run['objects']:,} objects in {run['process']['seconds']:.0f} s (read "
        f"{run['read_s']:.0f} s, resolve {run['resolve_s']:.0f} s, write "
        f"{sum(run['write_s'].values()):.0f} s, tail {run['tail_s']:.0f} s); {rates}; "
        f"{run['queries']:,} queries; peak {run['process']['max_rss_mb'] / 1024:.1f} GiB; "
        f"changed: {run['changed']}"
    )


def import_report(results: dict[str, dict[str, Any]]) -> str:
    """The catalogue import as a table of its own: slices, and the whole catalogue where it
    was imported for real (else the extrapolation from the slices)."""
    names = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
    backends = [b for b in ("postgresql", "sqlite") if b in results]
    lines = [
        "| catalogue import | " + " | ".join(names[b] for b in backends) + " | goal |",
        "|---|" + "---|" * len(backends) + "---|",
    ]

    def line(label: str, cells: list[str], goal: str = "") -> None:
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {goal} |")

    def row(label: str, cell: Any, goal: str = "") -> None:
        """A row of the whole import: "–" where it was not run."""
        imports = [results[b]["import"] for b in backends]
        line(label, [cell(i["whole"]) if "whole" in i else "–" for i in imports], goal)

    line(
        "XZuFi slices (rolled back): objects, s (objects/s)",
        [
            "; ".join(
                f"{x['objects']:,}, {x['total_s']:.1f} s ({x['objects_per_s']:,.0f}/s)"
                for x in results[b]["import"]["slices"]
            )
            for b in backends
        ],
    )
    line(
        "whole catalogue extrapolated from the last slice, min",
        [
            f"{results[b]['import']['national_estimate_total_s'] / 60:,.1f} "
            f"({sum(results[b]['import']['national_message'].values()):,} objects)"
            for b in backends
        ],
    )
    row(
        "whole catalogue as one message (export-catalog): MB; export s; objects",
        lambda w: (
            f"{w['bytes'] / 1e6:,.0f}; {w['export']['seconds']:.0f}; {w['first']['objects']:,}"
        ),
    )
    for run, label in (("first", "first import (all new)"), ("again", "same message again")):
        row(
            f"**{label}**, wall time, s (min)",
            lambda w, r=run: (
                f"{w[r]['process']['seconds']:.0f} ({w[r]['process']['seconds'] / 60:.1f}) "
                + ("✔" if w[r]["process"]["seconds"] <= GOALS["import_s"] else "✘")
            ),
            "≤ 600 s",
        )
        row(
            f"{label}: read (parse, schema, objects) / resolve / write / tail, s",
            lambda w, r=run: " / ".join(
                f"{w[r][k]:.0f}" if k != "write_s" else f"{sum(w[r][k].values()):.0f}"
                for k in ("read_s", "resolve_s", "write_s", "tail_s")
            ),
        )
        row(
            f"{label}: written per s: Leistung / OE / Onlinedienst / Zuständigkeit",
            lambda w, r=run: " / ".join(
                f"{w[r]['counts'][k] / max(w[r]['write_s'][k], 1e-9):,.0f}"
                for k in ("Leistung", "Organisationseinheit", "Onlinedienst", "Zustaendigkeit")
            ),
        )
        row(
            f"{label}: peak memory (after reading), GiB; queries; changed",
            lambda w, r=run: (
                f"{w[r]['process']['max_rss_mb'] / 1024:.1f} "
                f"({w[r]['max_rss_after_read_mb'] / 1024:.1f}); {w[r]['queries']:,}; "
                f"{w[r]['changed']}"
            ),
        )
        row(
            f"{label}: load average before / after",
            lambda w, r=run: " / ".join(
                f"{w[r]['process'][k][0]:.2f}" for k in ("loadavg_start", "loadavg_end")
            ),
        )
    row("audit entries written by both imports", lambda w: f"{w['audit_entries']:,}")
    line(
        "LeiKa CSV import of all services (rolled back), s",
        [
            f"{results[b]['import']['leika']['seconds']:.1f} "
            f"({results[b]['import']['leika']['rows']:,})"
            for b in backends
        ],
    )
    return "\n".join(lines)


# =========================================================================== the parent


def machine() -> dict[str, str]:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = ""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "src"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "memory": memory,
        "python": platform.python_version(),
        "commit": commit + (" + changes" if dirty else ""),
        "date": datetime.date.today().isoformat(),
    }


def prepare_postgresql(url: str) -> None:
    import psycopg

    parsed = urllib.parse.urlparse(url)
    name = parsed.path.lstrip("/")
    if name in FORBIDDEN_DATABASES or name.startswith("test"):
        raise SystemExit(f"refusing to drop the database {name!r}: use a database of your own")
    admin = parsed._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def run_backend(backend: str, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    if backend == "postgresql":
        url = args.database_url
        prepare_postgresql(url)
    else:
        path = workdir / "catalog.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    out = workdir / f"results-{backend}.json"
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": url,
            "AMTSHILFE_VAR_DIR": str(workdir / "var"),
            "PYTHONPATH": str(ROOT / "src"),
        }
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = [
        sys.executable,
        __file__,
        "--worker",
        "--backend",
        backend,
        "--scale",
        args.scale,
        "--workdir",
        str(workdir),
        "--out",
        str(out),
        *(["--only", args.only] if args.only else []),
        *({True: ["--whole-import"], False: ["--no-whole-import"]}.get(args.whole_import, [])),
    ]
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, cwd=ROOT)
    result = json.loads(out.read_text(encoding="utf-8"))
    result["wall_s"] = time.perf_counter() - started
    return result


def fmt(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


def report(results: dict[str, dict[str, Any]], info: dict[str, str], scale: str) -> str:
    backends = [b for b in ("postgresql", "sqlite") if b in results]
    names = {"postgresql": "PostgreSQL", "sqlite": "SQLite (FTS5)"}
    head = "| | " + " | ".join(names[b] for b in backends) + " | goal |"
    rule = "|---|" + "---|" * len(backends) + "---|"
    lines = [head, rule]

    def row(label: str, cells: list[str], goal: str = "") -> None:
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {goal} |")

    def each(function: Any) -> list[str]:
        out = []
        for b in backends:
            try:
                out.append(function(results[b]))
            except (KeyError, TypeError, ValueError):
                out.append("–")
        return out

    def ms(part: dict[str, float]) -> str:
        return f"{part['p50']:.1f} / {part['p95']:.1f} / {part['p99']:.1f}"

    def verdict(value: float, goal: float) -> str:
        return "✔" if value <= goal else "✘"

    row(
        "municipalities / services / offerings",
        each(
            lambda r: (
                f"{r['counts']['db.gemeinden']:,} / {r['counts']['db.catalog_service']:,} / "
                f"{r['counts']['db.catalog_offering']:,}"
            )
        ),
    )
    row(
        "responsibilities / delegations / vocabulary words",
        each(
            lambda r: (
                f"{r['counts']['db.catalog_responsibility']:,} / "
                f"{r['counts']['db.organisations_delegationagreement']:,} / "
                f"{r['counts']['db.catalog_search_word']:,}"
            )
        ),
    )
    row("generate (Python), s", each(lambda r: fmt(r["timings"]["generate"])))
    row(
        "load (PostgreSQL: COPY, indexes, VACUUM ANALYZE; SQLite: executemany, indexes), s",
        each(lambda r: fmt(r["timings"]["load"])),
    )
    row(
        "reindex_services() (all services), s",
        each(lambda r: fmt(r["timings"]["reindex_services"])),
    )
    row("database size", each(lambda r: f"{r['database_bytes'] / 2**30:.2f} GiB"))
    row(
        "**search in-process** p50 / p95 / p99, ms",
        each(
            lambda r: (
                ms(r["search"]["search"])
                + " "
                + verdict(r["search"]["search"]["p95"], GOALS["search_p95"])
            )
        ),
        "p95 ≤ 30",
    )
    row("bare SQL it issues (replayed) p50 / p95 / p99, ms", each(lambda r: ms(r["search"]["sql"])))
    row(
        "**overhead** search ÷ SQL at p50 / p95 / mean",
        each(
            lambda r: (
                f"{r['search']['ratio_p50']:.2f} / {r['search']['ratio_p95']:.2f} / "
                f"{r['search']['ratio_mean']:.2f} "
                + verdict(r["search"]["ratio_p95"], GOALS["overhead"])
            )
        ),
        "≤ 1.5×",
    )
    row(
        "queries; SQL statements per search (mean); queries without hits",
        each(
            lambda r: (
                f"{r['queries']}; {r['search']['statements_mean']:.1f}; {r['search']['no_hits']}"
            )
        ),
    )
    for variant, label in (
        ("cached", "result cache on (default)"),
        ("uncached", "result cache off: every request a new search"),
    ):

        def http(r: dict[str, Any], clients: str, variant: str = variant) -> dict[str, Any]:
            return dict(r["http"][variant][clients])

        row(
            f"**HTTP, 32 clients**, {label}: p50 / p95 / p99, ms",
            each(
                lambda r, v=variant: (
                    ms(http(r, "c32", v))
                    + " "
                    + verdict(http(r, "c32", v)["p95"], GOALS["http_p95"])
                )
            ),
            "p95 ≤ 60",
        )
        row(
            f"HTTP, 32 clients, {label}: requests/s (non-2xx)",
            each(
                lambda r, v=variant: (
                    f"{http(r, 'c32', v)['rps']:,.0f} ({http(r, 'c32', v)['non2xx']})"
                )
            ),
        )
        row(
            f"HTTP, 1 client, {label}: p50 / p95 / p99, ms; requests/s",
            each(lambda r, v=variant: ms(http(r, "c1", v)) + f"; {http(r, 'c1', v)['rps']:,.0f}"),
        )
    row(
        "**find_responsibility()** p50 / p95 / p99, ms",
        each(
            lambda r: (
                ms(r["finder"]["lookup"])
                + " "
                + verdict(r["finder"]["lookup"]["p95"], GOALS["finder_p95"])
            )
        ),
        "p95 ≤ 5",
    )
    row(
        "… with service_by_slug (as the API), p95 ms; queries per lookup",
        each(
            lambda r: (
                f"{r['finder']['with_service_by_slug']['p95']:.1f}; "
                f"{r['finder']['queries_per_lookup']:.1f}"
            )
        ),
    )
    row(
        "XZuFi import, slice(s): objects, s (objects/s)",
        each(
            lambda r: "; ".join(
                f"{s['objects']:,}, {s['total_s']:.1f} s ({s['objects_per_s']:,.0f}/s)"
                for s in r["import"]["slices"]
            )
        ),
    )
    row(
        "XZuFi import ms/object: Leistung / OE / Onlinedienst / Zuständigkeit / deletion; "
        "read+resolve+reindex per object",
        each(
            lambda r: (
                " / ".join(
                    f"{r['import']['slices'][-1]['per_object_ms'][k]:.1f}"
                    for k in (
                        "Leistung",
                        "Organisationseinheit",
                        "Onlinedienst",
                        "Zustaendigkeit",
                        "Loeschung",
                    )
                )
                + f"; {r['import']['slices'][-1]['overhead_ms_per_object']:.2f}"
            )
        ),
    )
    row(
        "biggest Land's XZuFi message (extrapolated), min",
        each(
            lambda r: (
                f"{r['import']['biggest_land_estimate_total_s'] / 60:,.0f} "
                f"({sum(r['import']['biggest_land_message'].values()):,.0f} objects)"
            )
        ),
    )
    row(
        "**whole catalogue as one XZuFi message** (extrapolated), min",
        each(
            lambda r: (
                f"{r['import']['national_estimate_total_s'] / 60:,.0f} "
                f"({sum(r['import']['national_message'].values()):,} objects) "
                + verdict(r["import"]["national_estimate_total_s"], GOALS["import_s"])
            )
        ),
        "≤ 10 min",
    )
    row(
        "LeiKa CSV import of all services, s",
        each(lambda r: f"{r['import']['leika']['seconds']:.1f} ({r['import']['leika']['rows']:,})"),
    )
    row(
        "load average at start / end of run",
        each(lambda r: f"{r['loadavg_start'][0]:.2f} / {r['loadavg_end'][0]:.2f}"),
    )
    row("wall time of the backend's run, s", each(lambda r: fmt(r["wall_s"], 0)))
    table = "\n".join(lines)
    categories = [
        "exact (shipped)",
        "exact (generated)",
        "prefix",
        "typo",
        "synonym",
        "citizen phrase",
        "broad word",
        "english",
    ]
    cat_lines = [
        "| category (queries) | "
        + " | ".join(f"{names[b]} search p50 / p95 | {names[b]} SQL p50 / p95" for b in backends)
        + " |",
        "|---|" + "---|---|" * len(backends),
    ]
    for category in categories:
        cells = []
        n = 0
        for b in backends:
            c = results[b]["search"]["categories"].get(category)
            if c is None:
                cells += ["–", "–"]
                continue
            n = c["n"]
            cells += [
                f"{c['search']['p50']:.1f} / {c['search']['p95']:.1f}",
                f"{c['sql']['p50']:.1f} / {c['sql']['p95']:.1f}",
            ]
        cat_lines.append(f"| {category} ({n}) | " + " | ".join(cells) + " |")
    return table + "\n\nSearch by kind of query (ms):\n\n" + "\n".join(cat_lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", choices=["germany", "small"], default="germany")
    parser.add_argument("--backend", choices=["postgresql", "sqlite", "both"], default="both")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", PG_URL),
        help=f"PostgreSQL database to drop and create (default {PG_URL})",
    )
    parser.add_argument("--workdir", default="", help="scratch folder (default: a new one in /tmp)")
    parser.add_argument(
        "--write",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="append the results to bench/RESULTS.md (default: germany only)",
    )
    parser.add_argument(
        "--only",
        choices=["import", "search"],
        help="build the world, then run only this part (import: XZuFi slices, LeiKa CSV, "
        "whole catalogue; search: in-process search and find_responsibility, no HTTP)",
    )
    parser.add_argument(
        "--whole-import",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="import the whole catalogue for real (default: on PostgreSQL only)",
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--import-message", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.import_message:
        return import_child(args)
    if args.worker:
        return worker(args)
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix=f"catalog-scale-{args.scale}-"))
    workdir.mkdir(parents=True, exist_ok=True)
    backends = ["postgresql", "sqlite"] if args.backend == "both" else [args.backend]
    info = machine()
    results: dict[str, dict[str, Any]] = {}
    started = time.perf_counter()
    for backend in backends:
        log(f"=== {backend}, scale {args.scale}, scratch files in {workdir}")
        results[backend] = run_backend(backend, args, workdir)
    total = time.perf_counter() - started
    versions = "; ".join(f"{r['server_version'].split(' on ')[0]}" for r in results.values())
    if args.only == "search":
        text = json.dumps(
            {
                b: {
                    "search": r["search"]["search"],
                    "sql": r["search"]["sql"],
                    "finder": r["finder"]["lookup"],
                    "loadavg": [r["loadavg_start"], r["loadavg_end"]],
                }
                for b, r in results.items()
            },
            indent=1,
        )
        print(text)
        return 0
    whole = import_report(results)
    if args.only == "import":
        text = whole
    else:
        text = report(results, info, args.scale) + (f"\n\n{whole}" if whole else "")
    header = (
        f"Run {info['date']}, commit {info['commit']}, `--scale {args.scale}`, "
        f"{total / 60:.1f} min in all. Machine: {info['nproc']} cores ({info['cpu']}), "
        f"{info['memory']} RAM, Python {info['python']}, {versions}; PostgreSQL with its "
        f"default settings (the loader sets `maintenance_work_mem` for its own session). "
        f"Shared machine: other jobs ran at the same time (load averages below)."
    )
    (workdir / "report.md").write_text(header + "\n\n" + text + "\n", encoding="utf-8")
    print(header + "\n\n" + text)
    if args.write if args.write is not None else args.scale == "germany" and not args.only:
        with (BENCH / "RESULTS.md").open("a", encoding="utf-8") as handle:
            handle.write(
                f"\n### Run {info['date']} ({info['commit']}, --scale {args.scale})\n\n"
                + header
                + "\n\n"
                + text
                + "\n"
            )
        log("appended to bench/RESULTS.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
