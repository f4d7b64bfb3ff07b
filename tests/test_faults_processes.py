"""Faults of a running site, each on service processes of the test's own (a PostgreSQL cluster
in a temporary folder, a redis-server, gunicorn): Redis gone and back, PostgreSQL gone and
back, a worker killed with SIGKILL in the middle of an editor's save."""

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

import psycopg
import pytest

from tests.conftest import PROJECT_ROOT
from tests.services import (
    AppInstance,
    PostgresCluster,
    RedisServer,
    admin_post,
    free_port,
    get,
    manage,
    site_environment,
)
from tests.test_caching_processes import admin_session

pytestmark = pytest.mark.slow

SEED = """
import django
django.setup()
from tests.factories import ArticleFactory, AuthorFactory, UserFactory
UserFactory(username="editora", is_staff=True, is_superuser=True)
for n in range(3):
    ArticleFactory(headline=f"Nota {n}", slug=f"nota-{n}", tags=["agua"])
"""


@dataclass
class Services:
    cluster: PostgresCluster
    redis: RedisServer
    env: dict


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    """A PostgreSQL cluster and a redis-server of this module's own, migrated and seeded."""
    root = tmp_path_factory.mktemp("faults")
    cluster = PostgresCluster(free_port())
    cluster.start()
    redis = RedisServer(free_port(), root / "redis")
    redis.start()
    try:
        env = site_environment(
            DATABASE_URL=cluster.create_database(),
            REDIS_URL=redis.url(),
            CACHE_KEY_PREFIX="faults",
        )
        manage(env, "migrate", "--no-input", "-v0")
        subprocess.run([sys.executable, "-c", SEED], env=env, cwd=PROJECT_ROOT, check=True)
        yield Services(cluster, redis, env)
    finally:
        redis.stop()
        cluster.stop()
        cluster.remove()


@pytest.fixture
def app(services):
    """One gunicorn instance of the site on the module's services."""
    instance = AppInstance(services.env)
    instance.start()
    yield instance
    instance.stop()


def path_of(base: str, slug: str) -> str:
    """A story's address, found on the home page (its section and date are in it)."""
    _status, _headers, home = get(f"{base}/")
    return re.search(rf'href="(/[^"]*/{slug}/)"', home).group(1)


def stored_pages(redis: RedisServer) -> int:
    import redis as redis_client

    return len(list(redis_client.Redis(port=redis.port).scan_iter(match="*pages:page:*")))


def story_id(services, slug) -> int:
    with psycopg.connect(services.env["DATABASE_URL"]) as database:
        return database.execute(
            "SELECT id FROM articles_article WHERE slug = %s", [slug]
        ).fetchone()[0]


def test_redis_gone_pages_are_served_uncached_and_caching_resumes_without_stale_pages(
    services, app
):
    base = app.base
    nota = path_of(base, "nota-0")
    assert get(f"{base}/")[0] == 200
    assert stored_pages(services.redis) >= 1

    services.redis.stop()
    try:
        for path in ["/", nota, "/feeds/rss/", "/sitemap.xml", "/admin/login/"]:
            started = time.monotonic()
            assert get(f"{base}{path}")[0] == 200, path
            assert time.monotonic() - started < 3, path
        assert get(f"{base}/healthz")[0] == 200
        status, _headers, body = get(f"{base}/readyz")
        assert status == 200 and '"cache": "failing"' in body and '"degraded"' in body
    finally:
        services.redis.start()

    # The cache leaves Redis alone for a few seconds after an error, then stores pages again.
    deadline = time.monotonic() + 10
    while stored_pages(services.redis) == 0 and time.monotonic() < deadline:
        get(f"{base}/")
        time.sleep(0.5)
    assert stored_pages(services.redis) >= 1
    assert '"status": "ok"' in get(f"{base}/readyz")[2]

    opener, cookies = admin_session(base, "editora", "correct horse battery")
    admin_post(
        opener,
        cookies,
        base,
        f"/admin/articles/article/{story_id(services, 'nota-0')}/correct/",
        text="La presa tiene 40 años, no 30.",
    )
    assert "La presa tiene 40 años" in get(f"{base}{nota}")[2]


def test_postgres_gone_readers_get_a_503_while_cached_pages_stay_and_the_site_recovers(
    services, app
):
    base = app.base
    home_before = get(f"{base}/")[2]
    get(f"{base}/")  # stored
    nota = path_of(base, "nota-1")
    worker_before = app.worker_pids()

    services.cluster.stop()
    try:
        status, _headers, home = get(f"{base}/")
        assert status == 200 and home == home_before
        status, headers, page = get(f"{base}{nota}")
        assert status == 503
        assert headers["Retry-After"] == "30"
        assert 'lang="es"' in page and "Volvemos en un momento" in page
        assert 'href="/static/css/error.css"' in page
        assert "no-store" in headers["Cache-Control"]
        status, _headers, body = get(f"{base}/readyz")
        assert status == 503 and '"database": "failing"' in body
        assert get(f"{base}/healthz")[0] == 200
    finally:
        services.cluster.start()

    status, _headers, page = get(f"{base}{nota}")
    assert status == 200 and "Nota 1" in page
    assert get(f"{base}/readyz")[0] == 200
    assert app.worker_pids() == worker_before  # recovered without restarting anything


