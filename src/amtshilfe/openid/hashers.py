"""A fast, salted hash for the client secrets of linked portals.

django-oauth-toolkit stores client secrets hashed with Django's password hashers; by default
with the first one of ``PASSWORD_HASHERS``, which here is argon2id tuned for people's
passwords (about 20 ms and 19 MiB per check, accounts/hashers.py). A portal authenticates at
the token endpoint with its secret on *every* code exchange and refresh, so that cost would
be paid per login at a portal, and a flood of token requests with wrong secrets would burn the
same CPU and memory as a password-guessing attack.

A slow hash protects *guessable* secrets: people's passwords. Client secrets are not guessable:
DOT generates them with 128 characters from a 62-letter alphabet (about 760 bits), and the
operators' admin refuses secrets shorter than 64 characters. For a secret with ≥ 256 bits of
entropy, one HMAC-SHA-256 under a random salt is as infeasible to invert as any key
stretching would make it, and it costs microseconds. The comparison is constant-time.

The hasher is listed in ``PASSWORD_HASHERS`` *after* argon2id (so it can recognise and check
stored client secrets) and named in ``OAUTH2_PROVIDER["CLIENT_SECRET_HASHER"]`` (so DOT hashes
new secrets with it). People's passwords keep using argon2id: Django always hashes them with
the first hasher of the list, and a password hash of this kind would be upgraded to argon2id
at the next login.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

from django.contrib.auth.hashers import BasePasswordHasher, mask_hash
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_noop as _


class ClientSecretHasher(BasePasswordHasher):
    """HMAC-SHA-256 of the secret, keyed with a random salt: for high-entropy secrets only."""

    algorithm = "client_secret_hmac_sha256"
    salt_entropy = 128

    def encode(self, password: str, salt: str) -> str:
        if password is None or not salt or "$" in salt:
            raise ValueError("a password and a salt without '$' are needed")
        digest = hmac.new(salt.encode(), password.encode(), hashlib.sha256).digest()
        return f"{self.algorithm}${salt}${base64.b64encode(digest).decode('ascii')}"

    def decode(self, encoded: str) -> dict[str, Any]:
        algorithm, salt, digest = encoded.split("$", 2)
        assert algorithm == self.algorithm
        return {"algorithm": algorithm, "hash": digest, "salt": salt}

    def verify(self, password: str, encoded: str) -> bool:
        decoded = self.decode(encoded)
        return constant_time_compare(encoded, self.encode(password, decoded["salt"]))

    def safe_summary(self, encoded: str) -> dict[Any, Any]:
        decoded = self.decode(encoded)
        return {
            _("algorithm"): decoded["algorithm"],
            _("salt"): mask_hash(decoded["salt"], show=2),
            _("hash"): mask_hash(decoded["hash"]),
        }

    def must_update(self, encoded: str) -> bool:
        return False

    def harden_runtime(self, password: str, encoded: str) -> None:
        """Nothing to even out: every check costs the same."""
