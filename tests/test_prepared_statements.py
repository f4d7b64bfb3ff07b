"""PostgreSQL plans the story page's reads once per connection, and never prepares a read
whose best plan depends on what it looks for (search, a tag's stories)."""

import pytest
from django.db import connection
from django.urls import reverse

from articles.prepared_statements import planned_once
from tests.factories import ArticleFactory, CategoryFactory

# Transactional, so each test can start on a new connection with nothing prepared on it.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _new_postgresql_connection():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    connection.close()


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_a_story_page_is_read_with_prepared_statements(client):
    story = ArticleFactory(tags=["agua"])

    assert client.get(story.get_absolute_url()).status_code == 200

    prepared = prepared_statements()
    # The story's row of the read model, which holds its bylines, tags, organizations and
    # corrections, found by the story's slug.
    rows = [statement for statement in prepared if '"articles_storypage"' in statement]
    assert any('"slug" = $' in statement for statement in rows), prepared


def test_home_and_section_lists_are_read_with_prepared_statements(client):
    section = CategoryFactory(slug="agua")
    ArticleFactory.create_batch(3, category=section)

    client.get("/")
    client.get(section.get_absolute_url())

    lists = [sql for sql in prepared_statements() if "LIMIT 21" in sql]
    in_section = '"articles_article"."category_id" = $'
    assert len(lists) == 2, lists
    assert sum(in_section in sql for sql in lists) == 1, lists  # one section, one site-wide


def test_search_and_tag_pages_are_never_prepared_however_often_they_run(client):
    ArticleFactory.create_batch(3, headline="Contratos de obra en Chiapas", tags=["obra"])
    client.get("/")  # whatever the home page prepares is not what this test is about
    before = set(prepared_statements())

    for _ in range(8):
        assert client.get(reverse("articles:search"), {"q": "contratos"}).status_code == 200
        assert client.get(reverse("articles:tag", kwargs={"slug": "obra"})).status_code == 200

    # Only reads of rows by the listed stories' ids may have been added: those around them
    # (bylines, tags, ...) and their rows of the read model (their stored pieces). The lists'
    # own reads are not.
    added = set(prepared_statements()) - before

    def by_ids(sql):
        return sql.lstrip().startswith("SELECT b.article_id, 'bylines'") or (
            'FROM "articles_storypage" WHERE "articles_storypage"."article_id" IN (' in sql
        )

    assert all(by_ids(sql) for sql in added), added
    assert not any('"articles_article"' in sql and "LIMIT" in sql for sql in added), added


def test_prepared_statements_can_be_turned_off(client, settings):
    settings.DB_PREPARED_STATEMENTS = False
    story = ArticleFactory()

    assert client.get(story.get_absolute_url()).status_code == 200

    assert prepared_statements() == []


def test_outside_planned_once_the_connection_prepares_nothing():
    connection.ensure_connection()
    for _ in range(10):
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s::integer + 1", [41])
    assert prepared_statements() == []

    with planned_once(), connection.cursor() as cursor:
        cursor.execute("SELECT %s::integer + 1", [41])
        assert cursor.fetchone() == (42,)
    assert prepared_statements() == ["SELECT $1::integer + 1"]
