"""On PostgreSQL a cached page asks nothing of the database: each process listens for the
changes' notices and checks pages against what it was told (``articles/tag_mirror.py``), and
reads the database whenever it cannot be sure (a lost listening connection, a skipped notice).

The desk works in a process of its own, as an editor's save on another app server does.
"""

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from articles import tag_mirror, tag_versions
from tests.conftest import PROJECT_ROOT
from tests.factories import ArticleFactory, CategoryFactory
from tests.test_cache_durability import last_modified, the_desk
from tests.test_caching_processes import (
    fetch,
    free_port,
    shared_database_url,
    wait_until_serving,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the mirror listens to PostgreSQL; SQLite reads its own file")
    # No periodic read of the database in these tests: what the mirror knows, it was told.
    monkeypatch.setattr(tag_mirror, "CHECK_INTERVAL", 3600)
    monkeypatch.setattr(tag_mirror, "RETRY_INTERVAL", 0)


@pytest.fixture
def two_stories():
    story = ArticleFactory(headline="El agua de la ciudad", category=CategoryFactory(slug="agua"))
    other = ArticleFactory(headline="El clásico", category=CategoryFactory(slug="deportes"))
    return story, other


def desk_env(tmp_path):
    """The environment of a process of the desk's own, on the test database."""
    return dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=shared_database_url(tmp_path),
        PYTHONPATH=str(PROJECT_ROOT),
    )


def edit_headline(tmp_path, story, headline):
    the_desk(
        desk_env(tmp_path),
        "from articles.models import Article\n"
        f"story = Article.objects.get(pk={story.pk})\n"
        f"story.headline = {headline!r}\n"
        "story.save()\n",
    )


def get(client, url, django_assert_max_num_queries):
    """The page, how it was answered, and the queries Django's connection made for it."""
    with django_assert_max_num_queries(100) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, [query["sql"] for query in queries.captured_queries]


def test_a_cached_page_makes_no_query_and_a_rendered_one_reads_no_version(
    client, two_stories, django_assert_max_num_queries
):
    story = two_stories[0]
    response, queries = get(client, story.get_absolute_url(), django_assert_max_num_queries)
    assert response["X-Page-Cache"] == "miss"
    assert not [sql for sql in queries if tag_versions.TABLE in sql]

    reads = tag_versions._mirror.reads
    response, queries = get(client, story.get_absolute_url(), django_assert_max_num_queries)
    assert response["X-Page-Cache"] == "hit"
    assert queries == []
    assert tag_versions._mirror.reads == reads  # nor did the listening connection


def test_a_change_on_another_process_refreshes_its_page_and_leaves_the_other_stored(
    tmp_path, client, two_stories, django_assert_max_num_queries
):
    story, other = two_stories
    for url in (story.get_absolute_url(), other.get_absolute_url()) * 2:
        client.get(url)
    reads = tag_versions._mirror.reads

    edit_headline(tmp_path, story, "El agua de la ciudad, corregida")

    response, _ = get(client, story.get_absolute_url(), django_assert_max_num_queries)
    assert response["X-Page-Cache"] == "miss"
    assert "la ciudad, corregida" in response.content.decode()
    response, queries = get(client, other.get_absolute_url(), django_assert_max_num_queries)
    assert response["X-Page-Cache"] == "hit" and queries == []
    assert tag_versions._mirror.reads == reads  # told by the notice, not read


def test_a_notice_too_long_makes_the_mirror_read_what_moved(
    tmp_path, client, two_stories, django_assert_max_num_queries
):
    story, other = two_stories
    for url in (story.get_absolute_url(), other.get_absolute_url()) * 2:
        client.get(url)
    reads = tag_versions._mirror.reads

    # Ten thousand bytes of tags: the notice carries only the change's number.
    many = [f"tag:{number}:stories" for number in range(600)]
    the_desk(
        desk_env(tmp_path),
        "from django.db import transaction\n"
        "from articles import page_tags, tag_versions\n"
        "with transaction.atomic():\n"
        f"    tag_versions.bump({many!r} + [page_tags.story({story.pk})])\n",
    )

    response, _ = get(client, story.get_absolute_url(), django_assert_max_num_queries)
    assert response["X-Page-Cache"] == "miss"
    assert tag_versions._mirror.reads == reads + 1
    response, queries = get(client, other.get_absolute_url(), django_assert_max_num_queries)
    assert response["X-Page-Cache"] == "hit" and queries == []


