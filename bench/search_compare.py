"""Service search on the shipped content: ``search_services`` against the bare SQL it issues.

For 20 queries a citizen might type, times ``search_services()`` (planning in Python, SQL,
building hits) and, side by side, only the SQL statements it sent (recorded once, then
replayed with the same parameters). The difference is the Python overhead. Runs on the
database of ``DATABASE_URL`` (default: SQLite) in a throw-away test database:

    .venv/bin/python bench/search_compare.py [--runs 50]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/db .venv/bin/python bench/search_compare.py

Copy the printed table into bench/RESULTS.md. The Germany-scale benchmark (10 k services,
3 M offerings) is a separate script.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from amtshilfe.catalog import content  # noqa: E402
from amtshilfe.catalog.search import reindex_services, search_services  # noqa: E402
from amtshilfe.catalog.search.backends import get_backend  # noqa: E402

BUEDINGEN = "064400004004"
QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("Personalausweis", {}),
    ("Perso", {}),
    ("Reisepass", {"ars": BUEDINGEN}),
    ("Umzug", {}),
    ("Wohnsitz anmelden", {"ars": BUEDINGEN}),
    ("Hund anmelden", {}),
    ("Führerschein umtauschen", {}),
    ("Fuehrerschein", {}),
    ("Baugen", {}),
    ("Persona", {}),
    ("Persoalausweis", {}),
    ("Hundesteur", {}),
    ("Fuhrerschien", {"ars": BUEDINGEN}),
    ("Baugenemigung", {}),
    ("Kindergartenplatz", {}),
    ("Auto anmelden", {"ars": BUEDINGEN}),
    ("Müll Tonne", {}),
    ("beantragen", {}),
    ("Anmeldungen", {}),
    ("register address", {"language": "en"}),
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def record(query: str, options: dict[str, Any]) -> list[tuple[str, Any]]:
    statements: list[tuple[str, Any]] = []

    def wrapper(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        search_services(query, **options)
    return statements


def replay(statements: list[tuple[str, Any]]) -> None:
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            cursor.fetchall()


def timed(function, runs: int) -> list[float]:
    for _ in range(3):
        function()
    result = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        result.append((time.perf_counter() - started) * 1000)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_search_{os.getpid()}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        content.load_ozg_catalogue()
        content.load_services()
        started = time.perf_counter()
        count = reindex_services()
        reindex_ms = (time.perf_counter() - started) * 1000
        backend = type(get_backend()).__name__
        print(
            f"{backend} on {connection.vendor}; {count} services; full reindex {reindex_ms:.0f} ms"
        )
        print(f"{'query':<28} {'stmts':>5} {'search p50':>11} {'SQL p50':>8} {'top hit':<30}")
        all_search: list[float] = []
        all_sql: list[float] = []
        for query, options in QUERIES:
            statements = record(query, options)
            search_ms = timed(lambda q=query, o=options: search_services(q, **o), args.runs)
            sql_ms = timed(lambda s=statements: replay(s), args.runs)
            all_search += search_ms
            all_sql += sql_ms
            hits = search_services(query, **options)
            print(
                f"{query:<28} {len(statements):>5} {statistics.median(search_ms):>9.2f}ms"
                f" {statistics.median(sql_ms):>6.2f}ms {hits[0].slug if hits else '-':<30}"
            )
        for label, values in (("search_services", all_search), ("bare SQL", all_sql)):
            print(
                f"{label:<16} p50 {percentile(values, 0.5):6.2f} ms   "
                f"p95 {percentile(values, 0.95):6.2f} ms   ({len(values)} runs)"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
