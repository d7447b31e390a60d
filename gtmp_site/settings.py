"""Settings for GTMP Market Insights, read from the environment.

Every setting a deployment may change is an environment variable; the names
are listed in README.md. Defaults are safe: debug is off and a secret key is
required unless DJANGO_DEBUG is on.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        # Fail closed: never run a production site with a guessable key.
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set: set it, or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-debug-on"

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "import_export",
    "axes",
    "dbbackup",
    "corsheaders",
    "gtmp_site.core",
    "gtmp_site",  # the project layer: the content loader, which spans every app
    "market",
    "companies",
    "faq",
    "therapies",
    "enquiries",
]

MIDDLEWARE = [
    # No wait for the database in a request lasts longer than DB_WAIT_SECONDS.
    "gtmp_site.core.http.DatabaseWaitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # The admin's pages are sent compressed (public ones are left to the caches).
    "gtmp_site.core.http.AdminGZipMiddleware",
    # A body larger than the site accepts is refused before anything reads it.
    "gtmp_site.core.http.BodyLimitMiddleware",
    # Above whitenoise, so static files carry the same headers as pages.
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "gtmp_site.core.http.ResourcePolicyMiddleware",
    # X-Frame-Options: DENY, but on embeds (gtmp_site/core/http.py).
    "gtmp_site.core.http.FramedAnywhereMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Cross-origin reads of the API and downloads (gtmp_site/cors.py); above the
    # content cache, so cached answers carry the headers too.
    "corsheaders.middleware.CorsMiddleware",
    # One cache change and one purge per writing request (gtmp_site/core/cache.py).
    "gtmp_site.core.cache.ChangesBatchedMiddleware",
    # Cached pages are served here, before sessions and users (gtmp_site/core/cache.py).
    "gtmp_site.core.cache.ContentCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # ETag on every GET and 304 on a matching If-None-Match (API and pages).
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lock-out into its 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gtmp_site.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "gtmp_site.wsgi.application"
ASGI_APPLICATION = "gtmp_site.asgi.application"

# Database: SQLite under var/ unless DATABASE_URL names another server.
(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")
}
# Persistent connections by default (seconds); 0 closes after each request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A database that does not answer fails the request within seconds (a 503, see
# gtmp_site/views.py) instead of holding a worker: connecting is bounded by
# DB_CONNECT_TIMEOUT, each wait for the server in a request by DB_WAIT_SECONDS
# (gtmp_site/core/postgresql), a statement on the server by DB_STATEMENT_TIMEOUT_MS,
# and a dead peer or network is noticed by TCP keepalives and tcp_user_timeout.
DB_CONNECT_TIMEOUT = env.int("DB_CONNECT_TIMEOUT", default=2)
DB_WAIT_SECONDS = env.float("DB_WAIT_SECONDS", default=2.0)
DB_STATEMENT_TIMEOUT_MS = env.int("DB_STATEMENT_TIMEOUT_MS", default=10_000)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "gtmp_site.core.postgresql"
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        connect_timeout=DB_CONNECT_TIMEOUT,
        options=f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS}",
        keepalives=1,
        keepalives_idle=10,
        keepalives_interval=2,
        keepalives_count=3,
        tcp_user_timeout=int(DB_WAIT_SECONDS * 1000),
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite as a web app needs it: readers never wait for a writer (WAL), a
    # transaction takes the write lock when it begins, so two writers queue
    # instead of one failing half-way ("database is locked"), and a writer waits
    # up to SQLITE_BUSY_TIMEOUT seconds for its turn.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=env.int("SQLITE_BUSY_TIMEOUT", default=20),
        transaction_mode="IMMEDIATE",
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    )

# Cache: Redis when REDIS_URL is set (shared by every worker and server),
# otherwise files under var/cache (shared by the workers of one server).
# A Redis that is down or slow degrades the cache to a miss, never a 500:
# django-redis ignores the error and gtmp_site.core logs it once a minute.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "gtmp",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    DJANGO_REDIS_LOGGER = "gtmp_site.cache"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env.path("CACHE_DIR", default=BASE_DIR / "var" / "cache"),
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# Chart.js and its annotation plugin come from the npm registry (package-lock.json),
# never from a CDN.
# Its whole dist/ is collected so that the source maps the scripts name are
# there: the manifest storage refuses a script whose source map is missing.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/chart.js", BASE_DIR / "node_modules" / "chart.js" / "dist"),
    (
        "vendor/chartjs-plugin-annotation",
        BASE_DIR / "node_modules" / "chartjs-plugin-annotation" / "dist",
    ),
]
BACKUP_DIR = env.path("BACKUP_DIR", default=BASE_DIR / "var" / "backups")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "dbbackup": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": BACKUP_DIR},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Longest a page or API read stays cached; any content change makes it stale
# at once (gtmp_site/core/cache.py), so this only bounds memory. Off with debug
# on, so a developer's template edits show at once.
CONTENT_CACHE_SECONDS = env.int("CONTENT_CACHE_SECONDS", default=0 if DEBUG else 24 * 3600)
# Cached responses each server process also keeps in its own memory, checked
# against the shared cache's overall version on every hit.
CONTENT_CACHE_LOCAL_BYTES = env.int("CONTENT_CACHE_LOCAL_BYTES", default=32 * 1024 * 1024)
# Varnish instances in front of the site (gtmp_site/varnish.vcl), e.g.
# http://127.0.0.1:6081/: every content change purges its keys from each.
VARNISH_URLS = env.list("VARNISH_URLS", default=[])
# Purges are sent from a thread of their own (never in an editor's request); one
# that fails is tried again for this long.
VARNISH_PURGE_TIMEOUT = env.float("VARNISH_PURGE_TIMEOUT", default=1)
VARNISH_PURGE_RETRY_SECONDS = env.int("VARNISH_PURGE_RETRY_SECONDS", default=300)
# Longest a shared HTTP cache (Varnish, a CDN) keeps a response (s-maxage):
# purges make it fresh at once; this bounds how stale a copy can be whose
# purges were all lost.
HTTP_CACHE_SECONDS = env.int("HTTP_CACHE_SECONDS", default=300)
# Counts an API read served from the cache against the client's budget.
CONTENT_CACHE_BUDGET = "gtmp_site.api.throttling.allow_cached_read"

# HTTPS and proxies. docs/deployment.md lists the production values; each is
# off by default so the site also runs on plain HTTP (development, tests).
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# How many reverse proxies in front of the site append to X-Forwarded-For.
# Client addresses (throttling, lock-outs) are read that many hops from the
# right; with 0 the header is ignored, so a client cannot forge its address.
TRUSTED_PROXIES = env.int("DJANGO_TRUSTED_PROXIES", default=0)
if env.bool("DJANGO_TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Response headers (docs/security.md): nosniff, no framing, no referrer
# across origins, COOP and CORP, a Permissions-Policy denying what the site
# never uses, and a Content-Security-Policy with no inline script anywhere.
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"
# Cross-origin reads (gtmp_site/cors.py, django-cors-headers): the API but its
# token login and documentation pages, and the downloads (data files, chart images) of a report, an
# edition or a segment. Any site may read these with GET and HEAD, and embed
# them (Cross-Origin-Resource-Policy: cross-origin); nothing else.
CORS_READ_PATHS = (
    r"^/(api/v1/(?!auth/|docs/|redoc/)"
    r"|reports/[^/]+/(.+/)?(data\.\w+|datapackage\.zip|report\.pdf|charts/[^/]+)$)"
)
CORS_URLS_REGEX = r"^(?!)"  # no path by itself: gtmp_site/cors.py decides per request
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = ["accept", "if-modified-since", "if-none-match"]
CORS_EXPOSE_HEADERS = ["Content-Disposition", "ETag", "Last-Modified", "Link"]
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media",
        "fullscreen", "geolocation", "gyroscope", "magnetometer", "microphone", "midi",
        "payment", "publickey-credentials-get", "screen-wake-lock", "usb",
        "xr-spatial-tracking",
    )
}  # fmt: skip
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Brute force: django-axes locks a username from an address after 5 failed
# logins (admin and API token) for 15 minutes; the right password is refused
# meanwhile. Each failure is logged.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# One address for the lock-out, the API budgets and logs (behind TRUSTED_PROXIES).
AXES_CLIENT_IP_CALLABLE = "gtmp_site.core.http.client_address"
AXES_LOCKOUT_TEMPLATE = "locked_out.html"
# Log the username and address of each failure (never the password).
AXES_SENSITIVE_PARAMETERS = []

# Backups: django-dbbackup (make backup / make restore, docs/operations.md),
# pg_dump/psql for PostgreSQL, an SQL dump for SQLite; the newest 10 are kept.
DBBACKUP_CLEANUP_KEEP = 10
# The PostgreSQL backend with bounded waits is PostgreSQL to pg_dump.
DBBACKUP_CONNECTOR_MAPPING = {
    "gtmp_site.core.postgresql": "dbbackup.db.postgresql.PgDumpBinaryConnector"
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "filters": {"once_a_minute": {"()": "gtmp_site.core.http.OncePerInterval"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        # A cache outage (django-redis ignores it) is logged once a minute.
        "gtmp_site.cache": {"level": "WARNING", "filters": ["once_a_minute"]},
        # Every failed login (django-axes).
        "axes": {"level": "INFO"},
        "axes.apps": {"level": "WARNING"},
        # django-dbbackup prints its own lines; once is enough.
        "dbbackup": {"propagate": False},
    },
    "root": {"handlers": ["stdout"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}

# API (Django REST framework); docs/api.md describes it for consumers.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=256 * 1024)
# The largest file upload (an admin import) a request may carry; any other body
# is bounded by Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB).
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=5 * 1024 * 1024)
# A second person (the Publishers group) reviews each edition before it goes public;
# a small team may turn that off (market/editions.py).
EDITIONS_REVIEW = env.bool("EDITIONS_REVIEW", default=True)
# How long a preview link for a reviewer without an account works (unless revoked).
SHARE_LINK_DAYS = env.int("SHARE_LINK_DAYS", default=7)
# A fact (figure, estimate, approval, company or product event) not checked against its source
# for longer than this is listed for editors on its report's admin page.
FACTS_STALE_AFTER_DAYS = env.int("FACTS_STALE_AFTER_DAYS", default=180)
# What one admin import takes (market/spreadsheets.py); the admin states it beside
# the file field. The file's size stays under UPLOAD_MAX_BYTES, so the editor sees
# the form's message rather than the 413 page.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=4 * 1024 * 1024)
IMPORT_MAX_UNPACKED_BYTES = env.int("IMPORT_MAX_UNPACKED_BYTES", default=40 * 1024 * 1024)
# 1,000 rows take about 10 s to preview and as long to confirm (docs/performance.md),
# well inside gunicorn's 30 s timeout.
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=1000)
REST_FRAMEWORK = {
    # Token first, so an anonymous write gets 401 with a WWW-Authenticate header.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Reads are public; writes follow the same model permissions as the admin.
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly"
    ],
    "DEFAULT_PAGINATION_CLASS": "gtmp_site.api.pagination.Pagination",
    "DEFAULT_FILTER_BACKENDS": [
        "gtmp_site.api.filtersets.KnownParameters",
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "gtmp_site.api.filtersets.StrictOrdering",
    ],
    "DEFAULT_PARSER_CLASSES": ["gtmp_site.api.parsers.LimitedJSONParser"],
    # JSON only: Swagger UI (/api/v1/docs/explorer/) is the interactive explorer. DRF's
    # browsable pages would need inline styles the CSP refuses (docs/decisions.md).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Budgets per client and endpoint, in the shared cache (gtmp_site/api/throttling.py).
    "DEFAULT_THROTTLE_CLASSES": ["gtmp_site.api.throttling.EndpointThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_ANON_RATE", default="120/minute"),
        "user": env.str("API_USER_RATE", default="1200/minute"),
        "login": env.str("API_LOGIN_RATE", default="10/minute"),
    },
    "EXCEPTION_HANDLER": "gtmp_site.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "gtmp_site.api.schema.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "GTMP Market Insights API",
    # Names and links every resource (tag) of TAGS: tests/test_api_schema.py checks it.
    "DESCRIPTION": (
        "Market reports on gene therapy medicinal products, as JSON. The resources: "
        "[reports](/api/v1/docs/#reports), with their headline figures, editions, what "
        "changed between two editions and the yearly forecast series; their "
        "[segments](/api/v1/docs/#segments), market [figures](/api/v1/docs/#figures) and "
        "other publishers' [estimates](/api/v1/docs/#estimates); the FDA-approved gene "
        "[therapies](/api/v1/docs/#therapies); the [companies](/api/v1/docs/#companies); "
        "the frequently asked questions ([faqs](/api/v1/docs/#faqs)); and, for editors, "
        "the [submissions](/api/v1/docs/#submissions) awaiting review and token login "
        "([auth](/api/v1/docs/#auth)). Beside them, each report's files: "
        "[downloads](/api/v1/docs/#downloads) as CSV, Excel, JSON, data packages and "
        "chart images.\n\n"
        "Reads are public and answer from each report's latest edition (`edition=` or "
        "`as_of=` for an older one); writes need an editor's token or session. Lists are "
        "paginated, filtered and ordered by query parameters; an unknown filter value or "
        "ordering field is a 400 naming the accepted ones. Any site may read (CORS).\n\n"
        "Documentation: the reference, [/api/v1/docs/](/api/v1/docs/); the guide, with "
        "examples, [/api/v1/docs/guide/](/api/v1/docs/guide/); the interactive explorer, "
        "[/api/v1/docs/explorer/](/api/v1/docs/explorer/); Redoc, "
        "[/api/v1/redoc/](/api/v1/redoc/); this schema, [/api/v1/schema/](/api/v1/schema/)."
    ),
    # One entry per resource, in the order the docs list them.
    "TAGS": [
        {
            "name": "reports",
            "description": "Market reports: headline figures, the stated "
            "and implied CAGR, other publishers' estimates (`estimates`: each with its "
            "publisher, scope, base and forecast values and CAGR), editions, what changed "
            "between two editions, and the yearly forecast series.",
        },
        {
            "name": "segments",
            "description": "A report's application segments (Cancer, "
            "Monogenic, ...), with their prose and companies.",
        },
        {
            "name": "figures",
            "description": "Market figures: one value per report, "
            "segment (or the whole market) and year, each with its kind and source.",
        },
        {
            "name": "estimates",
            "description": "Other publishers' estimates of related markets, which a "
            "report sets beside its own forecast: publisher, where and what each counts "
            "(`geography`, `breadth`), base and forecast values and years, CAGR, source. "
            "Filter by report, geography, breadth, publisher or year.",
        },
        {
            "name": "therapies",
            "description": "Gene therapies approved by the FDA: brand "
            "and proper names, indication, first approval, segment, modality, sponsor and "
            "holder, status, and the dated events since approval (`history`). Filter by "
            "segment, modality, company, status or year.",
        },
        {
            "name": "companies",
            "description": "Companies the reports name: status, "
            "successor, headquarters, segments, history and approved products.",
        },
        {"name": "faqs", "description": "Frequently asked questions, per report or site-wide."},
        {
            "name": "submissions",
            "description": "For editors: working copies put forward "
            "as their report's next edition, to publish or send back.",
        },
        {
            "name": "downloads",
            "description": "Not JSON resources but files, outside `/api/v1/`: each report's "
            "yearly series as CSV, Excel or JSON, every table as a Frictionless data "
            "package, and its charts as PNG or SVG; the latest edition's and each "
            "edition's. They name their edition and licence; any site may read them.",
        },
        {
            "name": "auth",
            "description": "For editors: exchange a user name and password for an API token.",
        },
    ],
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "gtmp_site.api.schema.describe_common_fields",
        "market.openapi.describe_downloads",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ReportStatusEnum": "market.models.Report.Status",
        "FigureKindEnum": "market.models.MarketFigure.Kind",
        "CompanyStatusEnum": "companies.models.Company.Status",
    },
}

# Readers' enquiries (enquiries/): where the e-mail about each goes, how many one
# address may send an hour, and how many days they are kept (purge_enquiries).
# E-mail goes to the console unless EMAIL_URL names an SMTP server
# (smtp+tls://user:password@host:587).
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="GTMP Market Insights <noreply@localhost>"
)
ENQUIRIES_TO = env.list("ENQUIRIES_TO", default=["editors@localhost"])
ENQUIRY_LIMIT = env.int("ENQUIRY_LIMIT", default=5)
ENQUIRY_RETENTION_DAYS = env.int("ENQUIRY_RETENTION_DAYS", default=180)
