"""Confide settings, driven by environment variables (see README, "Configuration").

Development is the default; CONFIDE_ENV=production turns on every transport protection and
requires an explicit secret key and allowed hosts.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from config.env import (
    ConfigError,
    agency_time_zone,
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("CONFIDE_VAR_DIR", str(BASE_DIR / "var")))
PRODUCTION = env_str("CONFIDE_ENV", "development") == "production"
DEBUG = env_bool("CONFIDE_DEBUG", default=False)


def _secret_key() -> str:
    configured = os.environ.get("CONFIDE_SECRET_KEY", "")
    if configured:
        return configured
    if PRODUCTION:
        raise ConfigError("CONFIDE_SECRET_KEY must be set when CONFIDE_ENV=production")
    # Development: a random key kept beside the database, readable by the owner only.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list(
    "CONFIDE_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ConfigError("CONFIDE_ALLOWED_HOSTS must be set when CONFIDE_ENV=production")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "confide.core",
    "confide.ledger",
    "confide.crypto",
    "confide.accounts",
    "confide.access",
    "confide.records",
    "confide.training",
    "confide.consent",
    "confide.releases",
    "confide.portal",
    "confide.messaging",
    "confide.disclosures",
    "confide.retention",
    "confide.web",
    "confide.api",
    "confide.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "confide.web.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "confide.accounts.middleware.SessionLimitsMiddleware",
    "confide.access.middleware.ReadScopeMiddleware",
    "confide.web.middleware.DurabilityUnconfirmedMiddleware",
    "confide.web.middleware.MethodNotAllowedPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

DATABASES = {
    "default": database_from_url(
        env_str("CONFIDE_DATABASE_URL", "sqlite:///var/confide.sqlite3"), base_dir=BASE_DIR
    )
}
# PostgreSQL with two roles (docs/operations.md): the app connects as CONFIDE_DATABASE_URL's role;
# `manage.py migrate` connects as CONFIDE_DATABASE_OWNER_URL's (same database), which owns the
# schema and grants the app's role only what it needs (confide/ledger/dbroles.py).
CONFIDE_DATABASE_APP_ROLE = str(DATABASES["default"].get("USER", ""))
CONFIDE_DATABASE_OWNER = None
if _owner_url := env_str("CONFIDE_DATABASE_OWNER_URL", ""):
    CONFIDE_DATABASE_OWNER = database_from_url(_owner_url, base_dir=BASE_DIR)
    _place = ("ENGINE", "NAME", "HOST", "PORT")
    if CONFIDE_DATABASE_OWNER.get("USER") == CONFIDE_DATABASE_APP_ROLE:
        CONFIDE_DATABASE_OWNER = None  # the app's own role: one role, nothing to switch to
    elif [CONFIDE_DATABASE_OWNER[k] for k in _place] != [DATABASES["default"][k] for k in _place]:
        raise ConfigError(
            "CONFIDE_DATABASE_OWNER_URL must name the same PostgreSQL database as "
            "CONFIDE_DATABASE_URL (only the user and password differ)"
        )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# The user is loaded with its actor's facts in one query (accounts/backends.py).
AUTHENTICATION_BACKENDS = ["confide.accounts.backends.StaffBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:sign_in"

# Sessions: server-side rows; the cookie holds only an opaque id.
CONFIDE_IDLE_TIMEOUT_SECONDS = env_int("CONFIDE_IDLE_TIMEOUT_SECONDS", 15 * 60, minimum=60)
CONFIDE_SESSION_MAX_AGE_SECONDS = env_int("CONFIDE_SESSION_MAX_AGE_SECONDS", 12 * 3600, minimum=60)
CONFIDE_REAUTH_SECONDS = env_int("CONFIDE_REAUTH_SECONDS", 5 * 60, minimum=30)
CONFIDE_LOCKOUT_THRESHOLD = env_int("CONFIDE_LOCKOUT_THRESHOLD", 5, minimum=1)
CONFIDE_LOCKOUT_SECONDS = env_int("CONFIDE_LOCKOUT_SECONDS", 15 * 60, minimum=1)
CONFIDE_API_TOKEN_MAX_DAYS = env_int("CONFIDE_API_TOKEN_MAX_DAYS", 90, minimum=1)
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = CONFIDE_SESSION_MAX_AGE_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "confide_session"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "confide.web.views.csrf_failure"

# Transport and browser protections; production adds TLS-only cookies and HSTS.
SECURE_CONTENT_TYPE_NOSNIFF = True
# same-origin, not no-referrer: browsers then send "Origin: null" on form posts, which CSRF
# origin checking rightly refuses. No URL carries confidential data, and none leaves the site.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = PRODUCTION and env_bool("CONFIDE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 63072000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
if PRODUCTION and env_bool("CONFIDE_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("CONFIDE_CSRF_TRUSTED_ORIGINS", [])
CONFIDE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

# Upload limits for attachments (bytes) and for any request body.
CONFIDE_ATTACHMENT_MAX_BYTES = env_int("CONFIDE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

# Keys live outside the database: the local keyring file (mode 0600) by default.
CONFIDE_KEYRING_PATH = Path(env_str("CONFIDE_KEYRING_PATH", str(VAR_DIR / "keyring.json")))
CONFIDE_FILES_DIR = Path(env_str("CONFIDE_FILES_DIR", str(VAR_DIR / "files")))
# The ids of shredded clients, kept beside the keys (never in the database or its backups), so a
# restored older backup cannot bring a shredded client back (docs/decisions/0007).
CONFIDE_SHRED_LIST_PATH = Path(
    env_str("CONFIDE_SHRED_LIST_PATH", str(CONFIDE_KEYRING_PATH.parent / "shredded-clients.jsonl"))
)
# Key provider for the key-encryption keys: "keyring" (the file above) or "pkcs11" (an HSM).
CONFIDE_KEY_PROVIDER = env_str("CONFIDE_KEY_PROVIDER", "keyring")
CONFIDE_PKCS11_MODULE = env_str("CONFIDE_PKCS11_MODULE", "/usr/lib/softhsm/libsofthsm2.so")
CONFIDE_PKCS11_TOKEN_LABEL = env_str("CONFIDE_PKCS11_TOKEN_LABEL", "")
CONFIDE_PKCS11_PIN = env_str("CONFIDE_PKCS11_PIN", "")
CONFIDE_PKCS11_PIN_FILE = env_str("CONFIDE_PKCS11_PIN_FILE", "")
CONFIDE_PKCS11_KEY_LABEL = env_str("CONFIDE_PKCS11_KEY_LABEL", "confide-kek")
if CONFIDE_KEY_PROVIDER not in ("keyring", "pkcs11"):
    raise ConfigError("CONFIDE_KEY_PROVIDER must be keyring or pkcs11")
# Blind-index planner: expected clients per agency and target false positives per lookup.
CONFIDE_BLIND_INDEX_POPULATION = env_int("CONFIDE_BLIND_INDEX_POPULATION", 20_000, minimum=1)
CONFIDE_BLIND_INDEX_FALSE_POSITIVES = env_int("CONFIDE_BLIND_INDEX_FALSE_POSITIVES", 4, minimum=1)

LANGUAGE_CODE = "en-us"
TIME_ZONE = agency_time_zone().key
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env_str("CONFIDE_STATIC_ROOT", "") or None  # set for collectstatic in production

EMAIL_BACKEND = env_str("CONFIDE_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("CONFIDE_FROM_EMAIL", "confide@localhost")

# Logs carry ids and event names only; request bodies and query strings are never logged.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("CONFIDE_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve app static files without a collectstatic step
WHITENOISE_AUTOREFRESH = DEBUG

# Ledger checkpoints
# The Ed25519 key that signs checkpoints lives in a file outside the database (created on first
# use, mode 0600); signed checkpoints are also exported to CONFIDE_CHECKPOINT_DIR, which in
# production should be storage the database's administrators cannot rewrite. The origin names
# the log in every checkpoint (and is the key's name): set it to this installation's host.
CONFIDE_LEDGER_ORIGIN = env_str("CONFIDE_LEDGER_ORIGIN", "localhost/confide-ledger")
CONFIDE_LEDGER_SIGNING_KEY_PATH = Path(
    env_str("CONFIDE_LEDGER_SIGNING_KEY_PATH", str(VAR_DIR / "ledger-signing.key"))
)
CONFIDE_CHECKPOINT_DIR = Path(env_str("CONFIDE_CHECKPOINT_DIR", str(VAR_DIR / "checkpoints")))
CONFIDE_CHECKPOINT_EVERY_EVENTS = env_int("CONFIDE_CHECKPOINT_EVERY_EVENTS", 1000, minimum=1)
CONFIDE_CHECKPOINT_EVERY_SECONDS = env_int("CONFIDE_CHECKPOINT_EVERY_SECONDS", 300, minimum=1)
# PostgreSQL links each ledger event when its transaction commits, holding the chain's lock only
# inside the server then (decision 0012). Off, events are linked when recorded: a transaction
# that is never committed (a test's) still sees its own events.
CONFIDE_LEDGER_LINK_AT_COMMIT = env_bool("CONFIDE_LEDGER_LINK_AT_COMMIT", default=PRODUCTION)
# PostgreSQL prepares the ledger's append statement on a connection and runs it by name
# (decision 0018). Turn off behind a transaction-pooling proxy that cannot keep prepared
# statements (PgBouncer before 1.22, or with max_prepared_statements = 0).
CONFIDE_LEDGER_PREPARED_APPEND = env_bool("CONFIDE_LEDGER_PREPARED_APPEND", default=True)

# Break-the-glass and privacy review grants (minutes), and when an unreviewed grant is overdue.
CONFIDE_BREAK_GLASS_MINUTES = env_int("CONFIDE_BREAK_GLASS_MINUTES", 60, minimum=5)
CONFIDE_BREAK_GLASS_MAX_MINUTES = env_int("CONFIDE_BREAK_GLASS_MAX_MINUTES", 240, minimum=5)
CONFIDE_REVIEW_OVERDUE_DAYS = env_int("CONFIDE_REVIEW_OVERDUE_DAYS", 7, minimum=1)
CONFIDE_BASE_URL = env_str("CONFIDE_BASE_URL", "http://127.0.0.1:8000")
# Disclosures: how long a one-time release link lives, and how many wrong codes close it.
CONFIDE_RELEASE_LINK_HOURS = env_int("CONFIDE_RELEASE_LINK_HOURS", 72, minimum=1)
CONFIDE_RELEASE_LINK_ATTEMPTS = env_int("CONFIDE_RELEASE_LINK_ATTEMPTS", 5, minimum=1)
# Client portal: how long an invitation code (single use, shown once) stays valid.
CONFIDE_PORTAL_INVITATION_HOURS = env_int("CONFIDE_PORTAL_INVITATION_HOURS", 72, minimum=1)
