"""One settings file, read from the environment (healthchecks' hc/settings.py).

Defaults are the embedded set-up `make run` uses: SQLite under var/, static files
served from the apps, DEBUG off (so people see the Chinese error pages;
DEBUG=1 make run for the debug pages), a secret key made once and kept in
var/secret_key, tasks in the database. Production sets DATABASE_URL
(PostgreSQL), its own SECRET_KEY, ALLOWED_HOSTS, HTTPS=1 and
STATIC_FROM_APPS=0; docs/deploy.md lists them.

A setting that cannot be right stops start-up with ImproperlyConfigured naming
the variable, rather than starting and failing on every request (issue 17).
"""

import hashlib
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("XIEGUAN_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


def env_bool(name: str, default: bool) -> bool:
    """A yes/no variable; unset or empty is ``default``. Anything else than the
    accepted words stops start-up: ``DEBUG=ture`` must not quietly mean off."""
    value = (os.environ.get(name) or "").strip().lower()
    if not value:
        return default
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={os.environ[name]!r} is not a yes/no value: "
        f"set {name} to one of {', '.join(TRUE_WORDS)} (on) or {', '.join(FALSE_WORDS)} (off), or unset it."
    )


def env_int(name: str, default: int) -> int:
    """A whole-number variable; unset or empty is ``default``."""
    value = (os.environ.get(name) or "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name}={os.environ[name]!r} is not a whole number: set {name} to digits only (e.g. {default}), "
            "or unset it for the default."
        ) from None


# Keys that are public and so sign nothing: the constant this file shipped
# with until issue 17 (kept as its SHA-256 so the key itself is gone).
PUBLISHED_KEY_SHA256 = {"5dd8e4e57e8d2b735287d28ce5f37a6d1c76eea271a108ad4bb9340caad5603a"}


def weak_secret_key(key: str) -> bool:
    """A key anyone may know or guess: a published one, Django's generated
    development prefix, or one shorter or plainer than Django's own deploy
    check accepts (50 characters, 5 different ones)."""
    return (
        hashlib.sha256(key.encode()).hexdigest() in PUBLISHED_KEY_SHA256
        or key.startswith("django-insecure-")
        or len(key) < 50
        or len(set(key)) < 5
    )


def stored_secret_key(path: Path) -> str:
    """The embedded default's own key: made once, at random, in a file only the
    owner can read (0600), and read again on every later start. The file
    appears whole or not at all (written aside, then hard-linked into place),
    so two processes starting together end up with the same key."""
    if not path.exists():
        spare = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(spare, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_urlsafe(50) + "\n")
                file.flush()
                os.fsync(file.fileno())
            try:
                os.link(spare, path)
            except FileExistsError:
                pass  # another process was first: its key counts
        finally:
            spare.unlink()
    key = path.read_text().strip()
    if weak_secret_key(key):
        raise ImproperlyConfigured(
            f"The secret key in {path} is empty or too weak: delete the file to have a new one made, or set SECRET_KEY."
        )
    return key


def secret_key(debug: bool) -> str:
    value = os.environ.get("SECRET_KEY")
    if value is None:
        return stored_secret_key(VAR_DIR / "secret_key")
    if not value.strip():
        raise ImproperlyConfigured(
            "SECRET_KEY is set but empty: set it to 50 or more random characters "
            '(python -c "import secrets; print(secrets.token_urlsafe(50))"), '
            f"or unset it to use the key kept in {VAR_DIR / 'secret_key'}."
        )
    if not debug and weak_secret_key(value):
        raise ImproperlyConfigured(
            "SECRET_KEY is a published, default or too short key (under 50 characters or fewer than 5 different "
            'ones): set it to 50 or more random characters (python -c "import secrets; '
            'print(secrets.token_urlsafe(50))"), or unset it to use the key kept in '
            f"{VAR_DIR / 'secret_key'}."
        )
    return value


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = secret_key(DEBUG)
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
# The reverse proxies in front of the app: a request from one of them has the
# client's address in X-Forwarded-For (the audit log, sign-in limits per address).
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "xieguan.core",
    "xieguan.areas",
    "xieguan.accounts",
    "xieguan.units",
    "xieguan.outreach",
    "xieguan.complaints",
    "xieguan.reports",
    "xieguan.inspections",
    "xieguan.monthly",
    "xieguan.campaigns",
    "xieguan.indicators",
    "xieguan.reminders",
    "xieguan.risk",
    "xieguan.assessments",
    "xieguan.archives",
    "xieguan.field",
    "xieguan.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "xieguan.accounts.middleware.IdleSessionMiddleware",
    "xieguan.core.audit.ClientIPMiddleware",
    "xieguan.core.locale.DefaultChineseLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Every page needs a signed-in user unless its view says
    # @login_not_required (the public complaint pages, sign-in, health).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "xieguan.accounts.middleware.SecurityPolicyMiddleware",
    # Axes last: it turns a locked-out authentication into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# Every form's empty choice reads "—" (xieguan/core/forms.py).
