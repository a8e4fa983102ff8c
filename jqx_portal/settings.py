"""Settings for JQX Portal, read from the environment.

Every deployment value comes from an environment variable (or a `.env` file beside
`manage.py`). The database is PostgreSQL everywhere and `DATABASE_URL` is required:
`./scripts/demo` and `./scripts/test` set it themselves, to an embedded PostgreSQL 18 under
`var/pg/` when none is given; production and CI point it at their server.
"""

import datetime
import re
from pathlib import Path
from urllib.parse import unquote

import environ
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

# A production secret has no default: without one Django refuses to start a server (and to
# sign anything); management commands that need no secret (makemigrations, migrate) still run.
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "insecure-development-key-only-for-debug-runs"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tables2",
    "django_filters",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "pgtrigger",
    "pghistory",
    # The ground: shared wording and helpers, then the domain apps.
    "core",
    "policies",
    "outbox",
    "reminders",
    "claims",
    "support",
    "insights",
    # What people touch: the staff desks and the customers' channels.
    "desks",
    "channels",
    "accounts",
    "history",  # who changed what and when: PostgreSQL triggers on the domain's tables
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "jqx_portal.db_router.ReplicaRoutingMiddleware",  # reads to a replica, or to the primary
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SecurityLogMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "core.middleware.NoStoreForStaffMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "jqx_portal.history_context.HistoryMiddleware",  # who and which page, on every change a request makes
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the lockout page
]

ROOT_URLCONF = "jqx_portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "desks.context_processors.portal",
            ],
        },
    },
]

WSGI_APPLICATION = "jqx_portal.wsgi.application"

# --- Database -------------------------------------------------------------------------
# PostgreSQL only. A Unix-socket directory may be the host, percent-encoded as libpq has it
# (postgres://postgres@%2Fpath%2Fto%2Fvar%2Fpg:5432/jqx, what scripts/embedded_db.py prints)
# or as a query parameter (postgres://postgres@/jqx?host=/path/to/var/pg).
if not env.str("DATABASE_URL", default=""):
    raise ImproperlyConfigured(
        "DATABASE_URL is not set. Run ./scripts/demo or ./scripts/test (they start an embedded "
        "PostgreSQL under var/pg when none is given), or set DATABASE_URL=postgres://user@host:5432/jqx."
    )
DATABASES = {"default": env.db_url("DATABASE_URL")}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured(
        "DATABASE_URL must point at PostgreSQL (postgres://…): the portal runs on nothing else."
    )
if DATABASES["default"]["HOST"].upper().startswith("%2F"):
    DATABASES["default"]["HOST"] = unquote(DATABASES["default"]["HOST"])
elif not DATABASES["default"]["HOST"] and "host" in DATABASES["default"].get("OPTIONS", {}):
    DATABASES["default"]["HOST"] = str(DATABASES["default"]["OPTIONS"].pop("host"))

# psycopg 3's connection pool; Django needs CONN_MAX_AGE = 0 with it. CONN_HEALTH_CHECKS
# makes the pool check each connection as it hands it out (ConnectionPool.check_connection):
# after a database restart the stale ones are replaced instead of failing the next requests.
if env.bool("DATABASE_POOL", default=True):
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN", default=2),
        "max_size": env.int("DATABASE_POOL_MAX", default=10),
        "timeout": env.int("DATABASE_POOL_TIMEOUT", default=10),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
    "options", f"-c statement_timeout={env.int('DATABASE_STATEMENT_TIMEOUT_MS', default=30000)}"
)
# PgBouncer in transaction pooling in front of the database(s) (docs/scaling.md): each transaction
# may run on another server connection, so nothing may outlive one — no prepared statements (also
# Django's default), no server-side cursors (QuerySet.iterator() outside a transaction holds one
# WITH HOLD). PgBouncer refuses the `options` startup parameter: the statement timeout is then the
# role's (ALTER ROLE … SET statement_timeout) or PgBouncer's connect_query.
if env.bool("DATABASE_PGBOUNCER", default=False):
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = None
    DATABASES["default"]["OPTIONS"].pop("options", None)
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
# Read replicas, comma-separated (PostgreSQL streaming replicas): DATABASES["replica_0"] … with the
# primary's options and pool settings; jqx_portal/db_router.py sends read-only requests to them.
for _n, _url in enumerate(env.list("DATABASE_REPLICA_URLS", default=[])):
    _replica = environ.Env.db_url_config(_url)
    _own = _replica.pop("OPTIONS", {})
    if _replica["HOST"].upper().startswith("%2F"):
        _replica["HOST"] = unquote(_replica["HOST"])
    elif not _replica["HOST"] and "host" in _own:
        _replica["HOST"] = str(_own.pop("host"))
    _options = {k: dict(v) if isinstance(v, dict) else v for k, v in DATABASES["default"]["OPTIONS"].items()}
    DATABASES[f"replica_{_n}"] = {
        **DATABASES["default"],
        **_replica,
        "OPTIONS": {**_options, **_own},
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["jqx_portal.db_router.ReplicaRouter"]
# After a user writes, their reads go to the primary for this long (read-your-writes).
REPLICA_STICKY_SECONDS = env.int("REPLICA_STICKY_SECONDS", default=10)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------------------
AUTH_USER_MODEL = "policies.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Tests set a fast hasher through the environment; production keeps Django's default.
if env.list("PASSWORD_HASHERS", default=[]):
    PASSWORD_HASHERS = env.list("PASSWORD_HASHERS")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 3600)

