"""Settings for the newsroom project.

Every difference between a laptop and production comes from environment variables (listed in
.env.example). With none set, the site runs on SQLite with a local-memory cache, which is what
the demo and the test suite need on a fresh machine.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def read_env_file(path: Path) -> None:
    """Take ``KEY=value`` lines from a local ``.env`` (``dev.py run`` writes the demo's) into
    the environment; variables already set win. NEWSROOM_IGNORE_DOTENV=1 skips it (tests)."""
    if os.environ.get("NEWSROOM_IGNORE_DOTENV") == "1" or not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        key, separator, value = line.strip().partition("=")
        if separator and key and not key.startswith("#"):
            os.environ.setdefault(key.strip(), value.strip().strip("\"'"))


read_env_file(BASE_DIR / ".env")


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no environment variable ("1", "true", "yes", "on" mean yes)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable into a list of non-empty items."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)

# Production refuses to start without a real key; development gets one that says what it is.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not env_bool("NEWSROOM_ALLOW_INSECURE_KEY"):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment, or set DEBUG=1 for local work."
        )
    SECRET_KEY = "django-insecure-development-only-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")

# The one canonical address of the public site: feeds, sitemaps, JSON-LD and e-mails build
# absolute URLs from it, never from the request's Host header.
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")
# A new newsroom is not the demo: neutral defaults (the demo's own live in dev.py's .env).
SITE_NAME = os.environ.get("SITE_NAME", "Newsroom")
SITE_TAGLINE = os.environ.get("SITE_TAGLINE", "")
# The byline of the newsroom itself (unsigned imported posts, the newsroom's own stories).
NEWSROOM_BYLINE = os.environ.get("NEWSROOM_BYLINE") or SITE_NAME

INSTALLED_APPS = [
    "articles.admin_config.NewsroomAdminConfig",  # django.contrib.admin, with the desk
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "taggit",
    "reversion",
    "axes",
    "articles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions and the rest: a cached page skips everything below it.
    "articles.caching.PageCacheMiddleware",
    # Below the page cache, so a cached page is still served while the database is down; above
    # everything that reads the database, whose failures it turns into the 503 page.
    "newsroom.unavailable.DatabaseUnavailableMiddleware",
    # Picks the database a request reads (the primary or DATABASE_REPLICA_URL's replica).
    "newsroom.replica.ReplicaMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "articles.middleware.ArticlePathRedirectMiddleware",
    "articles.wordpress_redirects.WordPressRedirectMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

# The public site's templates are Jinja2 (``jinja2/``), the admin's and the login's stay
# Django templates (``templates/``): one language per side, each template in one of them.
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "articles.jinja2_env.environment",
            "context_processors": ["articles.context_processors.site"],
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers keep reading while an editor saves; the busy timeout makes concurrent
    # writers wait for the lock instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with a health check that needs no round trip while the server has
    # said nothing (newsroom/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "newsroom.postgresql"
    # Parameters travel apart from the SQL, so a read's text is the same whatever it looks
    # for, and the reads that ask for it are prepared statements, planned once per connection
    # (articles/prepared_statements.py). psycopg prepares nothing by itself: a generic plan
    # can be far slower for a query whose best plan depends on its parameters (search).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=None
    )
# Off behind a pooler that cannot keep prepared statements (PgBouncer in transaction mode
# before 1.21).
DB_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", default=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The full-text index is derived data: backups leave it out, `rebuild_search_index` restores it.
DATABASE_ROUTERS = ["articles.search.SearchIndexRouter", "newsroom.replica.ReplicaRouter"]
# An optional read replica: readers' pages read from it, while the admin, every write and
# every read for REPLICA_LAG_SECONDS after any write use the primary (newsroom/replica.py).
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **dj_database_url.parse(
            DATABASE_REPLICA_URL,
            conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
            conn_health_checks=True,
        ),
        "ENGINE": DATABASES["default"]["ENGINE"],
        "OPTIONS": DATABASES["default"].get("OPTIONS", {}),
        # Tests have no replica of their own: the test database stands in for it.
        "TEST": {"MIRROR": "default"},
    }
REPLICA_LAG_SECONDS = int(os.environ.get("REPLICA_LAG_SECONDS", "10"))

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "newsroom.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "newsroom"),
            # A Redis that stops answering must cost a page half a second, not a hung worker.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# django-axes counts failed logins first; the model backend then checks the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# The page cache (articles/caching.py, docs/performance.md). Pages are dropped from it when
# content changes; the timeout is only a safety net. Browsers and CDNs get Cache-Control with
# these lifetimes (seconds); a CDN that is purged through CDN_PURGE_URL can keep pages longer.
PAGE_CACHE = env_bool("PAGE_CACHE", default=True)
PAGE_CACHE_TIMEOUT = int(os.environ.get("PAGE_CACHE_TIMEOUT", "3600"))
# Site-wide lists every page shares (the newest stories related stories come from) are kept in
# each process's memory until the next change readers can see (articles/tag_versions.py).
PER_GENERATION_MEMORY = env_bool("PER_GENERATION_MEMORY", default=True)
CACHE_BROWSER_MAX_AGE = int(os.environ.get("CACHE_BROWSER_MAX_AGE", "0"))
CACHE_SHARED_MAX_AGE = int(os.environ.get("CACHE_SHARED_MAX_AGE", "5"))
CACHE_STALE_WHILE_REVALIDATE = int(os.environ.get("CACHE_STALE_WHILE_REVALIDATE", "10"))
CDN_PURGE_URL = os.environ.get("CDN_PURGE_URL", "")
CDN_PURGE_TIMEOUT = float(os.environ.get("CDN_PURGE_TIMEOUT", "3"))

# Logging in happens on the admin's page, and lands on the admin (a refused "next" too).
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"
# Password-reset e-mails: printed on the console unless an SMTP server is configured.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "es")
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Uploads are served by Django only where nothing else serves them (the demo, a small install).
SERVE_MEDIA = env_bool("SERVE_MEDIA", default=DEBUG)
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
# Object storage (S3, MinIO, R2, Spaces) for uploads when a bucket is named; every instance
# then reads and writes the same originals and renditions (docs/images.md).
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    from botocore.config import Config as S3ClientConfig

    S3_TIMEOUT = float(os.environ.get("AWS_S3_TIMEOUT", "5"))
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
            # "path" for MinIO and other servers without a host name per bucket.
            # An unreachable store must cost an upload seconds, not a hung worker.
            "client_config": S3ClientConfig(
                s3={"addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE") or "auto"},
                connect_timeout=S3_TIMEOUT,
                read_timeout=S3_TIMEOUT,
                retries={"max_attempts": 2},
            ),
            # A CDN (or the bucket's public host) in front: media URLs are its own.
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            "url_protocol": os.environ.get("AWS_S3_URL_PROTOCOL", "https:"),
            # Public, cacheable URLs unless the bucket is private (then signed, expiring ones).
            "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", default=False),
            # Objects inherit the bucket's policy; no per-object ACL (many providers refuse it).
            "default_acl": None,
            "file_overwrite": False,
            # Stored names are random and a remade rendition gets a new one: cache forever.
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }

# Behind a TLS-terminating proxy (docker-compose, a PaaS) the proxy says the request was HTTPS.
if env_bool("BEHIND_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies stand in front of the app (each appends to X-Forwarded-For); the client's
# address is read from that header only on requests that come from TRUSTED_PROXY_NETWORKS
# (newsroom/security.py). One proxy behind BEHIND_TLS_PROXY unless said otherwise.
TRUSTED_PROXY_COUNT = int(
    os.environ.get("TRUSTED_PROXY_COUNT") or ("1" if env_bool("BEHIND_TLS_PROXY") else "0")
)
TRUSTED_PROXY_NETWORKS = env_list(
    "TRUSTED_PROXY_NETWORKS", "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7"
)
# A site whose canonical address is https is served only over https: plain requests are
# redirected (except the load balancer's health probes) and browsers are told to remember it.
SITE_IS_HTTPS = SITE_URL.startswith("https://")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=SITE_IS_HTTPS and not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = not DEBUG and env_bool("SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HSTS: a year on an https site in production; off in development, where there is no TLS.
SECURE_HSTS_SECONDS = int(
    os.environ.get("SECURE_HSTS_SECONDS", "31536000" if SITE_IS_HTTPS and not DEBUG else "0")
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
# Preloading is hard to undo (months to leave the browsers' list): an opt-in, not a default.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Content-Security-Policy for the public site and the admin alike: scripts and styles only from
# this site (the admin's scripts are files, never inline), no plugins, no framing, forms post
# only here. Story images may come from any https host an editor links.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "https:", *env_list("CSP_EXTRA_IMG_SRC")],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failures, a username is locked out
# from that address for AXES_COOLOFF_MINUTES; an address alone after failing with
# AXES_USERNAMES_PER_ADDRESS usernames, a username alone after failing from
# AXES_ADDRESSES_PER_USERNAME addresses (newsroom/security.py), so one person's typos never lock
# out the newsroom behind the same NAT. An administrator can unlock sooner in the admin
# ("Access attempts"). A success resets the count.
AXES_VERBOSE = False  # no banner on every manage.py command
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_USERNAMES_PER_ADDRESS = int(os.environ.get("AXES_USERNAMES_PER_ADDRESS", "20"))
AXES_ADDRESSES_PER_USERNAME = int(os.environ.get("AXES_ADDRESSES_PER_USERNAME", "10"))
AXES_LOCKOUT_PARAMETERS = "newsroom.security.lockout_parameters"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "newsroom.security.lockout_response"
# Behind proxies every request comes from a proxy; the client is the address they appended.
AXES_CLIENT_IP_CALLABLE = "newsroom.security.client_ip_address"

# Story bodies are editors' Markdown; a cap keeps one paste from becoming a denial of service.
ARTICLE_BODY_MAX_CHARS = int(os.environ.get("ARTICLE_BODY_MAX_CHARS", "200000"))
# A body that takes longer than this to render is refused (pathological nesting or brackets).
MARKDOWN_RENDER_SECONDS = float(os.environ.get("MARKDOWN_RENDER_SECONDS", "2"))
ARTICLES_PER_PAGE = int(os.environ.get("ARTICLES_PER_PAGE", "20"))
# List pages stop after this many pages (older stories are in the archive by year and month).
MAX_LIST_PAGES = int(os.environ.get("MAX_LIST_PAGES", "100"))
FEED_ITEMS = int(os.environ.get("FEED_ITEMS", "20"))
# Section, tag, author and organization pages with fewer published stories are too thin for
# search engines: they get "noindex" and stay out of the sitemap.
INDEX_MIN_STORIES = int(os.environ.get("INDEX_MIN_STORIES", "2"))

TAGGIT_CASE_INSENSITIVE = True


def tag_url(tag) -> str:
    """The public page of a taggit tag (Tag is not our model, so it gets its address here)."""
    from django.urls import reverse

    return reverse("articles:tag", kwargs={"slug": tag.slug})


ABSOLUTE_URL_OVERRIDES = {"taggit.tag": tag_url}

# Image uploads: files over the byte limit are refused before they are read in full; images
# whose header claims more pixels than the limit (decompression bombs) before they are decoded.
IMAGE_MAX_UPLOAD_BYTES = int(os.environ.get("IMAGE_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
IMAGE_MAX_PIXELS = int(os.environ.get("IMAGE_MAX_PIXELS", str(50_000_000)))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "newsroom.log.RequestContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s%(request_context)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_context"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
