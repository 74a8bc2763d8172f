"""`amtshilfe check --deploy`: a correct production configuration passes; each insecure setting
fails the command and is named in its output.

Each case is a process of its own with exactly the environment an operator would set; the
cases run side by side (one module fixture) so the file stays fast.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

# Everything settings.py reads (and DJANGO_*), so the environment of the test run cannot leak in.
SETTINGS_VARIABLES = {
    "AMTSHILFE_MODE",
    "AMTSHILFE_VAR_DIR",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "DATABASE_POOL",
    "DATABASE_POOL_MIN_SIZE",
    "DATABASE_POOL_MAX_SIZE",
    "DATABASE_POOL_TIMEOUT_SECONDS",
    "SQLITE_BUSY_TIMEOUT_SECONDS",
    "FILE_STORAGE",
    "MEDIA_ROOT",
    "EMAIL_HOST",
    "TASK_BACKEND",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "BEHIND_TLS_PROXY",
    "LOG_LEVEL",
    "OIDC_SIGNING_KEY",
    "OIDC_SIGNING_KEYS_OLD",
}


def _signing_key() -> str:
    """A fresh RSA key in PEM, as an operator sets OIDC_SIGNING_KEY."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


UNSET = None  # in a case: remove the variable from the correct configuration

CORRECT = {
    "AMTSHILFE_MODE": "production",
    "SECRET_KEY": secrets.token_urlsafe(45),  # 60 random characters
    "ALLOWED_HOSTS": "amtshilfe.example.org",
    # The check needs no connection; the name only has to say PostgreSQL.
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test",
    "OIDC_SIGNING_KEY": _signing_key(),
}

# case → (changes to the correct configuration, what the output must name)
INSECURE: dict[str, tuple[dict[str, str | None], list[str]]] = {
    "debug on": ({"DEBUG": "true"}, ["amtshilfe.E002", "DEBUG"]),
    "secret key missing": ({"SECRET_KEY": UNSET}, ["amtshilfe.E003", "SECRET_KEY"]),
    "secret key a default": ({"SECRET_KEY": "change-me"}, ["amtshilfe.E003", "SECRET_KEY"]),
    "secret key short": ({"SECRET_KEY": secrets.token_urlsafe(24)}, ["amtshilfe.E003"]),
    "secret key django-insecure": (
        {"SECRET_KEY": "django-insecure-" + secrets.token_urlsafe(45)},
        ["amtshilfe.E003"],
    ),
    "secret key one character repeated": ({"SECRET_KEY": "x" * 60}, ["amtshilfe.E003"]),
    "signing key missing": ({"OIDC_SIGNING_KEY": UNSET}, ["amtshilfe.openid.E001"]),
    "allowed hosts missing": ({"ALLOWED_HOSTS": UNSET}, ["amtshilfe.E004", "ALLOWED_HOSTS"]),
    "allowed hosts any": ({"ALLOWED_HOSTS": "*"}, ["amtshilfe.E004", "ALLOWED_HOSTS"]),
    "allowed hosts include any": (
        {"ALLOWED_HOSTS": "amtshilfe.example.org,*"},
        ["amtshilfe.E004"],
    ),
    "no https redirect": (
        {"SECURE_SSL_REDIRECT": "false"},
        ["amtshilfe.E005", "SECURE_SSL_REDIRECT"],
    ),
    "session cookie over http": (
        {"SESSION_COOKIE_SECURE": "false"},
        ["amtshilfe.E005", "SESSION_COOKIE_SECURE"],
    ),
    "csrf cookie over http": (
        {"CSRF_COOKIE_SECURE": "false"},
        ["amtshilfe.E005", "CSRF_COOKIE_SECURE"],
    ),
    "no hsts": ({"SECURE_HSTS_SECONDS": "0"}, ["amtshilfe.E005", "SECURE_HSTS_SECONDS"]),
    "embedded mode": ({"AMTSHILFE_MODE": "embedded"}, ["amtshilfe.E001", "AMTSHILFE_MODE"]),
    "mode mistyped": ({"AMTSHILFE_MODE": "prod"}, ["AMTSHILFE_MODE", "'prod'"]),
}
PASSING: dict[str, dict[str, str | None]] = {
    "correct": {},
    "sqlite in production": {"DATABASE_URL": UNSET},
}


def run_check(var_dir: Path, changes: dict[str, str | None]) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in SETTINGS_VARIABLES and not k.startswith("DJANGO_")
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "amtshilfe.config.settings",
        "AMTSHILFE_VAR_DIR": str(var_dir),
    }
    for name, value in (CORRECT | changes).items():
        if value is not None:
            env[name] = value
    var_dir.parent.mkdir(parents=True)
    return subprocess.run(
        [sys.executable, "-m", "amtshilfe.cli", "check", "--deploy"],
        env=env,
        cwd=var_dir.parent,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def results(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, subprocess.CompletedProcess[str]]:
    cases = {name: changes for name, (changes, _) in INSECURE.items()} | PASSING
    root = tmp_path_factory.mktemp("deploy-check")
    with ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:
        futures = {
            name: pool.submit(run_check, root / f"case{number}" / "var", changes)
            for number, (name, changes) in enumerate(cases.items())
        }
        return {name: future.result() for name, future in futures.items()}


def test_correct_production_configuration_passes(results):
    result = results["correct"]
    assert result.returncode == 0, result.stdout + result.stderr
    assert "amtshilfe.E" not in result.stdout + result.stderr


@pytest.mark.parametrize("case", INSECURE)
def test_insecure_setting_fails_and_is_named(results, case):
    result = results[case]
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    for word in INSECURE[case][1]:
        assert word in output
    assert "Traceback" not in output


def test_only_the_insecure_setting_is_reported(results):
    """One wrong setting gives one error, so the operator knows what to fix."""
    output = results["no hsts"].stderr
    assert output.count("amtshilfe.E") == 1


def test_sqlite_in_production_is_a_warning_only(results):
    result = results["sqlite in production"]
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "amtshilfe.W001" in output
    assert "amtshilfe.E" not in output
