"""PostgreSQL: one ``tsvector`` column per ranked field, each with its own GIN index.

Before, the ranking tested weight-restricted queries (``name:A``) against the whole weighted
``document``: a GIN index cannot answer a weight restriction, so every matching row's
document was read again from TOAST and tested per field (40–60 ms when a common word such as
"beantragen" matches most services). With a column per field each test is an index look-up,
as FTS5 column filters are on SQLite. ``document`` and ``document_en`` stay: they answer
"all words somewhere in the service" (the lowest level of a match).

The new columns are filled from the existing documents with ``ts_filter`` (weights A, B, C),
so no reindex is needed.

All GIN indexes of the search index are switched to ``fastupdate = off``. With the default
(on), rows written since the last VACUUM wait in a *pending list* that every search reads
through in full: after a reindex of 10,000 services, ~330 pages per index look-up and
1.5–6.5 ms instead of ~0.05 ms (measured in the Germany-scale benchmark). Writes to the
index are rare (reindexing after catalogue changes) and become a little slower instead.

SQLite and other databases get nothing.
"""

from django.db import migrations

COLUMNS = {
    # column: (source document, weight)
    "name": ("document", "a"),
    "aliases": ("document", "b"),
    "summary": ("document", "c"),
    "name_en": ("document_en", "a"),
    "summary_en": ("document_en", "c"),
}

FORWARD = [
    *(
        f"ALTER TABLE catalog_search_document ADD COLUMN {column} tsvector NOT NULL DEFAULT ''"
        for column in COLUMNS
    ),
    "UPDATE catalog_search_document SET "  # noqa: S608 (constant SQL)
    + ", ".join(
        f"{column} = ts_filter({source}, '{{{weight}}}')"
        for column, (source, weight) in COLUMNS.items()
    ),
    *(
        f"CREATE INDEX catalog_search_document_{column} ON catalog_search_document "
        f"USING gin ({column}) WITH (fastupdate = off)"
        for column in COLUMNS
    ),
    *(
        f"ALTER INDEX {index} SET (fastupdate = off)"
        for index in (
            "catalog_search_document_de",
            "catalog_search_document_en",
            "catalog_search_word_trigram",
        )
    ),
    # Whatever waits in the old indexes' pending lists goes into the index proper now.
    "SELECT gin_clean_pending_list(index::regclass) FROM unnest(ARRAY["
    "'catalog_search_document_de', 'catalog_search_document_en', "
    "'catalog_search_word_trigram']) AS index",
]
BACKWARD = [
    *(f"ALTER TABLE catalog_search_document DROP COLUMN {column}" for column in COLUMNS),
    *(
        f"ALTER INDEX {index} RESET (fastupdate)"
        for index in (
            "catalog_search_document_de",
            "catalog_search_document_en",
            "catalog_search_word_trigram",
        )
    ),
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_responsibility_xzufi_id_index"),
    ]

    operations = [migrations.RunPython(forward, backward)]
