"""The service search index: FTS5 tables on SQLite; unaccent, pg_trgm and tsvector on PostgreSQL.

Nothing of the one database is created on the other; other databases get nothing.

The tables are not Django models: only ``amtshilfe.catalog.search`` reads and writes them
(its backend modules describe them). They start empty; ``reindex_services()`` fills them.
No foreign key to catalog_service: Django's flush truncates only the tables it knows, and
search joins the index to catalog_service, so rows of deleted services never show.
"""

from django.db import migrations

SQLITE_CREATE = [
    """CREATE VIRTUAL TABLE catalog_search_fts USING fts5(
        name, aliases, summary, body, name_en, summary_en, body_en,
        tokenize = 'unicode61 remove_diacritics 0'
    )""",
    """CREATE TABLE catalog_search_word (
        id INTEGER PRIMARY KEY,
        word TEXT NOT NULL UNIQUE,
        spelling TEXT NOT NULL,
        stem TEXT NOT NULL,
        frequency INTEGER NOT NULL
    )""",
    "CREATE INDEX catalog_search_word_stem ON catalog_search_word (stem)",
    """CREATE VIRTUAL TABLE catalog_search_trigram USING fts5(
        word, content = 'catalog_search_word', content_rowid = 'id', tokenize = 'trigram'
    )""",
]
SQLITE_DROP = [
    "DROP TABLE IF EXISTS catalog_search_trigram",
    "DROP TABLE IF EXISTS catalog_search_word",
    "DROP TABLE IF EXISTS catalog_search_fts",
]
POSTGRESQL_CREATE = [
    # Kept when the migration is reversed: other code may come to rely on them.
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """CREATE TABLE catalog_search_document (
        service_id bigint PRIMARY KEY,
        document tsvector NOT NULL,
        document_en tsvector NOT NULL
    )""",
    "CREATE INDEX catalog_search_document_de ON catalog_search_document USING gin (document)",
    "CREATE INDEX catalog_search_document_en ON catalog_search_document USING gin (document_en)",
    """CREATE TABLE catalog_search_word (
        word text PRIMARY KEY,
        spelling text NOT NULL,
        stem text NOT NULL,
        frequency integer NOT NULL
    )""",
    "CREATE INDEX catalog_search_word_stem ON catalog_search_word (stem)",
    "CREATE INDEX catalog_search_word_trigram ON catalog_search_word USING gin (word gin_trgm_ops)",
]
POSTGRESQL_DROP = [
    "DROP TABLE IF EXISTS catalog_search_word",
    "DROP TABLE IF EXISTS catalog_search_document",
]
STATEMENTS = {
    "sqlite": (SQLITE_CREATE, SQLITE_DROP),
    "postgresql": (POSTGRESQL_CREATE, POSTGRESQL_DROP),
}


def create_tables(apps, schema_editor):
    for statement in STATEMENTS.get(schema_editor.connection.vendor, ([], []))[0]:
        schema_editor.execute(statement)


def drop_tables(apps, schema_editor):
    for statement in STATEMENTS.get(schema_editor.connection.vendor, ([], []))[1]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_external_ids"),
    ]

    operations = [
        # Django's UnaccentExtension/TrigramExtension would do for PostgreSQL, but their
        # reverse fails on SQLite; one vendor-aware step does both databases.
        migrations.RunPython(create_tables, drop_tables),
    ]
