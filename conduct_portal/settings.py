"""Settings for Conduct Portal, read from the environment.

With nothing set the portal runs on the embedded default: a SQLite file under
``var/``, Celery tasks run eagerly in-process, e-mail goes to the console and a
development secret is generated and kept beside the database.  Setting
``DATABASE_URL``, ``REDIS_URL``, ``EMAIL_URL``, ``SECRET_KEY``, ``ALLOWED_HOSTS`` and
``DEBUG=false`` switches to the full stack.  See ``.env.example``.
"""

from __future__ import annotations

import datetime
import re
import secrets
from pathlib import Path
from typing import Any

import django_stubs_ext
import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

# Lets admin and form classes be written with type parameters, as django-stubs expects.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, *, default: bool) -> bool:
    """A boolean variable; an unrecognised value stops start-up instead of meaning False."""
    raw = env.str(name, default=None)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, *, default: int, minimum: int = 0) -> int:
    raw = env.str(name, default=None)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}.")
    return value


DATA_DIR = Path(env.str("DATA_DIR", default=str(BASE_DIR / "var")))
DEBUG = env_bool("DEBUG", default=True)


def _secret_key() -> str:
    key = env.str("SECRET_KEY", default="")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off the portal needs SECRET_KEY in the "
            "environment (50 or more random characters)."
        )
    # Embedded default: a development secret generated once and kept beside the
    # SQLite file, so sessions survive a restart of the development server.
    path = DATA_DIR / "dev-secret-key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()


def _audit_key() -> tuple[str, Path | None]:
    """The key of the audit chain's HMAC, and the file it came from if it is the
    development key. Never stored in the database: whoever can write the audit table
    must not be able to forge the chain."""
    key = env.str("AUDIT_KEY", default="")
    if key:
        if len(key) < 32:
            raise ImproperlyConfigured("AUDIT_KEY must be at least 32 characters long.")
        return key, None
    if not DEBUG:
        raise ImproperlyConfigured(
            "AUDIT_KEY is not set. With DEBUG off the portal needs AUDIT_KEY in the "
            "environment (32 or more random characters, kept apart from the database)."
        )
    path = DATA_DIR / "dev-audit-key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip(), path


AUDIT_KEY, AUDIT_DEV_KEY_FILE = _audit_key()

# Each audit event and recorded head names the key it was made with, so that the key
# can be changed (manage.py rotate_audit_key) and everything made before still verifies.
_KEY_ID = re.compile(r"[A-Za-z0-9_.-]{1,40}")
# Events written before keys had ids carry none; they were made with the key whose id is
# this (AUDIT_KEY_ID's default), whether it is still AUDIT_KEY or retired to the keyring.
AUDIT_FIRST_KEY_ID = "1"


def _audit_key_id() -> str:
    key_id = env.str("AUDIT_KEY_ID", default=AUDIT_FIRST_KEY_ID).strip()
    if not _KEY_ID.fullmatch(key_id):
        raise ImproperlyConfigured(
            f"AUDIT_KEY_ID must be 1 to 40 letters, digits, '.', '_' or '-', not {key_id!r}."
        )
    return key_id


def audit_old_keys(raw: str, *, current_id: str) -> dict[str, str]:
    """The keyring of retired audit keys: `id:secret` entries separated by spaces or new
    lines. An id holds no ':' and a secret no white space, so a secret's own punctuation
    (commas, colons, '=') is never taken for a separator."""
    keyring: dict[str, str] = {}
    for position, entry in enumerate(raw.split(), start=1):
        key_id, colon, secret = entry.partition(":")
        if not colon or not _KEY_ID.fullmatch(key_id):
            # Never echo the entry: it may be a secret written without its id.
            raise ImproperlyConfigured(
                "AUDIT_OLD_KEYS must be id:secret entries separated by spaces, each id 1 "
                f"to 40 letters, digits, '.', '_' or '-'; entry {position} is not."
            )
        if len(secret) < 32:
            raise ImproperlyConfigured(
                f"AUDIT_OLD_KEYS: the key {key_id!r} must be at least 32 characters long."
            )
        if key_id == current_id:
            raise ImproperlyConfigured(
                f"AUDIT_OLD_KEYS names {key_id!r}, which is AUDIT_KEY_ID, the current key's id."
            )
        if key_id in keyring:
            raise ImproperlyConfigured(f"AUDIT_OLD_KEYS names the key {key_id!r} twice.")
        keyring[key_id] = secret
    return keyring


