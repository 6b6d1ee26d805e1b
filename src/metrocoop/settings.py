"""Django settings for MetroCoop.

Everything that differs between machines comes from the environment:
- DATABASE_URL: sqlite:///path or postgres://user@host:port/name (default: SQLite in METROCOOP_DATA_DIR)
- METROCOOP_PG_PREPARED: 0 behind a connection pooler in transaction mode (no prepared statements; default 1)
- METROCOOP_DATA_DIR: where the SQLite database, uploads and job results live (default: ./var)
- METROCOOP_SECRET_KEY: required outside demo mode
- METROCOOP_DEBUG=1: development only; the server refuses it outside demo mode
- METROCOOP_DEMO=1: set by `metrocoop demo`; allows the demo accounts and the built-in key
- METROCOOP_ALLOWED_HOSTS: comma-separated host names
- METROCOOP_HTTPS (default 1 in production): HTTPS redirect, secure cookies and HSTS; METROCOOP_BEHIND_PROXY=1
- METROCOOP_TOKEN_TTL_HOURS (default 24): API tokens older than this are refused; ask for a new one
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent.parent
DATA_DIR = Path(os.environ.get("METROCOOP_DATA_DIR", Path.cwd() / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEMO_MODE = os.environ.get("METROCOOP_DEMO") == "1"
DEBUG = os.environ.get("METROCOOP_DEBUG") == "1"
DEMO_SECRET_KEY = "metrocoop-demo-key-not-for-production-0123456789abcdef"
SECRET_KEY = os.environ.get("METROCOOP_SECRET_KEY") or DEMO_SECRET_KEY
ALLOWED_HOSTS = [h for h in os.environ.get("METROCOOP_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("METROCOOP_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "django_bootstrap5",
    "auditlog",
    "django_tasks",
    "django_tasks_db",
    "metrocoop.core",
    "metrocoop.ledger",
    "metrocoop.indicators",
    "metrocoop.council",
    "metrocoop.funds",
    "metrocoop.clearing",
    "metrocoop.policies",
    "metrocoop.standards",
    "metrocoop.investment",
    "metrocoop.forum",
    "metrocoop.spatial",
    "metrocoop.web",
]
# Our apps, in dependency order. Each may have api/urls.py (registers on the shared router), urls.py (pages under
# /<label>/, namespace <label>, with an "index" page), policies.py and demo_data.py (`load() -> str`): all found
# by name, so adding an app touches no shared file but this list.
METROCOOP_APPS = [a.removeprefix("metrocoop.") for a in INSTALLED_APPS if a.startswith("metrocoop.")]

MIDDLEWARE = [
    "metrocoop.core.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "metrocoop.core.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "metrocoop.core.downloads.TableExportMiddleware",
]

# Content-Security-Policy (django-csp): the platform serves every script, style, font and map itself, so scripts
# come only from our origin and no page has inline script or event-handler attributes (behaviour is in
# web/static/web/app.js: data-autosubmit, data-confirm). Inline *styles* stay allowed: ECharts' tooltips and
# htmx's indicator write style attributes. Frames, plugins and foreign form targets are refused.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

ROOT_URLCONF = "metrocoop.urls"
WSGI_APPLICATION = "metrocoop.wsgi.application"

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
                "metrocoop.web.context_processors.shell",
            ],
        },
    },
]

_default_db = f"sqlite:///{DATA_DIR / 'metrocoop.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while one writer commits; FULL so a committed row survives power loss.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    # Tests use a file, not a shared in-memory database: the live server, the task worker and the test each get
    # their own connection with SQLite's busy timeout, as in production (one file per test process).
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("METROCOOP_TEST_SQLITE") or str(DATA_DIR / f"test-{os.getpid()}.sqlite3")
    }
else:
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("METROCOOP_TEST_DB_NAME") or None}
    # A kept connection is checked before a request reuses it: after a PostgreSQL restart the next request
    # reconnects instead of failing on a dead socket. Django's own check is a `SELECT 1` per request; ours looks at
    # the socket first and costs no round trip (metrocoop.core.dbbackends.postgresql).
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["ENGINE"] = "metrocoop.core.dbbackends.postgresql"
    # Behind a pooler in transaction mode (PgBouncer), no statement may stay prepared on a connection.
    if os.environ.get("METROCOOP_PG_PREPARED", "1") == "0":
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None

# Computed views that change rarely are cached and invalidated by the services that change them (core.api.caching):
# Redis when METROCOOP_REDIS_URL is set (needs the `redis` package), else a table in the database itself (created by
# `createcachetable`, which `migrate` runs through core's migration), so SQLite alone still suffices.
if os.environ.get("METROCOOP_REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["METROCOOP_REDIS_URL"],
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "metrocoop_cache"}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
# Django's ModelBackend, reading the session's user with their role assignments in one query
# (core.api.authentication); Django's own stays listed so that sessions signed in under its name remain valid.
AUTHENTICATION_BACKENDS = [
    "metrocoop.core.api.authentication.ModelBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"  # each person lands on what awaits them; the dashboard stays at /
LOGOUT_REDIRECT_URL = "web:dashboard"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS: list = []  # each app has its own locale/ directory
LANGUAGE_COOKIE_NAME = "metrocoop_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"

# HTTPS only in production (a real METROCOOP_SECRET_KEY, neither demo nor debug): redirect, secure cookies, HSTS.
# The demo, development and the tests serve plain http on 127.0.0.1. METROCOOP_HTTPS=0 turns it off (e.g. a private
# network); METROCOOP_BEHIND_PROXY=1 trusts the proxy's X-Forwarded-Proto (nginx terminating TLS).
_PRODUCTION = not DEMO_MODE and not DEBUG and bool(os.environ.get("METROCOOP_SECRET_KEY"))
HTTPS_ONLY = os.environ.get("METROCOOP_HTTPS", "1" if _PRODUCTION else "0") == "1"
SECURE_SSL_REDIRECT = HTTPS_ONLY
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
SECURE_HSTS_SECONDS = int(os.environ.get("METROCOOP_HSTS_SECONDS", 31_536_000)) if HTTPS_ONLY else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_ONLY
SECURE_HSTS_PRELOAD = HTTPS_ONLY
if os.environ.get("METROCOOP_BEHIND_PROXY") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# API tokens expire (core.api.authentication); sign-in failures are counted in the cache (core.login_guard).
METROCOOP_TOKEN_TTL_HOURS = float(os.environ.get("METROCOOP_TOKEN_TTL_HOURS", 24))

# Free text and request bodies are bounded, so that no single request can hold a worker for seconds: every
# model TextField written through the API is at most METROCOOP_MAX_TEXT_CHARS characters (a policy document's full
# text fits; core.api.fields.BoundedTextField), and a JSON body at most METROCOOP_MAX_JSON_BYTES (413 beyond).
METROCOOP_MAX_TEXT_CHARS = int(os.environ.get("METROCOOP_MAX_TEXT_CHARS", 200_000))
METROCOOP_MAX_JSON_BYTES = int(os.environ.get("METROCOOP_MAX_JSON_BYTES", 10 * 1024 * 1024))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "metrocoop.core.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["metrocoop.core.api.permissions.CorePermission"],
    "DEFAULT_PARSER_CLASSES": [
        "metrocoop.core.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "metrocoop.core.api.pagination.StandardPagination",
    "DEFAULT_SCHEMA_CLASS": "metrocoop.core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "metrocoop.core.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "metrocoop.core.api.renderers.ORJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "MetroCoop API — 上海大都市圈协同平台",
    "DESCRIPTION": "REST API of MetroCoop. Token authentication: POST /api/auth/token/ then `Authorization: Token …`.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # every operation documents the error answers it can give, in one bilingual shape (core.api.schema)
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "metrocoop.core.api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "DomainEnum": "metrocoop.core.choices.Domain",
        "StandardDomainEnum": "metrocoop.standards.choices.StandardDomain",
        "SuggestionStatusEnum": "metrocoop.forum.choices.SuggestionStatus",
        "SuggestionCategoryEnum": "metrocoop.forum.choices.SuggestionCategory",
        "ProjectCategoryEnum": "metrocoop.funds.choices.ProjectCategory",
        "DeclineReasonEnum": "metrocoop.forum.choices.DeclineReason",
        "ReportReasonEnum": "metrocoop.forum.choices.ReportReason",
        "ResearchStatusEnum": "metrocoop.forum.choices.ResearchStatus",
        "SpatialFeatureKindEnum": "metrocoop.spatial.choices.FeatureKind",
        "SpatialRuleKindEnum": "metrocoop.spatial.choices.RuleKind",
        "SpatialConflictStatusEnum": "metrocoop.spatial.choices.ConflictStatus",
        "SpatialProjectKindEnum": "metrocoop.spatial.choices.ProjectKind",
        "SpatialProjectStatusEnum": "metrocoop.spatial.choices.ProjectStatus",
        "InvestmentLeadStatusEnum": "metrocoop.investment.choices.LeadStatus",
        "InvestmentConflictStatusEnum": "metrocoop.investment.choices.ConflictStatus",
    },
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_DISABLE_REMOTE_ADDR = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("METROCOOP_LOG_LEVEL", "WARNING")},
}

FORMAT_MODULE_PATH = ["metrocoop.formats"]

# One way to render every form (core/forms.py): django-bootstrap5, labels above fields, help text and errors beside
# them, a required mark drawn by the stylesheet from the wrapper's class; no placeholder copied from the label.
FORM_RENDERER = "metrocoop.core.forms.HouseFormRenderer"
BOOTSTRAP5 = {
    "required_css_class": "mc-required",
    "error_css_class": "mc-has-error",
    "set_placeholder": False,
}

EMAIL_BACKEND = os.environ.get("METROCOOP_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = DATA_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("METROCOOP_FROM_EMAIL", "metrocoop@localhost")
