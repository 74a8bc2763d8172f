"""An index on the XZuFi id of responsibilities (external_id, scheme_agency).

The XZuFi importer looks responsibilities up by their id: one query per deleted
Zuständigkeit (``scheme_agency`` and ``external_id``) and one ``external_id IN (…)`` for all
Zuständigkeiten of a message. Without an index each is a full scan of the table: at the
Germany-scale benchmark's 723 k responsibilities a deletion took ~50 ms on PostgreSQL and
~0.85 s on SQLite (bench/RESULTS.md, catalogue import).

Plain SQL, not ``AddIndex``: the model state is left as it is, so models.py and the
migrations stay in step. To declare the index on the model later, add
``models.Index(fields=["external_id", "scheme_agency"], name="responsibility_xzufi_id")`` to
``Responsibility.Meta.indexes`` with a migration that adds it to the state only
(``SeparateDatabaseAndState(state_operations=[AddIndex(…)])``).
"""

from django.db import migrations

INDEX = "responsibility_xzufi_id"


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_area_message_names_gemeindeverband"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX {INDEX} ON catalog_responsibility (external_id, scheme_agency)",
            f"DROP INDEX IF EXISTS {INDEX}",
        ),
    ]