def _audit_head_recipients() -> list[str]:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    addresses = [address.strip() for address in env.str("AUDIT_HEAD_RECIPIENTS", "").split(",")]
    for address in filter(None, addresses):
        try:
            validate_email(address)
        except ValidationError:
            raise ImproperlyConfigured(
                f"AUDIT_HEAD_RECIPIENTS: {address!r} is not an e-mail address."
            ) from None
    return list(dict.fromkeys(filter(None, addresses)))


# The id of AUDIT_KEY; a new key needs a new id.
AUDIT_KEY_ID = _audit_key_id()
# Retired keys, by id, that older events and heads still verify with. Secrets, like
# AUDIT_KEY: kept out of the database and its backups.
AUDIT_OLD_KEYS = audit_old_keys(env.str("AUDIT_OLD_KEYS", default=""), current_id=AUDIT_KEY_ID)
# Where each day's recorded head is mailed (Establishment Division addresses): a copy off
# the machine that a later rewrite of the database and its heads together cannot reach.
# Empty: no mail.
AUDIT_HEAD_RECIPIENTS = _audit_head_recipients()
# The request header that carries the client's address, set by the reverse proxy in
# front of the portal (e.g. X-Forwarded-For). Empty: the connection's own address.
# Only the proxy's last entry is trusted; never set it without such a proxy.
AUDIT_CLIENT_IP_HEADER = env.str("AUDIT_CLIENT_IP_HEADER", default="")

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. With DEBUG off, name the portal's host names."
    )
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "template_partials",
    "csp",
    "permissions",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_ratelimit",
    "permissions.signin.apps.SigninConfig",
    "permissions.twofactor.apps.TwoFactorConfig",
    "permissions.verification.apps.VerificationConfig",
    "permissions.letters.apps.LettersConfig",
    "permissions.exports.apps.ExportsConfig",
    "permissions.register.apps.RegisterConfig",
    "permissions.screening.apps.ScreeningConfig",
    "permissions.languages.apps.LanguagesConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The Content-Security-Policy and the Permissions-Policy on every response.
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After the browser's language (LocaleMiddleware), the one the person chose.
    "permissions.languages.middleware.PreferredLanguageMiddleware",
    # request.user.is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    # Ends a session idle too long or past its lifetime, before anything else uses it.
    "permissions.signin.sessions.SessionLimitsMiddleware",
    # Nothing but enrolment and the code form for someone who needs a second factor and
    # has not given it in this session.
    "permissions.twofactor.middleware.SecondFactorRequiredMiddleware",
    # Records the 404s and 403s a signed-in person is refused (after authentication,
    # so it knows who).
    "permissions.middleware.AccessRefusedAuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # The portal's page for the empty 405 of a view that refuses the method (after
    # authentication, so the page shows the signed-in person's navigation).
    "permissions.errorpages.middleware.MethodNotAllowedPageMiddleware",
    # Last, as django-axes asks: turns a refused, locked-out sign-in into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "conduct_portal.urls"
WSGI_APPLICATION = "conduct_portal.wsgi.application"

TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "permissions.context_processors.navigation",
            ],
        },
    }
]

# Database: SQLite file by default, PostgreSQL (psycopg 3) through DATABASE_URL.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # Writers take the lock when the transaction begins, so two concurrent
            # decisions queue instead of failing halfway with "database is locked".
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": 20,
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "permissions.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
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

