"""Django settings for TraceHub.

Everything that differs between a laptop demo and a city deployment comes from the
environment (README "Configuration"): DATABASE_URL, SECRET_KEY, DEBUG, ALLOWED_HOSTS,
TRACEHUB_DATA_DIR and the TRACEHUB_* limits below.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
#: Where the embedded database, capture spool and uploads live unless told otherwise.
DATA_DIR = Path(os.environ.get("TRACEHUB_DATA_DIR", Path.cwd() / "var")).resolve()


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("DEBUG", False)
# A development key is acceptable only while DEBUG is on; production must set SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY") or "tracehub-insecure-development-key-change-me"
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # ninja in INSTALLED_APPS makes /api/v1/docs and /epcis/docs use its bundled Swagger UI
    # instead of a CDN (the platform runs on closed networks).
    "ninja",
    "django_htmx",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "tracehub.core",
    "tracehub.accounts",
    "tracehub.registry",
    "tracehub.epcis",
    "tracehub.demo",
    "tracehub.tracing",
    "tracehub.sectors",
    "tracehub.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "tracehub.core.middleware.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "tracehub.urls"
WSGI_APPLICATION = "tracehub.wsgi.application"

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
                "django.template.context_processors.i18n",
                "tracehub.core.context_processors.platform",
                "tracehub.registry.context_processors.console_header",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'tracehub.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets the worker write while the web process reads (DESIGN.md §1); the busy
    # timeout makes a writer wait for the other rather than fail with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA case_sensitive_like=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Users' language: Chinese by default, English on request (README "Standards").
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TRACEHUB_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "capture"],
    }
}

# --- capture (issue #2) ---------------------------------------------------------------
#: A capture document larger than this is refused with 413 (EPCIS REST binding).
TRACEHUB_CAPTURE_MAX_BYTES = int(os.environ.get("TRACEHUB_CAPTURE_MAX_BYTES", str(512 * 1024 * 1024)))
#: Documents up to this size are processed inside the request; larger ones by a worker.
TRACEHUB_CAPTURE_INLINE_MAX_BYTES = int(
    os.environ.get("TRACEHUB_CAPTURE_INLINE_MAX_BYTES", str(4 * 1024 * 1024))
)
#: Where capture bodies wait for a worker. Web and worker processes must share it.
TRACEHUB_CAPTURE_SPOOL_DIR = Path(os.environ.get("TRACEHUB_CAPTURE_SPOOL_DIR", DATA_DIR / "capture-spool"))
#: Events written per batch (one transaction per document all the same).
TRACEHUB_CAPTURE_BATCH = int(os.environ.get("TRACEHUB_CAPTURE_BATCH", "2000"))
#: Query paging (EPCIS REST binding perPage).
TRACEHUB_QUERY_DEFAULT_PER_PAGE = 30
TRACEHUB_QUERY_MAX_PER_PAGE = 1000
#: Base of the GS1 Digital Link URIs the platform writes (its own resolver).
TRACEHUB_DIGITAL_LINK_BASE = os.environ.get("TRACEHUB_DIGITAL_LINK_BASE", "https://id.gs1.org")

# --- registry (issue #3) --------------------------------------------------------------
#: Keys that encrypt personal data at rest (居民身份证 numbers), comma-separated, newest first.
#: Without one the key is derived from SECRET_KEY: set TRACEHUB_FIELD_KEY in production, so that
#: changing SECRET_KEY does not make stored numbers unreadable.
TRACEHUB_FIELD_KEYS = [
    k.strip() for k in (os.environ.get("TRACEHUB_FIELD_KEY") or SECRET_KEY).split(",") if k.strip()
]
#: Largest licence or document scan accepted (PDF, JPEG or PNG).
TRACEHUB_DOCUMENT_MAX_BYTES = int(os.environ.get("TRACEHUB_DOCUMENT_MAX_BYTES", str(10 * 1024 * 1024)))
#: Licences expiring within this many days are flagged and notified.
TRACEHUB_LICENCE_EXPIRY_DAYS = int(os.environ.get("TRACEHUB_LICENCE_EXPIRY_DAYS", "30"))
#: Bulk import (docs/import.md): the largest file accepted, the most data rows in one file, and
#: how long an uploaded file waits to be committed after its preview.
TRACEHUB_IMPORT_MAX_BYTES = int(os.environ.get("TRACEHUB_IMPORT_MAX_BYTES", str(5 * 1024 * 1024)))
TRACEHUB_IMPORT_MAX_ROWS = int(os.environ.get("TRACEHUB_IMPORT_MAX_ROWS", "5000"))
TRACEHUB_IMPORT_TTL_HOURS = int(os.environ.get("TRACEHUB_IMPORT_TTL_HOURS", "24"))
#: Registry API paging.
TRACEHUB_API_DEFAULT_LIMIT = 50
TRACEHUB_API_MAX_LIMIT = 200

# --- pages, sign-in and browser security (issue #1 foundation; docs/pages.md) ---------------
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/console/"
LOGOUT_REDIRECT_URL = "/"
CSRF_FAILURE_VIEW = "tracehub.core.views.csrf_failure"
#: Set TRACEHUB_HTTPS=1 when the platform is served over HTTPS (directly or behind a proxy):
#: cookies are then sent over HTTPS only. Ignored while DEBUG is on (local development).
TRACEHUB_HTTPS = _env_bool("TRACEHUB_HTTPS", False) and not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = TRACEHUB_HTTPS
# htmx sends the token from the page (hx-headers on <body>), so no script needs the cookie.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = TRACEHUB_HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = TRACEHUB_HTTPS
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Only what the platform serves itself may run or style a page: no CDN, no inline script.
# Pages pass data to scripts with {{ value|json_script:"id" }}, which is data, not script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # style="…" attributes, as ECharts writes into its tooltips: they cannot run script, and
        # charts would lose their tooltips without them. <style> elements stay forbidden.
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- public portal (issue #5 items 3-7; docs/portal.md) -----------------------------------
#: A serial looked up this many times raises the "looked up many times" warning and alert.
TRACEHUB_PORTAL_MANY_LOOKUPS = int(os.environ.get("TRACEHUB_PORTAL_MANY_LOOKUPS", "20"))
#: Two look-ups of one serial at least this far apart (km) ...
TRACEHUB_PORTAL_FAR_KM = float(os.environ.get("TRACEHUB_PORTAL_FAR_KM", "300"))
#: ... within this many hours raise the "looked up far apart" warning and alert.
TRACEHUB_PORTAL_FAR_HOURS = float(os.environ.get("TRACEHUB_PORTAL_FAR_HOURS", "6"))
#: Reports one client may file per hour, and consumer API requests per minute (Django cache).
TRACEHUB_PORTAL_REPORTS_PER_HOUR = int(os.environ.get("TRACEHUB_PORTAL_REPORTS_PER_HOUR", "5"))
TRACEHUB_PORTAL_API_PER_MINUTE = int(os.environ.get("TRACEHUB_PORTAL_API_PER_MINUTE", "120"))
#: Entries of the product page's per-process cache (products, lots, names): Django's default
#: cache keeps 300, and a city's lots evicted each other on every scan (docs/portal.md, page cost).
TRACEHUB_PORTAL_CACHE_ENTRIES = int(os.environ.get("TRACEHUB_PORTAL_CACHE_ENTRIES", "20000"))
#: The page's two hot statements are prepared once per PostgreSQL connection; set false behind a
#: pooler in transaction mode (PgBouncer), where a prepared statement may meet another connection.
TRACEHUB_PORTAL_PREPARED_STATEMENTS = _env_bool("TRACEHUB_PORTAL_PREPARED_STATEMENTS", True)
#: Largest photo accepted with a report (JPEG, PNG or WebP, checked by content).
TRACEHUB_PORTAL_PHOTO_MAX_BYTES = int(os.environ.get("TRACEHUB_PORTAL_PHOTO_MAX_BYTES", str(5 * 1024 * 1024)))
#: How long a product's master data, a lot's upstream chain and place names are cached (seconds).
TRACEHUB_PORTAL_CACHE_SECONDS = int(os.environ.get("TRACEHUB_PORTAL_CACHE_SECONDS", "300"))
#: How long "is any recall open?" is cached per process (a new recall shows at once in the process that
#: declared it, within this many seconds in the others).
TRACEHUB_PORTAL_RECALL_SECONDS = int(os.environ.get("TRACEHUB_PORTAL_RECALL_SECONDS", "30"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
