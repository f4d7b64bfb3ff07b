"""The read replica's routing (newsroom/replica.py), with a second database: a copy of the
test database taken before a change, standing in for a replica that has not caught up."""

import sqlite3
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, connections, router
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from newsroom.replica import REPLICA, ReplicaMiddleware
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def replica(tmp_path, settings):
    """Attach the test database as it is now as the "replica" database."""
    if connection.vendor != "sqlite":
        pytest.skip(
            "the replica here is a copy of the SQLite test database (the router is the same)"
        )
    settings.PAGE_CACHE = False  # every page below is read from a database, not the cache
    path = tmp_path / "replica.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(path) as copy:
        connection.connection.backup(copy)
    connections.settings[REPLICA] = connections.configure_settings(
        {
            "default": connections.settings["default"],
            # Kept open between requests: the test framework allows no new connection to an
            # alias it did not set up, so this one is opened here, once.
            REPLICA: {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(path),
                "CONN_MAX_AGE": None,
            },
        }
    )[REPLICA]
    connections[REPLICA].connect()
    yield
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


def test_public_pages_read_the_replica_once_the_last_write_is_older_than_the_lag(
    client, settings, request
):
    ArticleFactory(headline="Ya replicada")
    editor = UserFactory(is_staff=True, is_superuser=True)
    request.getfixturevalue("replica")
    settings.REPLICA_LAG_SECONDS = 10
    ArticleFactory(headline="Solo en la primaria")  # a write the replica has not received

    # Within the lag every read uses the primary: the page cache never stores a stale page.
    assert "Solo en la primaria" in client.get("/").text

    with time_machine.travel(timezone.now() + timedelta(seconds=11), tick=False):
        home = client.get("/").text
        assert "Ya replicada" in home and "Solo en la primaria" not in home
        client.force_login(editor)
        admin_list = client.get(reverse("admin:articles_article_changelist")).text
        assert "Solo en la primaria" in admin_list


def test_a_request_reads_its_own_writes_from_the_primary(request):
    ArticleFactory(headline="Ya replicada")
    request.getfixturevalue("replica")
    seen = []

    def view(_request):
        seen.append(router.db_for_read(Article))
        Article.objects.filter(headline="Ya replicada").update(summary="Cambiado")
        seen.append(router.db_for_read(Article))
        return HttpResponse()

    with time_machine.travel(timezone.now() + timedelta(seconds=60), tick=False):
        ReplicaMiddleware(view)(RequestFactory().get("/"))

    assert seen == [REPLICA, "default"]


def test_the_admin_and_posts_never_read_the_replica(request):
    request.getfixturevalue("replica")
    seen = []

    def view(_request):
        seen.append(router.db_for_read(Article))
        return HttpResponse()

    with time_machine.travel(timezone.now() + timedelta(seconds=60), tick=False):
        ReplicaMiddleware(view)(RequestFactory().get(reverse("admin:index")))
        ReplicaMiddleware(view)(RequestFactory().post("/buscar/"))

    assert seen == ["default", "default"]
