import importlib
import os
import time
import uuid
from functools import partial
from pathlib import Path

import pytest

from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, OrganizationFactory

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = PROJECT_ROOT.parent / "shared" / "corpus" / "jekyll-gobiernofacil"


@pytest.fixture
def corpus_dir():
    """The real Jekyll blog from ../shared; skipped where it is absent (a user's own clone)."""
    if not CORPUS_DIR.is_dir():
        pytest.skip(f"the Jekyll corpus is not at {CORPUS_DIR} (it ships beside the repo in CI)")
    return CORPUS_DIR


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed():``: the changes made inside behave as a committed transaction, and
    their on-commit work (a story's stored pieces, ...) runs when the block ends. A test runs
    in a transaction that never commits, so without it that work never runs."""
    return partial(django_capture_on_commit_callbacks, execute=True)


@pytest.fixture
def demo(db):
    """The demo newsroom exactly as ``manage.py load_demo`` builds it."""
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)
    from articles.management.commands.load_demo import REFERENCE_STORY
    from articles.models import Article

    return Article.objects.get(slug=REFERENCE_STORY)


@pytest.fixture
def illustrated_demo(demo):
    """The demo newsroom in every state its pages can show: its fronts and lead images, an
    author photo in the reference story's byline, and the breaking-news banner on for it."""
    from django.core.files.base import ContentFile

    from articles.models import BreakingNews
    from tests.factories import image_bytes

    author = demo.bylines.get().author
    author.photo.save("gobierno-facil.png", ContentFile(image_bytes("PNG", size=(96, 96))))
    BreakingNews.objects.create(article=demo, label="Última hora")
    return demo


@pytest.fixture
def rich_story_factory(db):
    """Make a published story with 3 authors, 5 tags and 5 organizations (for query counts)."""

    def make(**kwargs):
        authors = AuthorFactory.create_batch(3)
        organizations = OrganizationFactory.create_batch(5)
        return ArticleFactory(
            authors=authors,
            tags=[f"tema-{n}" for n in range(5)],
            organizations=organizations,
            **kwargs,
        )

    return make


@pytest.fixture
def reporter(db):
    """A user in the Reporter group, with an author profile of their own."""
    from tests.factories import ReporterFactory

    return ReporterFactory()


@pytest.fixture
def editor(db):
    """A user in the Editor group."""
    from tests.factories import EditorFactory

    return EditorFactory()


@pytest.fixture
def editor_client(client, db):
    """A test client logged in to the admin as a superuser: every admin page is open to it."""
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def roles():
    """The groups of the role migration, again: the flush after a transactional test removes them."""
    from django.contrib.auth.models import Group, Permission

    from articles import roles

    migration = importlib.import_module("articles.migrations.0005_roles")
    for english, labels in migration.ROLES.items():
        name = roles.ENGLISH_NAMES[english]
        if name in roles.PUBLISH_ANYWAY:
            labels = [*labels, "articles.publish_anyway"]
        group, _created = Group.objects.get_or_create(name=name)
        for label in labels:
            app_label, codename = label.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    # Later migrations that change what the roles may do.
    from django.apps import apps

    importlib.import_module(
        "articles.migrations.0012_links_and_tag_creation"
    ).let_the_desk_create_tags(apps, None)
    fronts = importlib.import_module("articles.migrations.0015_fronts")
    for name in roles.PUBLISH_ANYWAY:  # the groups that publish
        Group.objects.get(name=name).permissions.add(
            *Permission.objects.filter(
                content_type__app_label="articles", codename__in=fronts.FRONT_PERMISSIONS
            )
        )


@pytest.fixture
def section(db):
    return CategoryFactory(name="Transparencia", slug="transparencia")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploads in tests go to a temporary folder, never the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def chromium():
    """One Debian chromium for the whole session (Playwright); tests open their own contexts."""
    if not CHROMIUM.exists():
        pytest.skip(f"chromium is not installed at {CHROMIUM}")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _no_cached_pages(monkeypatch):
    """Every test starts with no cached pages, no remembered lists and no mirror of changes:
    its database is new (its change numbers start again), the cache and the process are not."""
    from articles import caching, tag_versions

    monkeypatch.setattr(caching, "KEY_NAMESPACE", f"pages-{uuid.uuid4().hex}")
    tag_versions.forget_remembered()
    tag_versions.stop_listening()
    _forget_version_copies()


def _forget_version_copies():
    """Drop the cache's copies of the tags' versions (``tag_versions.CACHE_KEY``): an earlier
    test's copy holds a number of its own database, which may be above this one's, and with
    the database down a copy decides whether a stored page is served."""
    from fnmatch import fnmatchcase

    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    from articles import tag_versions

    cache = caches["default"]
    pattern = cache.make_key(tag_versions.CACHE_KEY.format("*"))
    if isinstance(cache, LocMemCache):
        with cache._lock:
            for key in [key for key in cache._cache if fnmatchcase(key, pattern)]:
                cache._delete(key)
    else:  # Redis: only this run's keys (its KEY_PREFIX)
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=pattern))
        if keys:
            client.delete(*keys)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, and at the end no stray session left to block dropping it.

    The live server used by browser tests can leave a request thread's PostgreSQL session open
    after the server stops (pytest-django issue 429); it is ended before the database is dropped.
    """
    yield
    from django.db import connection

    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


@pytest.fixture(autouse=True)
def _browser_requests_finish_before_flush(request):
    """Browser tests: let the live server finish what the closed page asked for before the
    database is flushed, or PostgreSQL's TRUNCATE can deadlock with that last request.

    A request inside an atomic block (every admin form view) shows as "idle in transaction"
    between its queries while still holding row locks, so those count as busy too. Once the
    database has been quiet for a few checks in a row, the live server's leftover idle sessions
    are ended so that none of them can take a lock while the flush runs.
    """
    if "browser" not in request.keywords:
        yield
        return
    request.getfixturevalue("transactional_db")  # so this teardown runs before the flush
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    others = "datname = current_database() AND pid <> pg_backend_pid()"
    deadline = time.monotonic() + 15
    quiet_checks = 0
    with connection.cursor() as cursor:
        while time.monotonic() < deadline and quiet_checks < 4:
            cursor.execute(
                f"SELECT count(*) FROM pg_stat_activity WHERE {others} AND state <> 'idle'"
            )
            quiet_checks = quiet_checks + 1 if cursor.fetchone()[0] == 0 else 0
            time.sleep(0.05)
        cursor.execute(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE {others}")