LANGUAGE_CODE = "en"
# Each language named in its own words, as the switcher shows it.
LANGUAGES = [("en", "English"), ("ur", "اردو")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language chosen in the header, for visitors as for people signed in: a year.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
FORMAT_MODULE_PATH = ["conduct_portal.formats"]
TIME_ZONE = "Asia/Karachi"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Without a collected STATIC_ROOT (development, tests) serve straight from the finders.
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(DATA_DIR / "media")))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: the console by default; EMAIL_URL (smtp://user:pass@host:port) for a real server.
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", default=20, minimum=1)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Conduct Portal <no-reply@conduct-portal.test>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: eager in-process by default; REDIS_URL makes Redis the broker.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
# One queue for everything unless told otherwise: several portals (or test runs) can then
# share one Redis without taking each other's tasks.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Task modules outside an installed app's tasks.py.
CELERY_IMPORTS = ("permissions.console.tasks",)
# How often the dashboard's grouped figures are computed afresh; the page shows their time.
DASHBOARD_REFRESH_MINUTES = env_int("DASHBOARD_REFRESH_MINUTES", default=10, minimum=1)
# How often beat re-enqueues the notifications a broker or mail outage left behind.
OUTBOX_SWEEP_SECONDS = env_int("OUTBOX_SWEEP_SECONDS", default=60, minimum=1)
CELERY_BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "sweep-outbox": {"task": "permissions.sweep_outbox", "schedule": float(OUTBOX_SWEEP_SECONDS)},
    "refresh-dashboard": {
        "task": "permissions.job.refresh_dashboard",
        "schedule": float(DASHBOARD_REFRESH_MINUTES * 60),
    },
    # The jobs of permissions/schedules.py, at Pakistan time (CELERY_TIMEZONE). Each is
    # safe to run twice or late, so a missed or repeated beat costs nothing.
    # Hourly, so an approval ends within the first hour after its last valid day.
    "expire-approvals": {"task": "permissions.job.expire_approvals", "schedule": crontab(minute=5)},
    "expiry-reminders": {
        "task": "permissions.job.expiry_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    # Working days only: nobody is asked to decide at the weekend.
    "pending-reminders": {
        "task": "permissions.job.pending_reminders",
        "schedule": crontab(hour=9, minute=0, day_of_week="mon-fri"),
    },
    "escalate-overdue": {
        "task": "permissions.job.escalate_overdue",
        "schedule": crontab(hour=9, minute=30),
    },
    # Just after midnight: a delegation whose last day was yesterday has ended.
    "delegation-endings": {
        "task": "permissions.job.delegation_endings",
        "schedule": crontab(hour=0, minute=15),
    },
    "record-audit-head": {
        "task": "permissions.job.record_audit_head",
        "schedule": crontab(hour=23, minute=55),
    },
    # At night, when few are deciding: it reads the whole chain.
    "verify-audit": {
        "task": "permissions.job.verify_audit",
        "schedule": crontab(hour=2, minute=30),
    },
    # Hourly: an export's file is deleted within the hour after its time is up.
    "expire-exports": {"task": "permissions.exports.expire", "schedule": crontab(minute=40)},
    # In the morning, with the other reminders: the register's yearly confirmation.
    "register-reminders": {
        "task": "permissions.register.remind",
        "schedule": crontab(hour=8, minute=15),
    },
}

# The console's exports (permissions/exports/). A result of up to EXPORT_DIRECT_MAX_ROWS
# rows is sent at once (well inside the web worker's time limit); a longer one is written
# to a file by a worker, kept EXPORT_KEEP_DAYS days, within EXPORT_TIME_LIMIT_SECONDS.
EXPORT_DIRECT_MAX_ROWS = env_int("EXPORT_DIRECT_MAX_ROWS", default=10_000, minimum=0)
EXPORT_KEEP_DAYS = env_int("EXPORT_KEEP_DAYS", default=7, minimum=1)
EXPORT_TIME_LIMIT_SECONDS = env_int("EXPORT_TIME_LIMIT_SECONDS", default=3_600, minimum=60)

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }

