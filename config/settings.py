"""Django settings. Values come only from the environment, through config.env."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import (
    demo_secret,
    env_bool,
    env_int,
    env_list,
    env_networks,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("QYZMET_VAR_DIR", str(BASE_DIR / "var")))

# Demo mode: demo providers (SMS/e-mail sink), demo secrets kept under var/, /dev/ routes.
QYZMET_DEMO = env_bool("QYZMET_DEMO", False)
DEBUG = env_bool("QYZMET_DEBUG", False)

SECRET_KEY = env_str("QYZMET_SECRET_KEY")
if not SECRET_KEY:
    if not QYZMET_DEMO:
        raise ImproperlyConfigured("QYZMET_SECRET_KEY is required unless QYZMET_DEMO=1")
    SECRET_KEY = demo_secret(VAR_DIR, "QYZMET_SECRET_KEY", 48)

# Field encryption (qyzmet.core.crypto): versioned AES-256-GCM keys and a separate blind-index key.
QYZMET_FIELD_KEYS = env_str("QYZMET_FIELD_KEYS")
QYZMET_BLIND_INDEX_KEY = env_str("QYZMET_BLIND_INDEX_KEY")
if not QYZMET_FIELD_KEYS or not QYZMET_BLIND_INDEX_KEY:
    if not QYZMET_DEMO:
        raise ImproperlyConfigured(
            "QYZMET_FIELD_KEYS and QYZMET_BLIND_INDEX_KEY are required unless QYZMET_DEMO=1"
        )
    QYZMET_FIELD_KEYS = QYZMET_FIELD_KEYS or "1:" + demo_secret(VAR_DIR, "QYZMET_FIELD_KEY_1")
    QYZMET_BLIND_INDEX_KEY = QYZMET_BLIND_INDEX_KEY or demo_secret(
        VAR_DIR, "QYZMET_BLIND_INDEX_KEY"
    )

ALLOWED_HOSTS = env_list("QYZMET_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("QYZMET_CSRF_TRUSTED_ORIGINS", [])
# The reverse proxies in front of the app: only their X-Forwarded-For is believed.
QYZMET_TRUSTED_PROXIES = env_networks("QYZMET_TRUSTED_PROXIES")
# Where the Django admin is mounted ("admin/" by default). Staff reach it only by signing in as
# officers do (IIN, password and SMS code, or a certificate), never by its own password form.
QYZMET_ADMIN_PATH = env_str("QYZMET_ADMIN_PATH", "admin").strip().strip("/") + "/"
if QYZMET_ADMIN_PATH == "/":
    raise ImproperlyConfigured("QYZMET_ADMIN_PATH cannot be empty: the portal lives at the root")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "csp",
    "qyzmet.core",
    "qyzmet.notifications",
    "qyzmet.signatures",
    "qyzmet.documents",
    "qyzmet.identity",
    "qyzmet.registries",
    "qyzmet.trust",
    "qyzmet.catalogue",
    "qyzmet.payments",
    "qyzmet.wallet",
    "qyzmet.applications",
    "qyzmet.feedback",
    "qyzmet.surveys",
    "qyzmet.portal",
    "qyzmet.backoffice",
    "qyzmet.api",
    "qyzmet.demo",
]

MIDDLEWARE = [
    "qyzmet.core.overload.OverloadGuardMiddleware",  # first: a refusal does no other work
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "qyzmet.api.middleware.ApiErrorShapeMiddleware",  # after Locale: messages in its language
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "qyzmet.portal.middleware.AuthSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "qyzmet.portal.middleware.UrlLengthMiddleware",
]

# Overload guard (qyzmet/core/overload.py): requests one web process runs at once; more get
# 503 + Retry-After: 1 at once. Under gunicorn's gthread worker only --threads requests reach
# Django, so `manage.py serve` runs gunicorn with four times as many threads as this.
QYZMET_MAX_INFLIGHT = env_int("QYZMET_MAX_INFLIGHT", env_int("WEB_THREADS", 4))
QYZMET_OVERLOAD_EXEMPT_PATHS = ["/healthz"]
# Sign-in and registration posts run in a lane of their own slots (and one at a time per client
# address in each process), so that a flood of them never takes the slots of other requests:
# reading pages and the API keeps working. The QR poll, token refresh and QR approval stay out.
QYZMET_OVERLOAD_LANES = [
    {
        "name": "signin",
        "paths": r"^/(api/v1/auth/(signin|register)/|signin/(certificate/|code/)?$|register/$)",
        "slots": env_int("QYZMET_MAX_INFLIGHT_SIGNIN", 2),
        "per_client": env_int("QYZMET_MAX_INFLIGHT_SIGNIN_PER_CLIENT", 1),
    },
]
# The refusal page, rendered once per language without a request (no database).
QYZMET_OVERLOAD_TEMPLATE = "portal/errors/503.html"
# Longer addresses (path and query) get the 414 page; gunicorn's own limit is set above it.
QYZMET_MAX_URL_LENGTH = env_int("QYZMET_MAX_URL_LENGTH", 4096)
CSRF_FAILURE_VIEW = "qyzmet.portal.views_errors.csrf_failure"
# How long a process trusts its working-day calendar before checking the overrides table again
# (changes made in the same process are seen at once).
QYZMET_CALENDAR_RECHECK_SECONDS = env_int("QYZMET_CALENDAR_RECHECK_SECONDS", 5)

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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "qyzmet.portal.context_processors.inbox_unread",
                "qyzmet.portal.context.portal",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
# SQLite under var/ by default (WAL, immediate transactions so writers queue instead of failing
# on lock upgrades); PostgreSQL (psycopg 3) when DATABASE_URL is set.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("QYZMET_DB_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "qyzmet.sqlite3"),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "identity.Account"

# --- Background work ----------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "notifications"],
    }
}
QYZMET_WORKER_HEARTBEAT_SECONDS = env_int("QYZMET_WORKER_HEARTBEAT_SECONDS", 10)
QYZMET_WORKER_STALE_SECONDS = env_int("QYZMET_WORKER_STALE_SECONDS", 60)
# A task holds its lease while its worker's heartbeat is younger than this; a task whose worker
# died is taken again after it (see qyzmet/core/retries.py).
QYZMET_TASK_LEASE_SECONDS = env_int("QYZMET_TASK_LEASE_SECONDS", 60)
# A failing task is tried this many times in all, waiting twice as long after each failure
# (from the first wait to the longest), then it gives up: counted in /healthz, listed for staff.
QYZMET_TASK_ATTEMPTS = env_int("QYZMET_TASK_ATTEMPTS", 8)
QYZMET_TASK_RETRY_FIRST_SECONDS = env_int("QYZMET_TASK_RETRY_FIRST_SECONDS", 30)
QYZMET_TASK_RETRY_LONGEST_SECONDS = env_int("QYZMET_TASK_RETRY_LONGEST_SECONDS", 3600)

# --- Caches -------------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Passwords ----------------------------------------------------------------------------------
# Argon2id; parameters from the environment (see qyzmet/core/passwords.py for the defaults' why).
QYZMET_ARGON2_TIME_COST = env_int("QYZMET_ARGON2_TIME_COST", 3)
QYZMET_ARGON2_MEMORY_KIB = env_int("QYZMET_ARGON2_MEMORY_KIB", 65536)
QYZMET_ARGON2_PARALLELISM = env_int("QYZMET_ARGON2_PARALLELISM", 2)
PASSWORD_HASHERS = [
    "qyzmet.core.passwords.QyzmetArgon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Identity: one-time codes, sign-in, sessions -----------------------------------------------
QYZMET_OTP_TTL_SECONDS = env_int("QYZMET_OTP_TTL_SECONDS", 300)
QYZMET_OTP_MAX_ATTEMPTS = env_int("QYZMET_OTP_MAX_ATTEMPTS", 5)
# The pause between two codes to one number for one purpose (a sign-in code does not delay the
# signing code that follows it).
QYZMET_OTP_RESEND_SECONDS = env_int("QYZMET_OTP_RESEND_SECONDS", 60)
# Codes a day per account (IIN) for each purpose: one purpose cannot spend another's. The sizes
# and the guessing odds they keep are worked out in docs/one-time-codes.md.
QYZMET_OTP_PER_PURPOSE_DAY = {
    "sign_in": env_int("QYZMET_OTP_PER_DAY_SIGN_IN", 8) or None,
    "sign": env_int("QYZMET_OTP_PER_DAY_SIGN", 12) or None,
    "countersign": env_int("QYZMET_OTP_PER_DAY_COUNTERSIGN", 6) or None,
    "bind_phone": env_int("QYZMET_OTP_PER_DAY_BIND_PHONE", 3) or None,
    "register": env_int("QYZMET_OTP_PER_DAY_REGISTER", 3) or None,
}
# Codes of all purposes together per hour / per day, per phone number, per IIN (the account:
# 20 a day x 5 tries / 10^6 codes = 1 chance in 10,000) and per client address; 0 is no limit.
# The dated table of MCI values that fees are computed from (one row per budget law).
QYZMET_MCI_FILE = Path(env_str("QYZMET_MCI_FILE", str(BASE_DIR / "data" / "mci.yaml")))

QYZMET_OTP_LIMITS = {
    "phone": (env_int("QYZMET_OTP_PER_PHONE_HOUR", 0) or None,
              env_int("QYZMET_OTP_PER_PHONE_DAY", 20) or None),
    "iin": (env_int("QYZMET_OTP_PER_IIN_HOUR", 0) or None,
            env_int("QYZMET_OTP_PER_IIN_DAY", 20) or None),
    "client": (env_int("QYZMET_OTP_PER_CLIENT_HOUR", 20) or None,
               env_int("QYZMET_OTP_PER_CLIENT_DAY", 60) or None),
}  # fmt: skip
# After a SIM change or number port, sign-in by SMS code is paused this long.
QYZMET_SIM_CHANGE_BLOCK_HOURS = env_int("QYZMET_SIM_CHANGE_BLOCK_HOURS", 72)
QYZMET_OPERATOR_PROVIDER = env_str("QYZMET_OPERATOR_PROVIDER", "demo")
# Password attempts that were not right, checked before any hash (docs/one-time-codes.md): per
# IIN and per client address (both skipped for a device that signed in to the account before),
# per such device, each in the lockout window, and from every unknown device together per
# minute; 0 is no limit (the IIN's aside).
QYZMET_PASSWORD_LOCKOUT_FAILURES = env_int("QYZMET_PASSWORD_LOCKOUT_FAILURES", 5)
QYZMET_PASSWORD_LOCKOUT_MINUTES = env_int("QYZMET_PASSWORD_LOCKOUT_MINUTES", 15)
QYZMET_PASSWORD_PER_CLIENT = env_int("QYZMET_PASSWORD_PER_CLIENT", 10) or None
QYZMET_PASSWORD_PER_DEVICE = env_int("QYZMET_PASSWORD_PER_DEVICE", 5) or None
QYZMET_PASSWORD_PER_MINUTE_ALL = env_int("QYZMET_PASSWORD_PER_MINUTE_ALL", 300) or None
# Password hashes (Argon2) one web process computes at once, and how long a request waits for
# a slot before it is answered 503 with Retry-After; fewer than gunicorn's threads, so that
# however many sign-ins arrive, other requests find a thread (qyzmet/core/passwords.py).
QYZMET_PASSWORD_HASHING_SLOTS = env_int("QYZMET_PASSWORD_HASHING_SLOTS", 1)
QYZMET_PASSWORD_HASHING_WAIT_MS = env_int("QYZMET_PASSWORD_HASHING_WAIT_MS", 1000)
QYZMET_SESSION_IDLE_MINUTES = env_int("QYZMET_SESSION_IDLE_MINUTES", 30)
QYZMET_SESSION_ABSOLUTE_HOURS = env_int("QYZMET_SESSION_ABSOLUTE_HOURS", 12)
QYZMET_APP_SESSION_DAYS = env_int("QYZMET_APP_SESSION_DAYS", 30)
QYZMET_ACCESS_TOKEN_SECONDS = env_int("QYZMET_ACCESS_TOKEN_SECONDS", 600)
QYZMET_QR_TTL_SECONDS = env_int("QYZMET_QR_TTL_SECONDS", 120)
QYZMET_CHALLENGE_TTL_SECONDS = env_int("QYZMET_CHALLENGE_TTL_SECONDS", 300)
# Since 2025 certificate sign-in also asks for an SMS code.
QYZMET_CERT_SIGNIN_SMS = env_bool("QYZMET_CERT_SIGNIN_SMS", True)
QYZMET_TRUST_ROOT_FILES = env_list("QYZMET_TRUST_ROOT_FILES", [])
# PKI (qyzmet/signatures, docs/documents.md): PEM files or directories of them holding the real
# national root CAs to trust, in addition to the demo root in demo mode (and instead of it
# otherwise). QYZMET_TRUST_ROOT_FILES above is its older name and is still read.
QYZMET_PKI_TRUST_ROOTS = env_list("QYZMET_PKI_TRUST_ROOTS", [])
# The portal's public address (scheme and host, no trailing slash), the base of every public
# link (qyzmet.core.public_url): result documents' QR codes and verify links, wallet share links,
# the sign-in QR code, and the CRL and OCSP addresses certificates name. They outlive the request
# (a printed QR code), so they never come from the request's host.
QYZMET_PUBLIC_URL = env_url("QYZMET_PUBLIC_URL", "http://localhost:8000" if QYZMET_DEMO else "")
if not QYZMET_PUBLIC_URL and not QYZMET_DEMO:
    raise ImproperlyConfigured(
        "QYZMET_PUBLIC_URL (e.g. https://egov.kz) is required unless QYZMET_DEMO=1: documents' "
        "QR codes and certificates' CRL and OCSP addresses are built on it"
    )
# The cookie lives as long as the absolute timeout; the idle timeout is enforced server-side on
# the AuthSession, so that it is recorded and visible on "my sessions".
SESSION_COOKIE_AGE = QYZMET_SESSION_ABSOLUTE_HOURS * 3600
LOGIN_URL = "/signin/"

# --- Wallet: shares and offline verification tokens (qyzmet/wallet, docs/wallet.md) ----------
# How long a single-use share code (and its QR code) works.
QYZMET_WALLET_SHARE_SECONDS = env_int("QYZMET_WALLET_SHARE_SECONDS", 300)
# Wrong or expired codes one client address may enter per hour before it is refused for a while.
QYZMET_WALLET_CHECK_FAILURES_PER_HOUR = env_int("QYZMET_WALLET_CHECK_FAILURES_PER_HOUR", 10)
# ... and all clients together (guessing spread over many addresses).
QYZMET_WALLET_CHECK_FAILURES_ALL_PER_HOUR = env_int(
    "QYZMET_WALLET_CHECK_FAILURES_ALL_PER_HOUR", 2000
)
# Default lifetime of an offline token, and the longest a holder may ask for (a retired signing
# key stays published this long).
QYZMET_WALLET_TOKEN_SECONDS = env_int("QYZMET_WALLET_TOKEN_SECONDS", 600)
QYZMET_WALLET_TOKEN_MAX_SECONDS = env_int("QYZMET_WALLET_TOKEN_MAX_SECONDS", 86400)
# How long a downloaded revocation list counts as current for offline verifiers.
QYZMET_WALLET_REVOCATIONS_SECONDS = env_int("QYZMET_WALLET_REVOCATIONS_SECONDS", 86400)

# --- Public document checks (qyzmet/documents, /verify/ and /api/v1/documents/verify) --------
# Checks by number and IIN that found nothing, per client address and from everyone, per hour;
# and document files checked per client address per hour (each costs a signature validation).
QYZMET_DOCUMENT_VERIFY_FAILURES_PER_HOUR = env_int("QYZMET_DOCUMENT_VERIFY_FAILURES_PER_HOUR", 10)
QYZMET_DOCUMENT_VERIFY_FAILURES_ALL_PER_HOUR = env_int(
    "QYZMET_DOCUMENT_VERIFY_FAILURES_ALL_PER_HOUR", 2000
)
QYZMET_DOCUMENT_VERIFY_FILES_PER_HOUR = env_int("QYZMET_DOCUMENT_VERIFY_FILES_PER_HOUR", 60)

# --- Languages ----------------------------------------------------------------------------------
LANGUAGE_CODE = env_str("QYZMET_DEFAULT_LANGUAGE", "kk")
LANGUAGES = [("kk", _("Kazakh")), ("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["qyzmet.core.formats"]
LANGUAGE_COOKIE_NAME = "qyzmet_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Almaty"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "media")},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Security -----------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "qyzmet_session"
CSRF_COOKIE_SAMESITE = "Lax"
HTTPS = env_bool("QYZMET_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("QYZMET_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("QYZMET_HSTS_SECONDS", 31536000)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

# --- Payments ------------------------------------------------------------------------------------
# The gateway new payments go through (a name registered in qyzmet/payments/providers/gateway.py);
# the sandbox plays the bank offline and is the demo default.
QYZMET_PAYMENT_GATEWAY = env_str("QYZMET_PAYMENT_GATEWAY", "sandbox" if QYZMET_DEMO else "")
# The sandbox's shared webhook secret (HMAC-SHA256); demo mode makes its own.
QYZMET_PAYMENT_SANDBOX_SECRET = env_str("QYZMET_PAYMENT_SANDBOX_SECRET") or (
    demo_secret(VAR_DIR, "QYZMET_PAYMENT_SANDBOX_SECRET") if QYZMET_DEMO else ""
)
# How long after the delayed test card the sandbox settles and notifies.
QYZMET_PAYMENT_SANDBOX_DELAY_SECONDS = env_int("QYZMET_PAYMENT_SANDBOX_DELAY_SECONDS", 30)
# Webhooks signed longer ago than this (or this far in the future) are refused as replays.
QYZMET_PAYMENT_WEBHOOK_TOLERANCE_SECONDS = env_int("QYZMET_PAYMENT_WEBHOOK_TOLERANCE_SECONDS", 300)
# A payment pending longer than this is asked about at the gateway by the periodic sweep…
QYZMET_PAYMENT_REFRESH_AFTER_SECONDS = env_int("QYZMET_PAYMENT_REFRESH_AFTER_SECONDS", 300)
# …and one still open after this many minutes is marked expired (a late success still counts).
QYZMET_PAYMENT_EXPIRE_MINUTES = env_int("QYZMET_PAYMENT_EXPIRE_MINUTES", 60)

# --- Messages (SMS, e-mail) ---------------------------------------------------------------------
# Demo mode sends everything to the database sink readable at /dev/outbox.
# SMS providers by priority; demo mode has two sinks so that failover can be watched.
QYZMET_SMS_PROVIDERS = env_list(
    "QYZMET_SMS_PROVIDERS", ["sink", "sink-reserve"] if QYZMET_DEMO else []
)
# A provider with more errors than this within a minute is rested (traffic fails over)...
QYZMET_SMS_PROVIDER_MAX_ERRORS_PER_MINUTE = env_int("QYZMET_SMS_PROVIDER_MAX_ERRORS_PER_MINUTE", 5)
# ...for this many seconds.
QYZMET_SMS_PROVIDER_REST_SECONDS = env_int("QYZMET_SMS_PROVIDER_REST_SECONDS", 300)
# The generic HTTP JSON gateway provider ("http"): its URL, bearer token, receipt-signing secret.
QYZMET_SMS_HTTP_URL = env_str("QYZMET_SMS_HTTP_URL", "")
QYZMET_SMS_HTTP_TOKEN = env_str("QYZMET_SMS_HTTP_TOKEN", "")
QYZMET_SMS_HTTP_RECEIPT_SECRET = env_str("QYZMET_SMS_HTTP_RECEIPT_SECRET", "")
# Demo sinks answer this many milliseconds late (to watch, and test, a crash mid-send).
QYZMET_DEMO_SINK_DELAY_MS = env_int("QYZMET_DEMO_SINK_DELAY_MS", 0)
# Non-urgent SMS and push wait out these local (Asia/Almaty) hours; "off" for none.
QYZMET_NOTIFY_QUIET_HOURS = env_str("QYZMET_NOTIFY_QUIET_HOURS", "22:00-08:00")
# Non-urgent messages per recipient, channel and hour; more fail as recipient_limit.
QYZMET_NOTIFY_LIMIT_PER_HOUR = env_int("QYZMET_NOTIFY_LIMIT_PER_HOUR", 20)
# Delivery attempts before a message fails, and the retry backoff (doubling, capped).
QYZMET_NOTIFY_MAX_ATTEMPTS = env_int("QYZMET_NOTIFY_MAX_ATTEMPTS", 8)
QYZMET_NOTIFY_RETRY_BASE_SECONDS = env_int("QYZMET_NOTIFY_RETRY_BASE_SECONDS", 30)
QYZMET_NOTIFY_RETRY_MAX_SECONDS = env_int("QYZMET_NOTIFY_RETRY_MAX_SECONDS", 3600)
# How long a sender holds a message it is sending; a dead sender's messages are resent after.
QYZMET_NOTIFY_LEASE_SECONDS = env_int("QYZMET_NOTIFY_LEASE_SECONDS", 60)
# How often the sweep looks for due and abandoned messages.
QYZMET_NOTIFY_SWEEP_SECONDS = env_int("QYZMET_NOTIFY_SWEEP_SECONDS", 30)
# The periodic sweeps the worker runs (started by the worker itself; see qyzmet/core/periodic.py):
# name -> the task and its period: seconds, or the name of the setting that holds them.
QYZMET_PERIODIC_SWEEPS: dict[str, dict[str, str | int]] = {
    "deadlines": {"task": "qyzmet.applications.tasks.deadlines_sweep_task", "every": 15 * 60},
    "payments": {"task": "qyzmet.payments.tasks.payments_sweep_task", "every": 5 * 60},
    "outbox": {
        "task": "qyzmet.notifications.tasks.notifications_sweep_task",
        "every": "QYZMET_NOTIFY_SWEEP_SECONDS",
    },
    "idempotency_keys": {"task": "qyzmet.core.tasks.idempotency_keys_sweep_task", "every": 3600},
    "task_leases": {
        "task": "qyzmet.core.tasks.task_leases_sweep_task",
        "every": "QYZMET_TASK_LEASE_SECONDS",
    },
    "result_documents": {
        "task": "qyzmet.applications.tasks.result_documents_sweep_task",
        "every": env_int("QYZMET_RESULT_DOCUMENTS_SWEEP_SECONDS", 5 * 60),
    },
}
# The sweep of approvals without their result document looks back this many days.
QYZMET_RESULT_DOCUMENTS_SWEEP_DAYS = env_int("QYZMET_RESULT_DOCUMENTS_SWEEP_DAYS", 30)
# How long an Idempotency-Key and the first answer kept with it are kept (a client retries
# within minutes; the answer may hold personal data).
QYZMET_IDEMPOTENCY_KEEP_HOURS = env_int("QYZMET_IDEMPOTENCY_KEEP_HOURS", 24)
# The worker sends a code itself if the requesting process has not within this many seconds.
QYZMET_NOTIFY_URGENT_FALLBACK_SECONDS = env_int("QYZMET_NOTIFY_URGENT_FALLBACK_SECONDS", 10)
# Non-urgent messages not delivered within this many hours fail as expired.
QYZMET_NOTIFY_EXPIRY_HOURS = env_int("QYZMET_NOTIFY_EXPIRY_HOURS", 72)
# Web Push VAPID keys (base64url; `manage.py vapid_keys` makes a pair) and contact subject.
# Unset in demo mode: a pair is made once and kept under the var dir.
QYZMET_VAPID_PRIVATE_KEY = env_str("QYZMET_VAPID_PRIVATE_KEY", "")
QYZMET_VAPID_PUBLIC_KEY = env_str("QYZMET_VAPID_PUBLIC_KEY", "")
QYZMET_VAPID_SUBJECT = env_str("QYZMET_VAPID_SUBJECT", "mailto:support@qyzmet.local")
EMAIL_BACKEND = env_str(
    "QYZMET_EMAIL_BACKEND",
    "qyzmet.notifications.providers.email.SinkEmailBackend"
    if QYZMET_DEMO
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("QYZMET_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("QYZMET_EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("QYZMET_EMAIL_FROM", "Qyzmet <no-reply@qyzmet.local>")

# --- Logging: structured, one JSON object a line ------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "qyzmet.core.logging.JsonFormatter"}},
    # No log line holds a citizen's IIN, whatever wrote it (qyzmet/core/logging.py).
    "filters": {"no_iin": {"()": "qyzmet.core.logging.IinRedactFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["no_iin"]}
    },
    "root": {"handlers": ["console"], "level": env_str("QYZMET_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # pyHanko logs certificate subjects (which hold IINs) on every rejected signature.
        "pyhanko": {"level": "ERROR"},
        "pyhanko_certvalidator": {"level": "ERROR"},
        # WeasyPrint and fontTools narrate every step of every PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
