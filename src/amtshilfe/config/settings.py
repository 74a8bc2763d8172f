"""Django settings for amtshilfe. Every value comes from the environment (docs/operations.md)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from amtshilfe.config import env

PACKAGE_DIR = Path(__file__).resolve().parent.parent

# "embedded" (default: demo, development, tests) or "production".
MODE = env.get_str("AMTSHILFE_MODE", "embedded").strip().lower()
if MODE not in {"embedded", "production"}:
    raise env.SettingError(f"AMTSHILFE_MODE must be 'embedded' or 'production', not {MODE!r}")
PRODUCTION = MODE == "production"

VAR_DIR = Path(env.get_str("AMTSHILFE_VAR_DIR", "var")).resolve()

DEBUG = env.get_bool("DEBUG", default=False)

SECRET_KEY = env.get_str("SECRET_KEY")
if not SECRET_KEY and not PRODUCTION:
    SECRET_KEY = env.embedded_secret_key(VAR_DIR)
# In production a missing SECRET_KEY stays empty: `amtshilfe check --deploy` reports it and
# Django refuses to serve requests without one.

ALLOWED_HOSTS = env.get_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.get_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "amtshilfe.core",
    "amtshilfe.accounts",
    "amtshilfe.regions",
    "amtshilfe.organisations",
    "amtshilfe.catalog",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "amtshilfe.core.middleware.SecurityHeadersMiddleware",
    "amtshilfe.core.errorhandling.DomainErrorMiddleware",
]

ROOT_URLCONF = "amtshilfe.config.urls"
WSGI_APPLICATION = "amtshilfe.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "amtshilfe.core.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env.get_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'amtshilfe.sqlite3'}")
_database = dj_database_url.parse(DATABASE_URL)
if _database["ENGINE"] == "django.db.backends.sqlite3":
    if _database["NAME"] != ":memory:":
        Path(_database["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    _database["OPTIONS"] = {
        # WAL lets readers go on while one writer commits; the busy timeout makes a writer
        # wait for the lock instead of failing; IMMEDIATE takes the write lock up front so
        # two transactions cannot deadlock upgrading from read to write.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": env.get_int("SQLITE_BUSY_TIMEOUT_SECONDS", 20),
    }
elif _database["ENGINE"] == "django.db.backends.postgresql":
    _database["CONN_MAX_AGE"] = 0  # the pool keeps connections; Django must not as well
    if env.get_bool("DATABASE_POOL", default=True):
        _database["OPTIONS"] = {
            "pool": {
                "min_size": env.get_int("DATABASE_POOL_MIN_SIZE", 2),
                "max_size": env.get_int("DATABASE_POOL_MAX_SIZE", 10),
                "timeout": env.get_int("DATABASE_POOL_TIMEOUT_SECONDS", 10),
            }
        }
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "organisations:dashboard"
LOGOUT_REDIRECT_URL = "organisations:home"
PASSWORD_HASHERS = [
    "amtshilfe.accounts.hashers.TunedArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]

# --- Language -------------------------------------------------------------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "amtshilfe_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.get_str("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.get_str("MEDIA_ROOT", str(VAR_DIR / "media")))
FILE_STORAGE = env.get_str("FILE_STORAGE", "local").strip().lower()
if FILE_STORAGE not in {"local", "s3"}:
    raise env.SettingError(f"FILE_STORAGE must be 'local' or 's3', not {FILE_STORAGE!r}")
_default_storage: dict[str, object]
if FILE_STORAGE == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.get_str("S3_BUCKET"),
            "endpoint_url": env.get_str("S3_ENDPOINT_URL") or None,
            "region_name": env.get_str("S3_REGION") or None,
            "access_key": env.get_str("S3_ACCESS_KEY_ID") or None,
            "secret_key": env.get_str("S3_SECRET_ACCESS_KEY") or None,
            "default_acl": None,
            "querystring_auth": True,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT)},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_HOST = env.get_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env.get_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env.get_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env.get_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env.get_bool("EMAIL_USE_TLS", default=EMAIL_PORT == 587)
    EMAIL_USE_SSL = env.get_bool("EMAIL_USE_SSL", default=EMAIL_PORT == 465)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.get_str("DEFAULT_FROM_EMAIL", "amtshilfe <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background tasks -----------------------------------------------------------------------
TASK_BACKEND = env.get_str("TASK_BACKEND", "database").strip().lower()
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if TASK_BACKEND not in _TASK_BACKENDS:
    raise env.SettingError(f"TASK_BACKEND must be one of {sorted(_TASK_BACKENDS)}")
# The database backend writes the task row inside the enqueuing transaction: if that
# transaction rolls back, the task never existed (tests/core/test_tasks.py).
TASKS = {
    "default": {
        "BACKEND": _TASK_BACKENDS[TASK_BACKEND],
        "QUEUES": ["default"],
    }
}
WORKER_HEARTBEAT_SECONDS = env.get_int("WORKER_HEARTBEAT_SECONDS", 10)
WORKER_STALE_AFTER_SECONDS = env.get_int("WORKER_STALE_AFTER_SECONDS", 60)

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
_https_default = PRODUCTION
SECURE_SSL_REDIRECT = env.get_bool("SECURE_SSL_REDIRECT", default=_https_default)
# Health probes talk plain HTTP to the process and take any 3xx for "healthy".
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = env.get_bool("SESSION_COOKIE_SECURE", default=_https_default)
CSRF_COOKIE_SECURE = env.get_bool("CSRF_COOKIE_SECURE", default=_https_default)
SECURE_HSTS_SECONDS = env.get_int("SECURE_HSTS_SECONDS", 31536000 if _https_default else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.get_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _https_default)
SECURE_HSTS_PRELOAD = env.get_bool("SECURE_HSTS_PRELOAD", default=False)
if env.get_bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Logging: ids and reference numbers only, never personal data ----------------------------
LOG_LEVEL = env.get_str("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Django logs the full request on 4xx/5xx, which can carry personal data.
        "django.request": {"level": "ERROR"},
    },
}

SITE_NAME = env.get_str("SITE_NAME", "amtshilfe")

# --- API and caching --------------------------------------------------------------------------
# Requests per client address; counted in the cache (set CACHE_URL=redis://… when several
# web processes must share the count).
API_RATE_LIMIT = env.get_str("API_RATE_LIMIT", "120/min")
CACHE_URL = env.get_str("CACHE_URL")
_CACHE: dict[str, object] = (
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        # Room for the search results of a day's common queries (see below).
        "OPTIONS": {"MAX_ENTRIES": env.get_int("CACHE_MAX_ENTRIES", 10_000)},
    }
)
CACHES = {"default": _CACHE}
# How long a search answer may be reused (seconds; 0: never). Changes to the catalogue let
# cached answers go at once where processes share the cache (CACHE_URL); with the per-process
# default, another process may answer from its copy for up to this long.
SEARCH_CACHE_SECONDS = env.get_int("SEARCH_CACHE_SECONDS", 300)
