"""The signing key: from OIDC_SIGNING_KEY, generated once in the embedded tier, old keys kept
in the JWKS for rotation; production without a key fails ``check --deploy``."""

from __future__ import annotations

import json
import os
import secrets
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwcrypto import jwk

from amtshilfe.openid import keys


def rsa_pem(bits: int = 2048) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def public_pem(private_pem: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def test_the_embedded_key_is_generated_once_readable_by_the_owner_only(tmp_path: Path):
    first = keys.embedded_private_key_pem(tmp_path)
    path = tmp_path / keys.KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert keys.embedded_private_key_pem(tmp_path) == first
    assert keys.private_key_pem(first) == first
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_a_key_with_escaped_newlines_fits_one_line_of_an_environment_file():
    pem = rsa_pem()
    assert keys.private_key_pem(pem.replace("\n", "\\n")) == pem.strip()


@pytest.mark.parametrize(
    "value",
    [
        "not a key",
        rsa_pem(1024),
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode(),
    ],
    ids=["garbage", "rsa-1024", "ec"],
)
def test_an_unusable_signing_key_is_refused(value):
    with pytest.raises(keys.UnusableKey, match="OIDC_SIGNING_KEY"):
        keys.private_key_pem(value)


def test_old_keys_are_read_as_public_keys_from_one_pem_block_after_the_other():
    old_private, old_public_source = rsa_pem(), rsa_pem()
    raw = old_private + "\n" + public_pem(old_public_source)
    assert keys.public_key_pems(raw) == [public_pem(old_private), public_pem(old_public_source)]
    assert keys.public_key_pems("") == []
    with pytest.raises(keys.UnusableKey, match="OIDC_SIGNING_KEYS_OLD"):
        keys.public_key_pems("garbage")


@pytest.mark.django_db
def test_after_a_rotation_the_jwks_still_has_the_old_key(client, settings):
    old = public_pem(rsa_pem())
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_RSA_PRIVATE_KEYS_INACTIVE": [old]}
    kids = [
        key["kid"] for key in json.loads(client.get("/oidc/.well-known/jwks.json").content)["keys"]
    ]
    current = jwk.JWK.from_pem(settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"].encode())
    assert kids == [current.thumbprint(), jwk.JWK.from_pem(old.encode()).thumbprint()]


# --- the settings, as an operator's environment sets them ------------------------------------

PRODUCTION = {
    "AMTSHILFE_MODE": "production",
    "SECRET_KEY": secrets.token_urlsafe(45),
    "ALLOWED_HOSTS": "amtshilfe.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/helper_oidc",  # never connected to
}


def run(
    var_dir: Path, command: list[str], extra: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "OIDC_", "AMTSHILFE_", "DATABASE_", "SECRET_KEY"))
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "amtshilfe.config.settings",
        "AMTSHILFE_VAR_DIR": str(var_dir),
        **extra,
    }
    var_dir.mkdir(parents=True)
    result = subprocess.run(
        [sys.executable, "-m", "amtshilfe.cli", *command],
        env=env,
        cwd=var_dir.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    result.cwd = str(var_dir.parent)  # for the tests below
    return result


@pytest.fixture(scope="module")
def outcomes(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, subprocess.CompletedProcess[str]]:
    root = tmp_path_factory.mktemp("oidc-settings")
    cases = {
        "production without key": (["check", "--deploy"], PRODUCTION),
        "production with key": (
            ["check", "--deploy"],
            PRODUCTION | {"OIDC_SIGNING_KEY": rsa_pem().replace("\n", "\\n")},
        ),
        "unusable key": (["check"], {"OIDC_SIGNING_KEY": "-----BEGIN PRIVATE KEY-----\nx"}),
    }
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {
            name: pool.submit(run, root / f"case{number}" / "var", command, extra)
            for number, (name, (command, extra)) in enumerate(cases.items())
        }
        return {name: future.result() for name, future in futures.items()}


def test_production_without_a_signing_key_fails_the_deploy_check(outcomes):
    result = outcomes["production without key"]
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "amtshilfe.openid.E001" in output and "OIDC_SIGNING_KEY" in output


def test_production_with_a_signing_key_passes_the_openid_part_of_the_deploy_check(outcomes):
    result = outcomes["production with key"]
    output = result.stdout + result.stderr
    assert "amtshilfe.openid.E001" not in output
    assert "oauth2_provider.E" not in output  # DOT's RFC 9700 checks find nothing to fail
    assert result.returncode == 0, output


def test_production_generates_no_key_into_the_var_folder(outcomes):
    result = outcomes["production without key"]
    var_dir = Path(result.cwd) / "var"
    assert var_dir.is_dir()
    assert not (var_dir / keys.KEY_FILE).exists()


def test_an_unusable_key_stops_every_command_with_one_line(outcomes):
    result = outcomes["unusable key"]
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "OIDC_SIGNING_KEY" in result.stderr
