"""Show the SQL statements ``search_services()`` issues for a query, timed and explained.

Runs against the database of ``DATABASE_URL`` as it is (e.g. the one ``catalog_scale.py``
left behind), changes nothing:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python bench/search_explain.py "Baugenehmiugng beantragen" --ars 064400004004

For each statement: its time (best of ``--runs``) and, with ``--explain``, the plan
(PostgreSQL: EXPLAIN (ANALYZE, BUFFERS); SQLite: EXPLAIN QUERY PLAN).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amtshilfe.config.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

from amtshilfe.catalog.search import search_services  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("query")
    parser.add_argument("--ars")
    parser.add_argument("--language", default="de")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    statements: list[tuple[str, Any]] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        hits = search_services(args.query, ars=args.ars, language=args.language)
    best = []
    for _ in range(args.runs):
        started = time.perf_counter()
        search_services(args.query, ars=args.ars, language=args.language)
        best.append((time.perf_counter() - started) * 1000)
    print(
        f"search_services: best {min(best):.2f} ms; {len(hits)} hits; "
        f"top: {[h.slug for h in hits[:3]]}"
    )
    # Replayed in one transaction, in order: a statement may set a planner setting for the
    # next one with set_config(…, true), as search_services() does.
    times: list[list[float]] = [[] for _ in statements]
    counts = [0] * len(statements)
    for _ in range(args.runs):
        with transaction.atomic(), connection.cursor() as cursor:
            for n, (sql, params) in enumerate(statements):
                started = time.perf_counter()
                cursor.execute(sql, params)
                counts[n] = len(cursor.fetchall())
                times[n].append((time.perf_counter() - started) * 1000)
    prefix = (
        "EXPLAIN (ANALYZE, BUFFERS) "
        if connection.vendor == "postgresql"
        else "EXPLAIN QUERY PLAN "
    )
    with transaction.atomic(), connection.cursor() as cursor:
        for n, (sql, params) in enumerate(statements):
            print(f"\n--- statement {n + 1}: best {min(times[n]):.2f} ms, {counts[n]} rows")
            print(" ".join(sql.split())[:3000])
            print("params:", params)
            if not args.explain:
                continue
            # PostgreSQL's typo look-up is "set_config(…); <query>; set_config(…)" in one
            # string: explain the query between the two.
            parts = sql.split("; ") if sql.startswith("SELECT set_config(") else [sql]
            for part in parts:
                if part is parts[len(parts) // 2]:
                    cursor.execute(prefix + part, params)
                    for row in cursor.fetchall():
                        print("   ", " | ".join(str(c) for c in row))
                else:
                    cursor.execute(part)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