def test_a_worker_killed_mid_save_leaves_nothing_half_saved_and_others_are_served(services):
    first, second = AppInstance(services.env), AppInstance(services.env)
    first.start()
    second.start()
    try:
        pk = story_id(services, "nota-2")
        opener, cookies = admin_session(first.base, "editora", "correct horse battery")
        form = admin_change_form(services, pk)
        with psycopg.connect(services.env["DATABASE_URL"]) as locker:
            # Hold the byline row: the save updates the story row first, then waits here.
            locker.execute("SELECT * FROM articles_byline WHERE article_id = %s FOR UPDATE", [pk])
            saving = threading.Thread(
                target=lambda: _ignore_errors(
                    admin_post,
                    opener,
                    cookies,
                    first.base,
                    f"/admin/articles/article/{pk}/change/",
                    **form,
                ),
            )
            saving.start()
            wait_for_lock_wait(services)
            [worker] = first.worker_pids()
            os.kill(worker, signal.SIGKILL)
            saving.join(timeout=30)
            # The other instance kept serving while the save hung and died.
            assert get(f"{second.base}/")[0] == 200
            locker.rollback()

        with psycopg.connect(services.env["DATABASE_URL"]) as database:
            headline = database.execute(
                "SELECT headline FROM articles_article WHERE id = %s", [pk]
            ).fetchone()[0]
            roles = database.execute(
                "SELECT role FROM articles_byline WHERE article_id = %s", [pk]
            ).fetchall()
            tags = database.execute(
                "SELECT t.name FROM taggit_tag t JOIN articles_taggedarticle l"
                " ON l.tag_id = t.id WHERE l.content_object_id = %s",
                [pk],
            ).fetchall()
            recorded = database.execute(
                "SELECT count(*) FROM reversion_version WHERE object_repr LIKE %s",
                ["%A medias%"],
            ).fetchone()[0]
        assert headline == "Nota 2"
        assert roles == [("",)]
        assert tags == [("agua",)]
        assert recorded == 0
        # The master replaced the killed worker: the instance serves again.
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and get(f"{first.base}/healthz")[0] != 200:
            time.sleep(0.2)
        assert get(f"{first.base}/")[0] == 200
    finally:
        first.stop()
        second.stop()


def _ignore_errors(function, *args, **kwargs):
    # The worker dies under this request: the connection is cut, nothing is answered.
    with contextlib.suppress(OSError):
        function(*args, **kwargs)


def wait_for_lock_wait(services, timeout=20):
    """Return once a database session waits for a lock (the save is in the middle)."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(services.env["DATABASE_URL"], autocommit=True) as watcher:
        while time.monotonic() < deadline:
            waiting = watcher.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            ).fetchone()[0]
            if waiting:
                return
            time.sleep(0.05)
    pytest.fail("the save never reached the locked byline")


def admin_change_form(services, pk) -> dict:
    """The story's change form, changed in the story row, its byline and its tags."""
    with psycopg.connect(services.env["DATABASE_URL"]) as database:
        story = database.execute(
            "SELECT slug, dek, body, summary, status, published_at, category_id"
            " FROM articles_article WHERE id = %s",
            [pk],
        ).fetchone()
        byline = database.execute(
            "SELECT id, author_id, position FROM articles_byline WHERE article_id = %s", [pk]
        ).fetchone()
    slug, dek, body, summary, status, published_at, category_id = story
    return {
        "headline": "A medias",
        "slug": slug,
        "dek": dek,
        "body": body,
        "summary": summary,
        "status": status,
        "published_at_0": published_at.strftime("%Y-%m-%d"),
        "published_at_1": published_at.strftime("%H:%M:%S"),
        "category": category_id,
        "tags": "agua, sequía",
        "listed": "on",
        "in_sitemaps": "on",
        "bylines-TOTAL_FORMS": 1,
        "bylines-INITIAL_FORMS": 1,
        "bylines-MIN_NUM_FORMS": 0,
        "bylines-MAX_NUM_FORMS": 1000,
        "bylines-0-id": byline[0],
        "bylines-0-article": pk,
        "bylines-0-author": byline[1],
        "bylines-0-position": byline[2],
        "bylines-0-role": "data",
    }
