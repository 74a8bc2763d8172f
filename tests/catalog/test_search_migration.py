"""Migration catalog.0006 fills the per-field search columns from the existing documents."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the per-field columns exist on PostgreSQL only"
)
BEFORE = [("catalog", "0005_responsibility_xzufi_id_index")]
AFTER = [("catalog", "0006_search_field_columns")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db
def test_existing_documents_are_split_into_field_columns():
    # Runs inside the test's transaction: PostgreSQL rolls the schema changes back with it.
    migrate(BEFORE)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO catalog_search_document (service_id, document, document_en) VALUES "
            "(1, setweight(to_tsvector('german', 'Hundesteuer'), 'A') "
            "|| setweight(to_tsvector('german', 'Hund anmelden'), 'B') "
            "|| setweight(to_tsvector('german', 'Steuer für Hunde'), 'C') "
            "|| setweight(to_tsvector('german', 'Formular Gemeindekasse'), 'D'), "
            "setweight(to_tsvector('english', 'dog tax'), 'A') "
            "|| setweight(to_tsvector('english', 'register a dog'), 'C'))"
        )
    migrate(AFTER)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT strip(name)::text, strip(aliases)::text, strip(summary)::text, "
            "strip(name_en)::text, strip(summary_en)::text FROM catalog_search_document"
        )
        assert cursor.fetchall() == [
            ("'hundesteu'", "'anmeld' 'hund'", "'hund' 'steu'", "'dog' 'tax'", "'dog' 'regist'")
        ]
        cursor.execute(
            "SELECT count(*) FROM catalog_search_document WHERE name @@ to_tsquery('german', "
            "'Formular') OR summary @@ to_tsquery('german', 'anmelden')"
        )
        assert cursor.fetchone() == (0,), "no field column holds another field's words"