# Security. The secure defaults follow DEBUG; each can be switched by its own variable
# (for example off behind a plain-HTTP local stack).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env_bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# --- signing in: lockout (django-axes; permissions/signin/lockout.py) --------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
SIGNIN_FAILURE_LIMIT = env_int("SIGNIN_FAILURE_LIMIT", default=5, minimum=1)
SIGNIN_ADDRESS_FAILURE_LIMIT = env_int("SIGNIN_ADDRESS_FAILURE_LIMIT", default=30, minimum=1)
SIGNIN_COOLOFF_MINUTES = env_int("SIGNIN_COOLOFF_MINUTES", default=15, minimum=1)
AXES_FAILURE_LIMIT = SIGNIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = datetime.timedelta(minutes=SIGNIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "permissions.signin.lockout.PortalLockoutHandler"
AXES_LOCKOUT_CALLABLE = "permissions.signin.lockout.lockout_response"
# The same address the audit trail records (AUDIT_CLIENT_IP_HEADER).
AXES_CLIENT_IP_CALLABLE = "permissions.audit.client_ip"
AXES_RESET_ON_SUCCESS = True
# A refused attempt during a lock does not restart the cool-off.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Sign-ins are on the audit chain already; the admin shows attempts, not a second log.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False

# --- signing in: the second factor (django-otp; permissions/twofactor/) -----------------
# The name a phone app shows beside the account.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Conduct Portal")
# How long "remember this browser" spares someone the code; 0 offers no such choice.
SECOND_FACTOR_REMEMBER_HOURS = env_int("SECOND_FACTOR_REMEMBER_HOURS", default=12, minimum=0)
SECOND_FACTOR_BACKUP_CODES = 10

# --- sessions: permissions/signin/sessions.py ---------------------------------------------
# Signed out after this long without a request, and in any case this long after signing in.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", default=30, minimum=1)
SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", default=12, minimum=1)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 60 * 60

# --- rate limits per address (django-ratelimit; permissions/throttle/) -------------------
RATELIMIT_USE_CACHE = "default"


def env_rate(name: str, default: str) -> str:
    """A rate such as 20/m, checked when the portal starts rather than at the first
    request it would limit."""
    value = env.str(name, default=default).strip()
    if not re.fullmatch(r"\d+/\d*[smhd]", value):
        raise ImproperlyConfigured(
            f"{name} must be a rate such as 20/m (a count per s, m, h or d), not {value!r}."
        )
    return value


RATELIMIT_SIGNIN = env_rate("RATELIMIT_SIGNIN", "20/m")
RATELIMIT_SECOND_FACTOR = env_rate("RATELIMIT_SECOND_FACTOR", "10/m")
RATELIMIT_PUBLIC = env_rate("RATELIMIT_PUBLIC", "60/m")
# The public check of a letter and its short-code form: what a person holding a letter
# needs, and too few to walk the codes.
RATELIMIT_VERIFY = env_rate("RATELIMIT_VERIFY", "30/m")
# Whom to ask when a letter cannot be confirmed (its record no longer matches the audit
# trail): an office, a telephone number, an address, as the public page should print it.
# Empty: the pages name the Establishment Division.
INTEGRITY_CONTACT = env.str("INTEGRITY_CONTACT", default="")
# Whom people ask for help, shown on the help pages and the contact page: the office's
# name, an e-mail address, a telephone number and the hours someone answers. Empty: the
# pages send people to their reporting officer and the Establishment Division.
PORTAL_CONTACT_OFFICE = env.str("PORTAL_CONTACT_OFFICE", default="").strip()
PORTAL_CONTACT_EMAIL = env.str("PORTAL_CONTACT_EMAIL", default="").strip()
if PORTAL_CONTACT_EMAIL:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    try:
        validate_email(PORTAL_CONTACT_EMAIL)
    except ValidationError:
        raise ImproperlyConfigured(
            f"PORTAL_CONTACT_EMAIL must be an e-mail address, not {PORTAL_CONTACT_EMAIL!r}."
        ) from None
PORTAL_CONTACT_PHONE = env.str("PORTAL_CONTACT_PHONE", default="").strip()
# Digits, spaces and the signs a number is written with: the page dials it as a tel: link.
if PORTAL_CONTACT_PHONE and not re.fullmatch(r"\+?[0-9][0-9 ()-]{4,30}", PORTAL_CONTACT_PHONE):
    raise ImproperlyConfigured(
        "PORTAL_CONTACT_PHONE must be a telephone number such as +92 51 920 0000, "
        f"not {PORTAL_CONTACT_PHONE!r}."
    )
PORTAL_HELP_DESK_HOURS = env.str("PORTAL_HELP_DESK_HOURS", default="").strip()
# Django's own Redis cache increments atomically, though django-ratelimit does not list
# it. Without Redis the counters live in each process's memory: right for the embedded
# default's single process, per worker under gunicorn (set REDIS_URL there).
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
if not REDIS_URL:
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")
CSRF_COOKIE_HTTPONLY = True
# The expired-form page in the portal's layout, with the signed-in person's navigation.
CSRF_FAILURE_VIEW = "permissions.errorpages.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
# Only the portal's own files run and style its pages: no inline script, style or event
# handler anywhere (templates, the console's SVG charts, htmx's indicator styles are off
# in base.html). Bootstrap draws its form controls with data: images. What the browser
# blocks is reported to permissions/csp/views.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "report-uri": [reverse_lazy("csp-report")],
    }
}
# Browser features the portal never uses, switched off for its pages and anything they
# might embed.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "screen-wake-lock",
        "serial",
        "usb",
        "window-management",
        "xr-spatial-tracking",
    )
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint tells of every font and image it reads at INFO: a letter is ~8 lines.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# The portal's own settings.
PORTAL_NAME = _("Conduct Portal")
# The longest an approval may run, in days.
APPROVAL_MAX_DAYS = env_int("APPROVAL_MAX_DAYS", default=365, minimum=1)
# A step waiting longer than this many days is marked overdue in the inbox.
INBOX_OVERDUE_DAYS = env_int("INBOX_OVERDUE_DAYS", default=3, minimum=1)
# A step waiting longer than this many days is escalated to the officer's own officer.
ESCALATE_AFTER_DAYS = env_int("ESCALATE_AFTER_DAYS", default=7, minimum=1)
# A group's step (the media cell's) stays with the group when it is overdue, and is made
# known once to the officers its members report to; where none of them reports to anyone
# outside the group, to the members of this group instead. Empty: to nobody beyond the
# group and the applicant.
GROUP_STEP_ESCALATION_GROUP = env.str(
    "GROUP_STEP_ESCALATION_GROUP", default="Establishment Division auditors"
).strip()
# Officers are reminded of a step that has waited longer than this many working days
# (Monday to Friday), once a day.
PENDING_REMINDER_WORKING_DAYS = env_int("PENDING_REMINDER_WORKING_DAYS", default=3, minimum=1)