FORM_RENDERER = "xieguan.core.forms.FormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "xieguan" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "xieguan.core.context_processors.shell",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'xieguan.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the task worker writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "timeout": 20}
    )
    # Tests on SQLite use a file too, never ":memory:": an in-memory database
    # is one connection that the live server's threads share with the test,
    # and two requests at once (the field app uploads a photo and a signature
    # together) then meet inside one transaction ("cannot start a transaction
    # within a transaction", CI on 5 December). A file gives each thread its
    # own connection, as production has.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-xieguan.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The optional second factor (SPEC §12): a time-based code from an
# authenticator app (RFC 6238, django-otp), with one-use backup codes.
OTP_TOTP_ISSUER = "卫生监督协管"

# With several worker processes (production), the complaint page's limits per
# address and its one-use CAPTCHAs must be counted in one place: REDIS_URL
# selects Django's Redis cache. Unset (the embedded default) it is Django's
# per-process memory cache, and nothing needs Redis.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "xieguan",
        }
    }
    # Sessions read from Redis, written through to the database: one query
    # less on every page, and a session still outlives a Redis restart.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "xieguan.accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "xieguan.accounts.passwords.ComplexityValidator",
        "OPTIONS": {"min_classes": env_int("PASSWORD_MIN_CHARACTER_CLASSES", 3)},
    },
]
# Days after which a password must be changed; 0 turns the rule off.
PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 90)
# An API token's last use is written at most this often: the field app's
# bursts (a record, its photos, its signatures) would otherwise write the
# token's row on every request.
API_TOKEN_TOUCH_SECONDS = env_int("API_TOKEN_TOUCH_SECONDS", 60)

# Idle timeout: the session expires this long after the last request.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
# The idle timeout slides: xieguan.accounts.middleware.IdleSessionMiddleware
# moves a session's expiry forward at most once a minute (saving it on every
# request wrote and committed its row on every page view).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = env_int("SESSION_REFRESH_SECONDS", 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Lockout (SPEC §12, issue 17; xieguan/accounts/lockout.py): 5 failures of one
# user name from one address lock that name for that address only, for a fixed
# 15 minutes that attempts during it do not extend; 20 failures from one
# address across user names (password spraying) lock the address. The county's
# administrators see and release locks (人员 → 被锁定的登录).
AXES_FAILURE_LIMIT = env_int("LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HANDLER = "xieguan.accounts.lockout.SignInLockHandler"
AXES_CLIENT_IP_CALLABLE = "xieguan.core.audit.client_ip"  # the audit log's address, proxies included
AXES_LOCKOUT_CALLABLE = "xieguan.accounts.lockout.lockout_response"
LOCKOUT_ADDRESS_FAILURES = env_int("LOCKOUT_ADDRESS_FAILURES", 20)  # 0 turns the per-address limit off
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False

# API bearer tokens expire after this many days unless revoked earlier.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 30)

# Audit entries are kept at least this long (SPEC §12 asks for 180 days).
AUDIT_RETENTION_DAYS = max(180, env_int("AUDIT_RETENTION_DAYS", 365))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "xieguan" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# The embedded default (`make run`, the tests) serves static files straight
# from the apps, so it starts at once without collectstatic; production sets
# STATIC_FROM_APPS=0 and collects them into STATIC_ROOT with compressed,
# fingerprinted names (`check --deploy` warns while it is on: xieguan.W001).
STATIC_FROM_APPS = env_bool("STATIC_FROM_APPS", True)
# Uploaded files (issue 26): with MEDIA_S3_ENDPOINT, MEDIA_S3_BUCKET,
# MEDIA_S3_ACCESS_KEY and MEDIA_S3_SECRET_KEY set, every file the app stores
# goes to that bucket (MinIO, Ceph RGW, SeaweedFS, a government cloud's S3)
# through django-storages, so several app servers share them; unset, the
# local disk under MEDIA_ROOT (the embedded default). The bucket stays
# private: files leave only through the app, streamed after the scope check
# (docs/deploy.md); nothing else in the code knows which one is in use
# (xieguan/core/storage.py holds what differs).
MEDIA_S3_ENDPOINT = os.environ.get("MEDIA_S3_ENDPOINT", "")
MEDIA_S3_BUCKET = os.environ.get("MEDIA_S3_BUCKET", "")
_MEDIA_S3 = ("MEDIA_S3_ENDPOINT", "MEDIA_S3_BUCKET", "MEDIA_S3_ACCESS_KEY", "MEDIA_S3_SECRET_KEY")
if any(os.environ.get(name) for name in _MEDIA_S3) and not all(os.environ.get(name) for name in _MEDIA_S3):
    missing = ", ".join(name for name in _MEDIA_S3 if not os.environ.get(name))
    raise ImproperlyConfigured(f"Object storage needs all four MEDIA_S3_* settings; missing: {missing}")
if MEDIA_S3_ENDPOINT and MEDIA_S3_BUCKET:
    MEDIA_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "endpoint_url": MEDIA_S3_ENDPOINT,
            "bucket_name": MEDIA_S3_BUCKET,
            "access_key": os.environ.get("MEDIA_S3_ACCESS_KEY", ""),
            "secret_key": os.environ.get("MEDIA_S3_SECRET_KEY", ""),
            "region_name": os.environ.get("MEDIA_S3_REGION", "us-east-1"),
            "addressing_style": "path",
            "signature_version": "s3v4",
            # Private objects, never a public URL; names are the server's own
            # and never overwritten by a second file of the same name.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
            "location": os.environ.get("MEDIA_S3_PREFIX", ""),
            # An object read through storage.open spills to a temporary file
            # past 2 MiB instead of being held whole in memory.
            "max_memory_size": 2 * 1024 * 1024,
        },
    }
