"""Settings for partnering, read from the environment only.

Development works with no configuration (SQLite, DEBUG on). Production sets
DEBUG=false, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL; with DEBUG off the
secure defaults below make `partnering check --deploy` pass with no warnings.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from partnering.env import env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(env_str("PARTNERING_HOME", str(Path.cwd())))
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", True)

_DEV_SECRET = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY") or (_DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "partnering.core",
    "partnering.accounts",
    "partnering.arrangements",
    "partnering.assessments",
    "partnering.actions",
    "partnering.risks",
    "partnering.charter",
    "partnering.board",
    "partnering.concerns",
    "partnering.relationships",
    "partnering.finance",
    "partnering.api",
    "partnering.kpis",
    "partnering.portfolio",
    "partnering.lessons",
    "partnering.exit",
    "partnering.archive",
    "partnering.procurement",
    "partnering.tasks",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_htmx",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    # First: it times everything after it and tags every response, redirects included.
    "partnering.core.requestlog.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Answers to signed-in requests leave with `Cache-Control: private, no-store`.
    "partnering.core.cachecontrol.PrivateResponsesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # PostgreSQL cannot take a NUL in a filter: drop it before any view reads the query.
    "partnering.core.querystring.DropNulFromQueryMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # The GOV.UK-style 404 page under DEBUG too (DEBUG_ERROR_PAGES=true gives Django's).
    "partnering.core.errors.ErrorPagesInDevelopmentMiddleware",
    "partnering.accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "partnering.core.audit.ActorMiddleware",
    # Counts writes under an arrangement's URL, so that cached portfolio rows are retired.
    "partnering.portfolio.middleware.ActivityMiddleware",
    # Last, so that it turns a sign-in refused for too many failures into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "partnering.urls"
WSGI_APPLICATION = "partnering.wsgi.application"

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
                "partnering.core.context_processors.service",
            ],
            "builtins": ["partnering.core.templatetags.govuk"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'partnering.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let readers and one writer work side by side
    # instead of failing with "database is locked" under concurrent use.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Kept open between requests like PostgreSQL's (DB_CONN_MAX_AGE): opening the file and
    # setting the pragmas on every request cost more than a bare page.
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses any sign-in while the e-mail address and IP address are locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Signs nobody in unless OIDC is configured below (it acts only in the SSO callback).
    "partnering.accounts.sso.SsoBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"  # what is waiting for the person (tasks.views.home)
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["partnering.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and not env_bool("PARTNERING_TESTING", False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Uploaded spreadsheets are checked before anything parses them (core/uploads.py): the file's
# size, what its ZIP would unpack to, each large member's compression ratio, its number of
# members, and how far its rows and columns reach.
UPLOAD_MAX_MB = env_int("UPLOAD_MAX_MB", 5)
UPLOAD_MAX_UNCOMPRESSED_MB = env_int("UPLOAD_MAX_UNCOMPRESSED_MB", 50)
UPLOAD_MAX_COMPRESSION_RATIO = env_int("UPLOAD_MAX_COMPRESSION_RATIO", 100)
UPLOAD_MAX_ZIP_MEMBERS = env_int("UPLOAD_MAX_ZIP_MEMBERS", 1000)
UPLOAD_MAX_ROWS = env_int("UPLOAD_MAX_ROWS", 50_000)
UPLOAD_MAX_COLUMNS = env_int("UPLOAD_MAX_COLUMNS", 256)

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "partnering <noreply@partnering.invalid>")

# -- Caches (issue 16) -------------------------------------------------------------------------
# They hold only what can be worked out again (portfolio rows under their arrangement's write
# counter, rendered charts, and pages kept for their reader by core.pagecache), so losing them
# costs time, never data. By default each worker keeps its own, in its memory: the default cache
# bounded in entries (Django's 300 would be culled by one department's portfolio), the page cache
# in entries and in bytes (core.bytecache), each page compressed.
# CACHE_URL (redis://host:6379/0) puts both in Redis instead, shared by every worker of every app
# server: a page kept by one server is served by the next, and a write through any retires it (the
# write counters are in the database). Redis bounds itself: set its maxmemory and
# `maxmemory-policy allkeys-lru`. CACHE_KEY_PREFIX keeps two deployments sharing a Redis apart.
CACHE_URL = env_str("CACHE_URL").strip()
CACHE_KEY_PREFIX = env_str("CACHE_KEY_PREFIX", "partnering")
# Seconds a rendered page is kept at most (see core.pagecache); 0 turns the page cache off.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 300)
# Bytes each worker's page cache may hold (locmem only), and the largest page or API list it keeps
# (compressed); a larger one is rendered every time.
PAGE_CACHE_MAX_BYTES = env_int("PAGE_CACHE_MAX_BYTES", 32 * 1024 * 1024)
PAGE_CACHE_MAX_ENTRY_BYTES = env_int("PAGE_CACHE_MAX_ENTRY_BYTES", 256 * 1024)
# `X-Page-Cache: hit` or `miss` on each page the cache could serve: for tests and diagnosis only.
PAGE_CACHE_HEADER = env_bool("PAGE_CACHE_HEADER", False)
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"CACHE_URL must be a redis://, rediss:// or unix:// URL, not {CACHE_URL!r}")
    # Fail fast when Redis does not answer, rather than hold a worker for the OS's TCP timeout.
    _REDIS_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 2, "health_check_interval": 30}
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": _REDIS_OPTIONS,
        },
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": f"{CACHE_KEY_PREFIX}:pages",
            "OPTIONS": _REDIS_OPTIONS,
        },
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 10_000)},
        },
        "pages": {
            "BACKEND": "partnering.core.bytecache.BytesBoundedLocMemCache",
            "LOCATION": "pages",
            "OPTIONS": {"MAX_ENTRIES": env_int("PAGE_CACHE_ENTRIES", 500), "MAX_BYTES": PAGE_CACHE_MAX_BYTES},
        },
    }
# -- end of caches ----------------------------------------------------------------------------
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Behind a reverse proxy that terminates TLS and sets this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "partnering.accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "partnering.api.permissions.TokenScopeAllowsMethod",
    ],
    "EXCEPTION_HANDLER": "partnering.api.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "partnering.api.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "partnering API",
    "DESCRIPTION": (
        "REST API of partnering. Authenticate with a personal access token: "
        "`Authorization: Bearer <token>`. Every response obeys the arrangement's "
        "access policy and degree of openness."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The errors every operation can answer (400/401/403/404/409), documented once.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "partnering.api.schema.document_error_responses",
    ],
    # One name per choice set that several serializers share.
    "ENUM_NAME_OVERRIDES": {
        "EscalationLevelEnum": "partnering.concerns.models.Level",
    },
}

# Logs go to standard output: one JSON object per line in production (LOG_FORMAT=json, the
# default when DEBUG is off), readable text in development. core/requestlog.py adds one line per
# request and stamps every line logged during a request with its id.
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json").strip().lower()
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "partnering.core.requestlog.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "partnering.core.requestlog.json_formatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            # Management commands log to standard error (cli.py sets LOG_STREAM), servers to stdout.
            "stream": "ext://sys.stderr" if env_str("LOG_STREAM") == "stderr" else "ext://sys.stdout",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one e-mail
# address from one IP address, that combination is refused for AXES_COOLOFF_MINUTES. Locking by
# the pair, not the IP address alone, means one attacker cannot lock out a whole office behind
# one NAT address, nor lock a person out from everywhere.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "partnering.accounts.lockout.username_for_lockout"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_DISABLE_ACCESS_LOG = True  # failures are what lockout needs; no log of every sign-in
# Behind a reverse proxy REMOTE_ADDR is the proxy: name the header it sets and how many proxies
# there are, e.g. AXES_IPWARE_META_PRECEDENCE_ORDER=HTTP_X_FORWARDED_FOR and AXES_IPWARE_PROXY_COUNT=1.
AXES_IPWARE_META_PRECEDENCE_ORDER = env_list("AXES_IPWARE_META_PRECEDENCE_ORDER", ["REMOTE_ADDR"])
AXES_IPWARE_PROXY_COUNT = env_int("AXES_IPWARE_PROXY_COUNT", 0) or None

# Two-factor sign-in (django-otp): the issuer names the service in authenticator apps.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Partnering")

# Single sign-on through OpenID Connect (mozilla-django-oidc): off unless OIDC_RP_CLIENT_ID is set,
# with either the provider's discovery document or its endpoints one by one.
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET")
OIDC_OP_DISCOVERY_URL = env_str("OIDC_OP_DISCOVERY_URL")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT")
OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", "openid email profile")
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10)
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:sso_callback"
if (
    OIDC_RP_CLIENT_ID
    and not OIDC_OP_DISCOVERY_URL
    and not (OIDC_OP_AUTHORIZATION_ENDPOINT and OIDC_OP_TOKEN_ENDPOINT and OIDC_OP_USER_ENDPOINT)
):
    raise ImproperlyConfigured(
        "OIDC_RP_CLIENT_ID is set: set OIDC_OP_DISCOVERY_URL, or OIDC_OP_AUTHORIZATION_ENDPOINT, "
        "OIDC_OP_TOKEN_ENDPOINT and OIDC_OP_USER_ENDPOINT."
    )

SILENCED_SYSTEM_CHECKS: list[str] = []

# -- Issue 15: error pages in development, the accessibility statement ------------------------
# Under DEBUG a 404 is still the service's own page (core/errors.py); set DEBUG_ERROR_PAGES=true
# for Django's technical 404 page, which lists the URL patterns.
DEBUG_ERROR_PAGES = env_bool("DEBUG_ERROR_PAGES", False)
# The accessibility statement's contact for problems and other formats (core/accessibility.html).
ACCESSIBILITY_CONTACT_EMAIL = env_str("ACCESSIBILITY_CONTACT_EMAIL")
