"""Test settings: the real settings plus a test-only app, and a fast password hasher.

The argon2 hasher the product uses is tested on its own (tests/core/test_passwords.py).
"""

import os
import tempfile

# One folder per user, reused: a new one per run would pile up in /tmp.
os.environ.setdefault(
    "AMTSHILFE_VAR_DIR", os.path.join(tempfile.gettempdir(), f"amtshilfe-test-{os.getuid()}")
)
os.environ.setdefault("SECRET_KEY", "test-only-" + "x" * 60)

from amtshilfe.config.settings import *  # noqa: F403
from amtshilfe.config.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.scopingapp"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# whitenoise warns about a missing STATIC_ROOT; the embedded tier serves through finders.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

# Tests see every change at once: search answers are not cached (tests of the cache switch it
# on for themselves, tests/catalog/test_search_cache.py).
SEARCH_CACHE_SECONDS = 0