# --- Sign-in and sessions ----------------------------------------------------------------
# The lockout check (django-axes) comes before the password check.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LockoutBackend",
    "accounts.backends.StaffBackend",  # Django's ModelBackend, permissions cached (below)
]
# AXES_FAILURE_LIMIT failed sign-ins (or wrong two-factor codes) lock the account AND, apart,
# the client address (policies.services.client_ip: X-Forwarded-For behind TRUSTED_PROXY_COUNT
# proxies) for AXES_COOLOFF_MINUTES; a supervisor unlocks earlier in admin (登录失败锁定记录).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_MINUTES = env.int("AXES_COOLOFF_MINUTES", default=30)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "policies.services.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_HTTP_RESPONSE_CODE = 429
# A successful sign-in does not wipe the address's count (one valid account must not reset
# the lockout of a password-guessing address).
AXES_RESET_ON_SUCCESS = env.bool("AXES_RESET_ON_SUCCESS", default=False)
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "code"]
AXES_VERBOSE = False
# Sign-ins are recorded in the security log (kept SECURITY_LOG_RETENTION_DAYS days), not in a
# second table that nothing prunes.
AXES_DISABLE_ACCESS_LOG = True
# Two-factor sign-in (django-otp): supervisors and every admin account (accounts.access).
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="交强险服务门户")
# Staff sessions end after SESSION_IDLE_SECONDS without activity (a warning shows
# SESSION_IDLE_WARNING_SECONDS before) and SESSION_ABSOLUTE_SECONDS after sign-in regardless.
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=1800)
SESSION_IDLE_WARNING_SECONDS = env.int("SESSION_IDLE_WARNING_SECONDS", default=60)
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 3600)
# The security log (core.security_log): JSON lines, rotated at Beijing midnight, kept
# SECURITY_LOG_RETENTION_DAYS days; also on stdout where SECURITY_LOG_STDOUT is set.
SECURITY_LOG_PATH = env.path("SECURITY_LOG_PATH", default=VAR_DIR / "log" / "security.jsonl")
SECURITY_LOG_RETENTION_DAYS = env.int("SECURITY_LOG_RETENTION_DAYS", default=180)
SECURITY_LOG_STDOUT = env.bool("SECURITY_LOG_STDOUT", default=False)

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files (served by whitenoise; branch networks have no CDN) --------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Serve straight from the source folders where collectstatic has not run (demo, tests).
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=DEBUG)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"

# --- Cache ------------------------------------------------------------------------------
if env.str("CACHE_URL", default=""):
    CACHES = {"default": env.cache_url("CACHE_URL")}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# A cache every process of the portal shares (Redis): sessions are read from it and the staff's
