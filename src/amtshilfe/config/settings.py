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
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "oauth2_provider",
    "axes",
    "amtshilfe.core",
    "amtshilfe.accounts",
    "amtshilfe.regions",
    "amtshilfe.organisations",
    "amtshilfe.catalog",
    "amtshilfe.postbox",
    "amtshilfe.openid",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "amtshilfe.core.middleware.SecurityHeadersMiddleware",
    "amtshilfe.core.errorhandling.DomainErrorMiddleware",
    "axes.middleware.AxesMiddleware",
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
AUTHENTICATION_BACKENDS = [
    # First: refuses any password check for a locked-out account or address.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# --- Throttling of logins (django-axes) --------------------------------------------------------
# Failed logins are counted per account name and, separately, per client address; either
# reaching the limit locks further attempts for the cool-off time, whether the account
# exists or not (no enumeration). Counts live in the database (AccessAttempt rows, removed
# by a successful login or after the cool-off: ``amtshilfe axes_reset_cool_off``).
AXES_FAILURE_LIMIT = env.get_int("LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = env.get_int("LOGIN_LOCK_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "amtshilfe.accounts.throttling.locked_out"
AXES_USERNAME_FORM_FIELD = "username"
AXES_DISABLE_ACCESS_LOG = True  # no log of successful logins with addresses
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False
# Reverse proxies in front of the platform: the client is the address they saw (X-Forwarded-For).
PROXY_COUNT = env.get_int("PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "amtshilfe.accounts.ratelimit.client_address"

LOGIN_URL = "accounts:login"
# Web addresses typed without a scheme are https (Django 6's default, chosen now).
FORMS_URLFIELD_ASSUME_HTTPS = True
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
        # django-axes logs the user name and address of every failed login.
        "axes": {"level": "ERROR"},
    },
}

SITE_NAME = env.get_str("SITE_NAME", "amtshilfe")
# The platform's public address: links in e-mails (confirmation, password reset, Postfach).
SITE_URL = env.get_str("SITE_URL", "http://127.0.0.1:8000")

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

# --- Postfach --------------------------------------------------------------------------------


def _days_by_kind(name: str) -> dict[str, int]:
    """``notice=3650,request=1095`` → {"notice": 3650, "request": 1095}."""
    table = {}
    for item in env.get_list(name, []):
        kind, _, days = item.partition("=")
        if not days.strip().isdigit():
            raise env.SettingError(f"{name} must look like notice=3650,request=1095, not {item!r}")
        table[kind.strip()] = int(days)
    return table


# Days a message is kept, per type; types left out keep the defaults of postbox/retention.py.
POSTBOX_RETENTION_DAYS = _days_by_kind("POSTBOX_RETENTION_DAYS")
POSTBOX_REPLY_MAX_BYTES = env.get_int("POSTBOX_REPLY_MAX_MB", 10) * 1024 * 1024

# --- OpenID provider (django-oauth-toolkit) ----------------------------------------------------
# amtshilfe is the OpenID provider of the linked portals (amtshilfe.openid, mounted at /oidc/).
# Only the authorization code flow with PKCE (S256); ID tokens RS256 with acr = trust level.
from amtshilfe.openid import keys as _oidc_keys  # noqa: E402  (needs no Django)

try:
    # Production: only from the environment (deploy check amtshilfe.openid.E001). Embedded:
    # generated once into the var folder (mode 0600).
    OIDC_SIGNING_KEY = (
        _oidc_keys.private_key_pem(env.get_str("OIDC_SIGNING_KEY"))
        if env.get_str("OIDC_SIGNING_KEY").strip()
        else ("" if PRODUCTION else _oidc_keys.embedded_private_key_pem(VAR_DIR))
    )
    # Rotation: the public keys of earlier signing keys stay in the JWKS.
    OIDC_SIGNING_KEYS_OLD = _oidc_keys.public_key_pems(env.get_str("OIDC_SIGNING_KEYS_OLD"))
except _oidc_keys.UnusableKey as _problem:
    raise env.SettingError(str(_problem)) from None

# Client secrets are checked with a fast salted HMAC, not argon2id: they are long random
# strings, and a token request must not cost a password hash (amtshilfe/openid/hashers.py).
# Listed last, so people's passwords keep argon2id.
PASSWORD_HASHERS = [*PASSWORD_HASHERS, "amtshilfe.openid.hashers.ClientSecretHasher"]

# DOT's own models, named: migrations of models pointing to them resolve these settings.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
OAUTH2_PROVIDER = {
    "OAUTH2_VALIDATOR_CLASS": "amtshilfe.openid.validators.Validator",
    "OAUTH2_BACKEND_CLASS": "amtshilfe.openid.backends.TokenRequestsInOneTransaction",
    "CLIENT_SECRET_HASHER": "client_secret_hmac_sha256",  # ClientSecretHasher.algorithm
    "SCOPES": {
        "openid": "Log in with the user account",
        "profile": "Name and date of birth",
        "email": "E-mail address",
        "address": "Postal address",
    },
    "DEFAULT_SCOPES": ["openid"],
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": OIDC_SIGNING_KEY,
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": OIDC_SIGNING_KEYS_OLD,
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OAUTH2_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OAUTH2_GRANT_TYPES_SUPPORTED": ["authorization_code", "refresh_token"],
    "OIDC_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED": [
        "client_secret_basic",
        "client_secret_post",
        "none",  # public clients (PKCE only)
    ],
    "OAUTH2_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED": [
        "client_secret_basic",
        "client_secret_post",
        "none",
    ],
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    # Ask only when the id_token_hint does not belong to the person logged in (OIDC RP-Initiated
    # Logout 1.0, section 2: MUST ask then; otherwise only SHOULD).
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "PKCE_REQUIRED": True,
    # https only; in the embedded tier also http for loopback portals under development
    # (the operators' admin accepts http only for 127.0.0.1, [::1] and localhost).
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"] if PRODUCTION else ["http", "https"],
    "ALLOWED_SCHEMES": ["https"],
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ACCESS_TOKEN_EXPIRE_SECONDS": 600,
    "ID_TOKEN_EXPIRE_SECONDS": 600,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 8 * 3600,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    # OAuth 2.0 Security BCP (RFC 9700): no implicit or password grant, no PKCE "plain",
    # access tokens only in the header, the iss parameter in authorization responses (RFC
    # 9207), tokens stored as hashes only; and deploy errors for weaker configurations.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": PRODUCTION,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
}
# oauthlib and DOT log request details (bodies with codes and secrets) at DEBUG.
LOGGING["loggers"].update(  # type: ignore[attr-defined]
    {"oauthlib": {"level": "WARNING"}, "oauth2_provider": {"level": "WARNING"}}
)
