"""A change saved while Redis cannot be reached must not leave stale pages once Redis answers
again with the pages it held: across two instances, with Redis frozen for everyone, and with
one instance cut off from a Redis the other still uses (the durable invalidation of the page
cache is articles/caching.py's; these tests hold it to that across processes)."""

import uuid

import pytest

from tests.factories import ArticleFactory, UserFactory
from tests.services import AppInstance, RedisServer, admin_post, free_port, get, site_environment
from tests.test_admin import change_form_data
from tests.test_caching_processes import admin_session, shared_database_url

PASSWORD = "correct horse battery"

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis(tmp_path):
    """A redis-server of this test's own."""
    server = RedisServer(free_port(), tmp_path / "redis")
    server.start()
    yield server
    server.thaw()
    server.stop()


@pytest.fixture
def story_and_editor():
    """A published story and an editor, committed before the instances open the database."""
    editor = UserFactory(username="editora", is_staff=True, is_superuser=True)
    story = ArticleFactory(headline="El agua de la ciudad")
    return story, editor


def start(env) -> AppInstance:
    instance = AppInstance(env)
    instance.start()
    return instance


def warm(base: str, paths: list[str]) -> None:
    """Read each page twice, so the second answer comes from the shared cache."""
    for path in paths:
        for _ in range(2):
            assert get(f"{base}{path}")[0] == 200, path


def edit_headline(base: str, story, editor, headline: str) -> None:
    """Change the story's headline through the admin of the instance at ``base``."""
    opener, cookies = admin_session(base, editor.username, PASSWORD)
    admin_post(
        opener,
        cookies,
        base,
        f"/admin/articles/article/{story.pk}/change/",
        **change_form_data(story, headline=headline),
    )


def assert_saved(base: str) -> None:
    """The change is in the database: a page the cache never holds (an unknown query
    parameter makes the page cache pass) shows it."""
    assert "El agua que falta" in get(f"{base}/?sin-cache=1")[2]


def test_a_change_saved_while_redis_is_frozen_is_on_every_instance_when_it_returns(
    tmp_path, redis, story_and_editor
):
    story, editor = story_and_editor
    env = site_environment(
        DATABASE_URL=shared_database_url(tmp_path),
        REDIS_URL=redis.url(),
        CACHE_KEY_PREFIX=f"stale-{uuid.uuid4().hex}",
    )
    first, second = start(env), start(env)
    try:
        paths = ["/", story.get_absolute_url(), "/feeds/rss/"]
        for instance in (first, second):
            warm(instance.base, paths)
        # Logged in before the cut: the login itself needs no cache, but be sure of the order.
        opener, cookies = admin_session(first.base, editor.username, PASSWORD)

        redis.freeze()  # unreachable for everyone, and it keeps every page it holds
        try:
            admin_post(
                opener,
                cookies,
                first.base,
                f"/admin/articles/article/{story.pk}/change/",
                **change_form_data(story, headline="El agua que falta"),
            )
        finally:
            redis.thaw()

        assert_saved(second.base)
        for instance in (first, second):
            for path in ["/", "/feeds/rss/"]:
                page = get(f"{instance.base}{path}")[2]
                assert "El agua que falta" in page, (instance.base, path)
                assert "El agua de la ciudad" not in page, (instance.base, path)
    finally:
        first.stop()
        second.stop()


def test_a_change_saved_by_an_instance_cut_off_from_redis_is_on_the_others(
    tmp_path, redis, story_and_editor
):
    story, editor = story_and_editor
    database_url = shared_database_url(tmp_path)
    prefix = f"stale-{uuid.uuid4().hex}"
    connected = start(
        site_environment(DATABASE_URL=database_url, REDIS_URL=redis.url(), CACHE_KEY_PREFIX=prefix)
    )
    # Its Redis address leads nowhere: a network cut between this instance and Redis.
    cut_off = start(
        site_environment(
            DATABASE_URL=database_url,
            REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",
            CACHE_KEY_PREFIX=prefix,
        )
    )
    try:
        paths = ["/", story.get_absolute_url(), "/feeds/rss/"]
        warm(connected.base, paths)

        edit_headline(cut_off.base, story, editor, "El agua que falta")

        assert_saved(connected.base)
        for path in ["/", "/feeds/rss/"]:
            page = get(f"{connected.base}{path}")[2]
            assert "El agua que falta" in page, path
            assert "El agua de la ciudad" not in page, path
    finally:
        connected.stop()
        cut_off.stop()