def env_days_list(name: str, *, default: list[int]) -> list[int]:
    """A comma-separated list of whole numbers of days, each at least 1, largest first."""
    raw = env.str(name, default=None)
    if raw is None or raw.strip() == "":
        return sorted(set(default), reverse=True)
    try:
        values = {int(part) for part in raw.split(",") if part.strip()}
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be whole numbers separated by commas, not {raw!r}."
        ) from None
    if not values or min(values) < 1:
        raise ImproperlyConfigured(f"{name} must list days of at least 1, not {raw!r}.")
    return sorted(values, reverse=True)


# The servant and their reporting officer are reminded this many days before an
# approval's valid_until.
EXPIRY_REMINDER_DAYS = env_days_list("EXPIRY_REMINDER_DAYS", default=[14, 7, 1])
# A servant whose register of accounts and groups is still not confirmed this many days
# after it fell due is reminded once more; 0 sends no second reminder.
REGISTER_REMINDER_REPEAT_DAYS = env_int("REGISTER_REMINDER_REPEAT_DAYS", default=30, minimum=0)
# Attachments: the largest file accepted, in bytes.
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024, minimum=1024)
ATTACHMENTS_PER_REQUEST = env_int("ATTACHMENTS_PER_REQUEST", default=10, minimum=1)
# Notifications: the portal's address in e-mail links, and delivery retries.
PORTAL_URL = env.str("PORTAL_URL", default="http://127.0.0.1:8000").rstrip("/")
EMAIL_MESSAGE_ID_DOMAIN = env.str("EMAIL_MESSAGE_ID_DOMAIN", default="conduct-portal.test")
NOTIFICATION_MAX_ATTEMPTS = env_int("NOTIFICATION_MAX_ATTEMPTS", default=8, minimum=1)
NOTIFICATION_RETRY_BASE_SECONDS = env_int("NOTIFICATION_RETRY_BASE_SECONDS", default=30, minimum=1)
# Rows on one page of a list.
PAGE_SIZE = env_int("PAGE_SIZE", default=25, minimum=5)
# Every date a person enters (events, periods, validity, delegations, search filters) lies
# from 1 January of DATE_EARLIEST_YEAR to DATE_MAX_YEARS_AHEAD years after today
# (permissions/dates.py).
DATE_EARLIEST_YEAR = env_int("DATE_EARLIEST_YEAR", default=1947, minimum=1900)
if datetime.datetime.now(datetime.UTC).year < DATE_EARLIEST_YEAR:
    raise ImproperlyConfigured(
        f"DATE_EARLIEST_YEAR must not be after this year, not {DATE_EARLIEST_YEAR}."
    )
DATE_MAX_YEARS_AHEAD = env_int("DATE_MAX_YEARS_AHEAD", default=5, minimum=1)
if DATE_MAX_YEARS_AHEAD > 100:
    raise ImproperlyConfigured(
        f"DATE_MAX_YEARS_AHEAD must be at most 100, not {DATE_MAX_YEARS_AHEAD}."
    )
