"""Settings for the test suite: the project's own settings with a throwaway key and fast hashing."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-any-real-site")
os.environ.setdefault("SITE_URL", "https://gobiernofacil.test")
# The suite's newsroom is the demo's (a local .env from `dev.py run` is not read).
os.environ["NEWSROOM_IGNORE_DOTENV"] = "1"
os.environ.setdefault("SITE_NAME", "Gobierno Fácil")
os.environ.setdefault("SITE_TAGLINE", "Periodismo de datos")
os.environ.setdefault("TIME_ZONE", "America/Mexico_City")

from newsroom.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Serve static files from the source folders; tests never run collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Browser tests share the database with a live server thread; closing connections after each
# request lets pytest-django drop the PostgreSQL test database at the end.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# The test client speaks plain http to a site whose canonical address is https.
SECURE_SSL_REDIRECT = False
# Test runs sharing one Redis (CI, several worktrees) must not see each other's page cache;
# an explicit CACHE_KEY_PREFIX (the two-process test's servers) is kept.
if "KEY_PREFIX" in CACHES["default"] and "CACHE_KEY_PREFIX" not in os.environ:  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = f"test-{os.getpid()}"  # noqa: F405
