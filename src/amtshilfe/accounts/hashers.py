"""Password hashing with argon2id at explicitly chosen parameters.

OWASP's minimum for argon2id is m=19 MiB, t=2, p=1 (about 20 ms here, ~50 logins/s per core,
see ../shared/PERFORMANCE.md); Django's defaults differ. We set them explicitly so a library
upgrade cannot change the cost silently.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class TunedArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
