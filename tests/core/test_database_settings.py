"""The embedded tier's SQLite runs in WAL mode with a busy timeout; PostgreSQL is pooled."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.db import connection
with connection.cursor() as cursor:
    options = settings.DATABASES["default"].get("OPTIONS", {})
    result = {"vendor": connection.vendor, "options": options}
    if connection.vendor == "sqlite":
        cursor.execute("PRAGMA journal_mode")
        result["journal_mode"] = cursor.fetchone()[0]
        cursor.execute("PRAGMA busy_timeout")
        result["busy_timeout_ms"] = cursor.fetchone()[0]
        result["name"] = str(settings.DATABASES["default"]["NAME"])
print(json.dumps(result, default=str))
"""


def probe(tmp_path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env.update(
        DJANGO_SETTINGS_MODULE="amtshilfe.config.settings",
        AMTSHILFE_VAR_DIR=str(tmp_path / "var"),
        **extra,
    )
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_default_database_is_sqlite_in_var_with_wal_and_busy_timeout(tmp_path):
    result = probe(tmp_path)
    assert result["vendor"] == "sqlite"
    assert result["name"] == str(tmp_path / "var" / "amtshilfe.sqlite3")
    assert result["journal_mode"] == "wal"
    assert result["busy_timeout_ms"] == 20_000
    assert result["options"]["transaction_mode"] == "IMMEDIATE"


def test_embedded_secret_key_is_generated_once_into_var(tmp_path):
    probe(tmp_path)
    key_file = tmp_path / "var" / "secret_key"
    first = key_file.read_text()
    probe(tmp_path)
    assert key_file.read_text() == first and len(first) >= 50
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_postgresql_uses_a_connection_pool(tmp_path):
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        url = "postgres://postgres@127.0.0.1:5432/test"
        try:
            socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
        except OSError:
            pytest.skip("no PostgreSQL on 127.0.0.1:5432 (the PostgreSQL run of CI covers this)")
    result = probe(tmp_path, DATABASE_URL=url)
    assert result["vendor"] == "postgresql"
    assert result["options"]["pool"]["max_size"] == 10