def test_a_notice_still_on_its_way_serves_no_stale_page_once_the_writer_told_the_cache(
    tmp_path, client, two_stories, django_assert_max_num_queries, settings
):
    """The moment between a writer's commit and its notice reaching this process: the writer
    copied the change's number to the shared cache, so the mirror reads what moved."""
    if "KEY_PREFIX" not in settings.CACHES["default"]:
        pytest.skip("app servers share the cache through Redis (REDIS_URL), as in CI")
    story, other = two_stories
    for url in (story.get_absolute_url(), other.get_absolute_url()) * 2:
        client.get(url)
    reads = tag_versions._mirror.reads

    # The desk shares this process's cache; its notice goes where nobody listens, so for this
    # process it is still on its way.
    the_desk(
        dict(desk_env(tmp_path), CACHE_KEY_PREFIX=settings.CACHES["default"]["KEY_PREFIX"]),
        "from articles import tag_mirror\n"
        "tag_mirror.CHANNEL = 'a_channel_nobody_listens_to'\n"
        "from articles.models import Article\n"
        f"story = Article.objects.get(pk={story.pk})\n"
        "story.headline = 'El agua de la ciudad, corregida'\n"
        "story.save()\n",
    )

    response, _ = get(client, story.get_absolute_url(), django_assert_max_num_queries)
    assert "la ciudad, corregida" in response.content.decode()
    assert tag_versions._mirror.reads == reads + 1  # read what moved, once
    response, queries = get(client, other.get_absolute_url(), django_assert_max_num_queries)
    assert response["X-Page-Cache"] == "hit" and queries == []


def test_a_lost_listening_connection_sends_pages_to_the_database_never_stale(
    tmp_path, client, two_stories, django_assert_max_num_queries
):
    story, other = two_stories
    for url in (story.get_absolute_url(), other.get_absolute_url()) * 2:
        client.get(url)
    listener_pid = tag_versions._mirror.listener.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [listener_pid])
    # Committed while nobody listens: no notice of it reaches this process.
    edit_headline(tmp_path, story, "El agua de la ciudad, corregida")

    response, queries = get(client, story.get_absolute_url(), django_assert_max_num_queries)
    assert "la ciudad, corregida" in response.content.decode()
    assert [sql for sql in queries if tag_versions.TABLE in sql]  # checked in the database

    # Listening again: the page that did not change is still the stored one, asked of nobody.
    response, queries = get(client, other.get_absolute_url(), django_assert_max_num_queries)
    assert response["X-Page-Cache"] == "hit" and queries == []
    assert tag_versions._mirror.listener.info.backend_pid != listener_pid


def test_a_page_stored_before_the_process_listened_is_asked_of_the_database_once(
    client, two_stories, django_assert_max_num_queries
):
    story, other = two_stories
    client.get(story.get_absolute_url())
    tag_versions.stop_listening()  # as a process started after the page was stored
    other.headline = "El clásico, corregido"
    other.save()  # and after a change the page does not show

    response, queries = get(client, story.get_absolute_url(), django_assert_max_num_queries)
    assert response["X-Page-Cache"] == "hit"
    assert [sql for sql in queries if tag_versions.TABLE in sql]  # built before it listened
    response, queries = get(client, story.get_absolute_url(), django_assert_max_num_queries)
    assert response["X-Page-Cache"] == "hit" and queries == []  # kept as of its start


def test_a_threaded_server_shares_one_mirror_and_serves_no_stale_page(tmp_path, two_stories):
    """Eight threads of one gunicorn worker read while the desk edits from its own process:
    after each edit every thread gets the new headline, and the other story's stored page
    is never thrown away."""
    story, other = two_stories
    port = free_port()
    # As in this process: no periodic read of the database, what the worker knows it was told.
    config = tmp_path / "gunicorn_conf.py"
    config.write_text(
        "def post_worker_init(worker):\n"
        "    from articles import tag_mirror\n"
        "    tag_mirror.CHECK_INTERVAL = 3600\n"
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "newsroom.wsgi:application", "--config", str(config)]
        + ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--worker-class", "gthread"]
        + ["--threads", "8", "--log-level", "warning"],
        cwd=PROJECT_ROOT,
        env=dict(desk_env(tmp_path), PAGE_CACHE="1", SECURE_COOKIES="0"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, server)
        other_page = last_modified(f"{base}{other.get_absolute_url()}")
        with ThreadPoolExecutor(8) as readers:
            for version in range(1, 4):
                headline = f"El agua de la ciudad, versión {version}"
                edit_headline(tmp_path, story, headline)
                pages = readers.map(fetch, [f"{base}{story.get_absolute_url()}"] * 16)
                assert all(headline in page for page in pages), version
                others = readers.map(last_modified, [f"{base}{other.get_absolute_url()}"] * 16)
                assert set(others) == {other_page}
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_page_built_before_this_process_s_own_change_is_stale_before_its_notice_comes(
    client, two_stories
):
    """A page built as of the newest change the mirror was told of is answered without
    looking at its tags, unless this process committed a change since (recorded at its
    commit, its notice maybe still on its way): then its tags decide."""
    from articles import page_tags

    story, other = two_stories
    client.get(story.get_absolute_url())  # the process listens
    mirror = tag_versions._mirror
    built = mirror.last
    assert mirror.moved_after([page_tags.story(story.pk)], built) is False
    mirror.record({page_tags.story(story.pk): built + 1})  # as at this process's commit
    assert mirror.moved_after([page_tags.story(story.pk)], built) is True
    assert mirror.moved_after([page_tags.story(other.pk)], built) is False