else:
    MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {}}
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if STATIC_FROM_APPS
        else "xieguan.core.staticfiles.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = STATIC_FROM_APPS
WHITENOISE_AUTOREFRESH = STATIC_FROM_APPS
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

# Uploads: the largest file the app takes; larger ones get a clear message.
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_MB", 20) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The most pixels a photo may have, far below Pillow's own limit (89 MP): a
# 17 KB PNG can declare 144 MP and decoding it would take a gigabyte.
PHOTO_MAX_PIXELS = env_int("PHOTO_MAX_MEGAPIXELS", 50) * 1_000_000

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "rollups"],
    }
}
# Cleanups the worker runs on a schedule (task → seconds between runs):
# `manage.py run_periodic` enqueues them when due and `make run` starts it
# beside the worker; docs/deploy.md lists them for production.
PERIODIC_TASKS = {
    "xieguan.complaints.tasks.pending_photos_prune_task": 3600,
    "xieguan.field.tasks.uploads_prune_task": 3600,
    "xieguan.core.tasks.audit_prune": 24 * 3600,
    "xieguan.core.tasks.sessions_prune": 24 * 3600,
    "xieguan.core.tasks.task_results_prune": 24 * 3600,
    "xieguan.reminders.tasks.send_reminders_task": 5 * 60,
    "xieguan.risk.tasks.risk_recompute_task": 24 * 3600,  # every unit rescored nightly (SPEC §14)
    # The indicators' rollup the county and the levels above read (indicators.rollups).
    "xieguan.indicators.tasks.rollup_current_task": 5 * 60,
    "xieguan.indicators.tasks.rollup_past_task": 3600,
}

# Security headers. The CSP allows no inline script and nothing from outside
# the app: government networks are closed, so every asset is served here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

HTTPS = env_bool("HTTPS", False)
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
CSRF_FAILURE_VIEW = "xieguan.core.errors.csrf_failure"

# Public complaint page (SPEC §6): per-address limits (Django's cache; the
# default local-memory cache needs no Redis) and the CAPTCHA's lifetime.
COMPLAINTS_SUBMIT_LIMIT = env_int("COMPLAINTS_SUBMIT_LIMIT", 10)  # sends per address per hour
COMPLAINTS_PIN_FAILURE_LIMIT = env_int("COMPLAINTS_PIN_FAILURE_LIMIT", 5)  # per address per 15 minutes
COMPLAINTS_CAPTCHA_SECONDS = 600
# Tests only: every CAPTCHA's answer is this text. Never set in production.
COMPLAINTS_CAPTCHA_FIXED: str | None = None