# permissions kept in it. A per-process memory cache is not shared — a session changed or ended
# in one process would live on in another's copy — so without CACHE_URL both stay in PostgreSQL.
SHARED_CACHE = bool(env.str("CACHE_URL", default="")) and not CACHES["default"]["BACKEND"].endswith(
    "LocMemCache"
)
SESSION_ENGINE = env.str(
    "SESSION_ENGINE",
    default="django.contrib.sessions.backends.cached_db"
    if SHARED_CACHE
    else "django.contrib.sessions.backends.db",
)
# How long a user's permissions and role stay cached (accounts.backends.StaffBackend; any change
# to their groups or permissions drops them at once); 0 reads them on every request.
PERMISSION_CACHE_SECONDS = env.int("PERMISSION_CACHE_SECONDS", default=300 if SHARED_CACHE else 0)

# --- Self-service API and public status page ----------------------------------------------
# Rate limits are counted in Redis so that every process shares them (by default the Redis
# of CACHE_URL); without one they are per process, which the system check reports.
_cache_url = env.str("CACHE_URL", default="")
RATE_LIMIT_REDIS_URL = env.str(
    "RATE_LIMIT_REDIS_URL", default=_cache_url if _cache_url.startswith(("redis://", "rediss://")) else ""
)
RATE_LIMIT_KEY_PREFIX = env.str("RATE_LIMIT_KEY_PREFIX", default="jqx:rl:")
# API usage is counted in that Redis (or in memory) and written to PostgreSQL once this many
# requests are pending, or this many seconds after a process's last write (channels.api.usage).
API_USAGE_FLUSH_EVERY = env.int("API_USAGE_FLUSH_EVERY", default=200)
API_USAGE_FLUSH_SECONDS = env.int("API_USAGE_FLUSH_SECONDS", default=10)
# "count/seconds": lookups of one plate through the API (all keys together) and, on the
# public status page, per client address and per plate.
API_PLATE_RATE = env.str("API_PLATE_RATE", default="30/3600")
STATUS_PAGE_IP_RATE = env.str("STATUS_PAGE_IP_RATE", default="60/600")
STATUS_PAGE_PLATE_RATE = env.str("STATUS_PAGE_PLATE_RATE", default="10/600")
for _rate in ("API_PLATE_RATE", "STATUS_PAGE_IP_RATE", "STATUS_PAGE_PLATE_RATE"):
    if not re.fullmatch(r"[1-9]\d*/[1-9]\d*", globals()[_rate]):
        raise ImproperlyConfigured(f"{_rate} must look like 30/3600 (requests/seconds).")

# --- Outbound messages (SMS, app push, email) --------------------------------------------
# Production sends through SMTP; the demo (DEBUG) writes each email to a file under var/.
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.filebased.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = env.path("EMAIL_FILE_PATH", default=VAR_DIR / "messages" / "email")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="交强险服务 <service@jqx.example.cn>")

MESSAGE_FILE_DIR = env.path("MESSAGE_FILE_DIR", default=VAR_DIR / "messages")
SMS_BACKEND = env.str("SMS_BACKEND", default="outbox.backends.FileBackend")
PUSH_BACKEND = env.str("PUSH_BACKEND", default="outbox.backends.FileBackend")
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
PUSH_GATEWAY_URL = env.str("PUSH_GATEWAY_URL", default="")
GATEWAY_TOKEN = env.str("GATEWAY_TOKEN", default="")
GATEWAY_TIMEOUT_SECONDS = env.float("GATEWAY_TIMEOUT_SECONDS", default=5.0)
# Outbox sender: attempts before a message is given up as failed, and the claim lease.
MESSAGE_MAX_ATTEMPTS = env.int("MESSAGE_MAX_ATTEMPTS", default=6)
MESSAGE_LEASE_SECONDS = env.int("MESSAGE_LEASE_SECONDS", default=120)
# The dashboard's 立即刷新 runs in the `run_insights_jobs` worker: the statement timeout of the
# refresh there (instead of the requests' DATABASE_STATEMENT_TIMEOUT_MS).
INSIGHTS_JOB_TIMEOUT_SECONDS = env.int("INSIGHTS_JOB_TIMEOUT_SECONDS", default=1800)
if INSIGHTS_JOB_TIMEOUT_SECONDS < 1:
    raise ImproperlyConfigured("INSIGHTS_JOB_TIMEOUT_SECONDS must be at least 1")
