"""The `amtshilfe` command, as an operator types it (each call a process of its own)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

COMMANDS = ["serve", "web", "worker", "demo", "check", "import-regions"]
SETTINGS_VARIABLES = {"AMTSHILFE_MODE", "DATABASE_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"}


def environment(var_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in SETTINGS_VARIABLES and not k.startswith("DJANGO_")
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "amtshilfe.config.settings",
        "AMTSHILFE_VAR_DIR": str(var_dir),
        **extra,
    }
    return env


def amtshilfe(*args: str, var_dir: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "amtshilfe.cli", *args],
        env=environment(var_dir, **extra),
        cwd=var_dir.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def helps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess[str]]:
    """`amtshilfe --help` and `amtshilfe COMMAND --help` for every command, run side by side."""
    var_dir = tmp_path_factory.mktemp("help") / "var"
    amtshilfe("check", var_dir=var_dir)  # creates the var dir and its secret key once
    calls = {"": ("--help",), **{command: (command, "--help") for command in COMMANDS}}
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = {
            name: pool.submit(amtshilfe, *args, var_dir=var_dir) for name, args in calls.items()
        }
        return {name: future.result() for name, future in futures.items()}


def test_overview_lists_every_command(helps):
    result = helps[""]
    assert result.returncode == 0, result.stderr
    listed = {line.split()[0] for line in result.stdout.splitlines() if line.startswith("  ")}
    assert set(COMMANDS) <= listed


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_answers_help_with_its_usage(helps, command):
    result = helps[command]
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: amtshilfe {command} ")
    assert result.stderr == ""


def test_a_mistyped_setting_is_one_clear_line_not_a_traceback(tmp_path: Path):
    result = amtshilfe("check", var_dir=tmp_path / "var", DEBUG="maybe")
    assert result.returncode == 2
    assert "DEBUG must be true or false, not 'maybe'" in result.stderr
    assert "Traceback" not in result.stderr


def count_rows(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as db:
        return {
            table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608
            for table in ("accounts_user", "organisations_organisation")
        }


def test_demo_can_run_twice_without_duplicating_anything(tmp_path: Path):
    var_dir = tmp_path / "var"

    first = amtshilfe("demo", var_dir=var_dir)
    assert first.returncode == 0, first.stderr
    after_first = count_rows(var_dir / "amtshilfe.sqlite3")
    second = amtshilfe("demo", var_dir=var_dir)
    assert second.returncode == 0, second.stderr
    after_second = count_rows(var_dir / "amtshilfe.sqlite3")

    assert after_first == after_second
    assert after_first["accounts_user"] > 0
    for run in (first, second):
        assert "Demo-Zugänge / demo logins" in run.stdout
        assert "Demo-Amtshilfe-2026" in run.stdout  # the password shown with the logins
        assert "@demo.amtshilfe.example" in run.stdout
    logins = [line for line in first.stdout.splitlines() if "@demo.amtshilfe.example" in line]
    assert len(logins) == after_first["accounts_user"]


def test_demo_refuses_production_mode(tmp_path: Path):
    result = amtshilfe(
        "demo",
        var_dir=tmp_path / "var",
        AMTSHILFE_MODE="production",
        SECRET_KEY="k" * 10 + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ",
    )
    assert result.returncode != 0
    assert "AMTSHILFE_MODE=embedded" in result.stderr
    assert not (tmp_path / "var" / "amtshilfe.sqlite3").exists()
