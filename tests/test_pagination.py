"""List pages stop at MAX_LIST_PAGES and point to the archive, and are never counted; archive
lists are two lookups."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def twelve_stories(settings):
    settings.ARTICLES_PER_PAGE = 2
    settings.MAX_LIST_PAGES = 3
    now = timezone.now()
    return [
        ArticleFactory(published_at=now - timedelta(days=40 * n), headline=f"Historia {n}")
        for n in range(12)
    ]


def test_pages_past_the_cap_answer_404(client, twelve_stories):
    assert client.get("/", {"page": 3}).status_code == 200
    assert client.get("/", {"page": 4}).status_code == 404
    assert client.get("/", {"page": 2000}).status_code == 404


def test_the_last_page_offered_links_to_the_archive(client, twelve_stories):
    last = client.get("/", {"page": 3}).content.decode()
    first = client.get("/").content.decode()

    assert 'href="/archivo/"' in last
    assert "Página 3" in last
    assert 'rel="next"' not in last
    assert 'rel="next"' in first


def test_a_list_page_reads_one_story_more_and_counts_nothing(client, twelve_stories):
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/", {"page": 2}).content.decode()

    statements = [query["sql"] for query in queries.captured_queries]
    assert not [sql for sql in statements if "COUNT(" in sql.upper()], statements
    assert "Historia 2" in page and "Historia 3" in page
    assert "Historia 4" not in page  # read only to learn that page 3 follows
    assert 'href="?page=3" rel="next"' in page


def test_a_list_that_ends_on_a_full_page_offers_no_older_page(client, settings):
    settings.ARTICLES_PER_PAGE = 2
    ArticleFactory.create_batch(4)

    second = client.get("/", {"page": 2})

    assert second.status_code == 200
    assert 'rel="next"' not in second.content.decode()
    assert 'rel="prev"' in second.content.decode()
    assert client.get("/", {"page": 3}).status_code == 404


def test_the_last_page_asked_for_by_name_is_found(client, twelve_stories):
    # Django's list views accept ?page=last; the cap still applies.
    assert "Página 3" in client.get("/", {"page": "last"}).content.decode()


def test_a_short_list_has_no_archive_link_in_its_pagination(client, settings):
    settings.ARTICLES_PER_PAGE = 2
    ArticleFactory.create_batch(3)

    page = client.get("/", {"page": 2}).content.decode()

    assert 'archivo/">' not in page.split('class="pagination"')[1]


def test_the_archive_lists_every_year_from_the_oldest_story_to_the_newest(client):
    now = timezone.localtime()
    ArticleFactory(published_at=now.replace(year=now.year - 3))
    ArticleFactory(published_at=now - timedelta(hours=1))

    page = client.get(reverse("articles:archive")).content.decode()

    for year in range(now.year - 3, now.year + 1):
        assert f'href="/archivo/{year}/"' in page


def test_a_year_lists_its_months_from_the_first_story_to_the_last(client):
    year = timezone.localtime().year - 1
    for month in (2, 5):
        ArticleFactory(published_at=timezone.make_aware(timezone.datetime(year, month, 10)))

    page = client.get(reverse("articles:archive-year", kwargs={"year": year})).content.decode()

    for month in (2, 3, 4, 5):
        assert f'href="/archivo/{year}/{month}/"' in page
    assert f'href="/archivo/{year}/6/"' not in page
    assert f'href="/archivo/{year}/1/"' not in page
