"""The provider's signing key for ID tokens (RS256), read while the settings load.

- ``OIDC_SIGNING_KEY``: the private RSA key (PEM; ``\\n`` escapes are accepted so that the key
  fits one line of an environment file). Required in production (deploy check
  ``amtshilfe.openid.E001``).
- Unset in the embedded tier (demo, development, tests): a 3072-bit key is generated once into
  ``$AMTSHILFE_VAR_DIR/oidc_signing_key.pem``, readable by the owner only (0600), so tokens
  stay valid across restarts of the same installation.
- ``OIDC_SIGNING_KEYS_OLD``: rotation. The public keys (or the old private keys; only their
  public part is used) of earlier signing keys, one PEM block after the other. They stay in the
  JWKS so that portals can still check ID tokens signed before the rotation; nothing is signed
  with them.

This module must stay importable before Django is set up: no models, no settings.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_FILE = "oidc_signing_key.pem"
GENERATED_KEY_BITS = 3072
MINIMUM_KEY_BITS = 2048
_PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z ]+)-----.+?-----END \1-----", re.DOTALL)


class UnusableKey(ValueError):
    """A configured key cannot be used; the message names the variable (settings turn it into
    a SettingError: one line, no traceback)."""


def _unescape(pem: str) -> str:
    return pem.replace("\\n", "\n").strip()


def private_key_pem(raw: str, *, variable: str = "OIDC_SIGNING_KEY") -> str:
    """The configured private RSA key as PEM text, checked; UnusableKey if it is not."""
    pem = _unescape(raw)
    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError) as exc:
        raise UnusableKey(f"{variable} is not an unencrypted PEM private key") from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise UnusableKey(f"{variable} must be an RSA key (ID tokens are signed with RS256)")
    if key.key_size < MINIMUM_KEY_BITS:
        raise UnusableKey(f"{variable} must have at least {MINIMUM_KEY_BITS} bits")
    return pem


def public_key_pems(raw: str, *, variable: str = "OIDC_SIGNING_KEYS_OLD") -> list[str]:
    """The public parts of the PEM blocks in ``raw`` (public or private RSA keys)."""
    pems = []
    for match in _PEM_BLOCK.finditer(_unescape(raw)):
        block = match.group(0).encode()
        try:
            if "PRIVATE" in match.group(1):
                public = serialization.load_pem_private_key(block, password=None).public_key()
            else:
                public = serialization.load_pem_public_key(block)
        except (ValueError, TypeError) as exc:
            raise UnusableKey(f"{variable} holds a PEM block that is not a key") from exc
        if not isinstance(public, rsa.RSAPublicKey):
            raise UnusableKey(f"{variable} may hold RSA keys only")
        pems.append(
            public.public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            ).decode()
        )
    if raw.strip() and not pems:
        raise UnusableKey(f"{variable} holds no PEM block")
    return pems


def embedded_private_key_pem(var_dir: Path) -> str:
    """The embedded tier's signing key, generated once into ``var_dir`` (mode 0600)."""
    path = var_dir / KEY_FILE
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=GENERATED_KEY_BITS)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    # Written in full to a private temporary file (mode 0600 from the start), then linked to
    # its name, which fails if another process got there first: two processes starting at
    # once agree on one key, none reads a half-written file, and no one else can read it.
    descriptor, temporary = tempfile.mkstemp(dir=var_dir, prefix=".oidc-key-")
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(pem)
        os.link(temporary, path)
    except FileExistsError:
        return path.read_text().strip()
    finally:
        os.unlink(temporary)
    return pem.strip()