# Where customers renew, as named in renewal reminders.
SERVICE_HOTLINE = env.str("SERVICE_HOTLINE", default="400-800-9595")
SERVICE_WEBSITE = env.str("SERVICE_WEBSITE", default="www.jqx.example.cn")
SMS_SIGNATURE = env.str("SMS_SIGNATURE", default="【交强险服务】")
# Where customers open the links in their messages (satisfaction surveys).
# The demo serves on PORT (./scripts/demo); survey links follow it unless set.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}")

# --- Partitioned tables --------------------------------------------------------------------
# Append-only tables partitioned by (Beijing) month on a time column (core.partitions; the
# migrations made them so). `manage.py maintain_partitions`, daily, creates the coming months
# and drops the months older than `keep_months` whole months; None: never dropped. The access
# log keeps 7 months: a dropped month ended at least 212 days ago, past the 180 days (six
# months) network logs must be kept (网络安全法 第二十一条). docs/scaling.md, "Partitioned tables".
PARTITIONED_TABLES = {
    # min_days: maintain_partitions refuses a keep_months that could drop younger rows.
    "policies_personaccesslog": {"column": "accessed_at", "keep_months": 7, "min_days": 180},
    "policies_apiusage": {"column": "day", "keep_months": 24},
    "claims_claimevent": {"column": "at", "keep_months": None},
    "support_ticketevent": {"column": "created_at", "keep_months": None},
}

# --- Access log of personal data ----------------------------------------------------------
# The dashboard's "unusual access" panel: an account that viewed at least `people` different
# customers within any `minutes` (a sliding window, from any view), over the last `days`.
ACCESS_LOG_UNUSUAL = {
    "people": env.int("ACCESS_LOG_UNUSUAL_PEOPLE", default=30),
    "minutes": env.int("ACCESS_LOG_UNUSUAL_MINUTES", default=60),
    "days": env.int("ACCESS_LOG_UNUSUAL_DAYS", default=7),
}
for _name, _value in ACCESS_LOG_UNUSUAL.items():
    if _value < 1:
        raise ImproperlyConfigured(f"ACCESS_LOG_UNUSUAL_{_name.upper()} must be at least 1")

# --- History of changes (history/, django-pghistory) --------------------------------------
# The triggers are installed after every migrate rather than by migrations, so the tracked
# apps' migrations never change for them; `manage.py pgtrigger ls` lists them.
PGTRIGGER_MIGRATIONS = False
PGTRIGGER_INSTALL_ON_MIGRATE = True

# --- Request limits ----------------------------------------------------------------------
# A staff form's body and its number of fields; beyond either Django answers 400 (templates/400.html).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=256 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env.int("DATA_UPLOAD_MAX_NUMBER_FIELDS", default=2000)

# --- Security (production values unless DEBUG) --------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Reverse proxies in front of the portal that append to X-Forwarded-For (0: none, trust REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # No query string in a logged URL (a search term may be an ID number or a phone): core.logging.
    "filters": {"strip_query": {"()": "core.logging.StripQueryStringFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "security_json": {"()": "core.security_log.JsonLinesFormatter"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
        "security_file": {
            "class": "core.security_log.SecurityLogHandler",
            "filename": str(SECURITY_LOG_PATH),
            "retention_days": SECURITY_LOG_RETENTION_DAYS,
            "formatter": "security_json",
        },
        "security_stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "security_json",
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["strip_query"],
        },
        "django.request": {"filters": ["strip_query"]},
        "jqx.security": {
            "handlers": ["security_file", *(["security_stdout"] if SECURITY_LOG_STDOUT else [])],
            "level": "INFO",
            "propagate": False,
        },
        "axes": {"level": "WARNING"},
    },
}

# --- Content-Security-Policy (django-csp) ---------------------------------------------------
# Scripts and <style> elements only from the portal itself or carrying the page's nonce
# (`<script nonce="{{ request.csp_nonce }}">`); no inline event handlers (static/js/portal.js
# wires them by data attributes). Style *attributes* stay allowed (style-src-attr): they run no
# code, and the dashboard's bars and the admin's widget widths are sized with them. htmx's own
# indicator <style> is switched off (meta htmx-config in base.html; static/css/portal.css has it).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", NONCE],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# Tariff tables are cached per process for this long (admin saves clear it at once).
TARIFF_CACHE_SECONDS = env.int("TARIFF_CACHE_SECONDS", default=300)
