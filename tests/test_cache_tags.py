"""Cache tags: a change refreshes the pages that show it and leaves every other page stored;
responses carry their tags for CDNs; a stored page is still served while the database is down.

A page served from the cache makes one query (its tags' versions); a page rendered again makes
more, so the number of queries tells which it was."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone

from articles import cache_tags, page_tags, publishing, related_stories, tag_versions
from articles.models import Article
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory

pytestmark = pytest.mark.django_db

CACHED = 1  # queries of a page served from the cache


@pytest.fixture
def two_desks():
    """Two published stories that share nothing: other section, author, tag; and a draft in
    the first one's section."""
    water, sport = CategoryFactory(slug="agua"), CategoryFactory(slug="deportes")
    ana, luis = AuthorFactory(slug="ana", name="Ana"), AuthorFactory(slug="luis", name="Luis")
    first = ArticleFactory(headline="La presa", category=water, authors=[ana], tags=["presas"])
    second = ArticleFactory(headline="El clásico", category=sport, authors=[luis], tags=["futbol"])
    draft = ArticleFactory(headline="El acueducto", category=water, authors=[ana], draft=True)
    return first, second, draft


def queries_of(client, url, django_assert_max_num_queries) -> tuple[int, str]:
    """How many queries the page took, and its text."""
    with django_assert_max_num_queries(100) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), response.content.decode()


def warm(client, urls):
    for url in urls:
        client.get(url)


def test_editing_one_story_leaves_the_other_story_and_its_section_stored(
    client, two_desks, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    first, second = two_desks[:2]
    other_pages = [second.get_absolute_url(), reverse("articles:section", args=["deportes"])]
    showing = [first.get_absolute_url(), "/", reverse("articles:section", args=["agua"])]
    warm(client, other_pages + showing)

    with django_capture_on_commit_callbacks(execute=True):
        first.headline = "La presa, corregida"
        first.save()

    for url in other_pages:
        assert queries_of(client, url, django_assert_max_num_queries)[0] == CACHED, url
    for url in showing:
        count, text = queries_of(client, url, django_assert_max_num_queries)
        assert count > CACHED and "La presa, corregida" in text, url


def test_a_byline_person_renamed_refreshes_the_pages_that_print_the_name_only(
    client, two_desks, django_assert_max_num_queries
):
    first, second = two_desks[:2]
    warm(client, [first.get_absolute_url(), second.get_absolute_url()])

    author = first.bylines.get().author
    author.name = "Ana María"
    author.save()

    count, text = queries_of(client, first.get_absolute_url(), django_assert_max_num_queries)
    assert count > CACHED and "Ana María" in text
    assert queries_of(client, second.get_absolute_url(), django_assert_max_num_queries)[0] == CACHED


def test_a_correction_refreshes_its_story_not_the_other(
    client, two_desks, django_assert_max_num_queries
):
    first, second = two_desks[:2]
    warm(client, [first.get_absolute_url(), second.get_absolute_url()])

    publishing.add_correction(article=first, text="La cifra era 42.")

    assert "La cifra era 42" in client.get(first.get_absolute_url()).content.decode()
    assert queries_of(client, second.get_absolute_url(), django_assert_max_num_queries)[0] == CACHED


def test_a_correction_and_a_new_body_leave_the_lists_showing_the_story_stored(
    client, two_desks, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    """Lists, fronts and related stories print a story's teaser, which neither a correction
    nor a new body changes: they stay stored, and rendered anew they are the same bytes. The
    story's page and the feeds carrying its body are refreshed."""
    first = two_desks[0]
    neighbour = ArticleFactory(headline="El río", category=first.category, tags=["presas"])
    lists = [
        "/",
        reverse("articles:section", args=["agua"]),
        reverse("articles:tag", args=["presas"]),
        neighbour.get_absolute_url(),  # lists the story among its related stories
    ]
    assert "La presa" in related_block(client, neighbour)
    feeds = [reverse("articles:feed-rss"), reverse("articles:feed-atom")]
    stored = {url: client.get(url).content for url in lists}
    warm(client, feeds + [first.get_absolute_url()])

    with django_capture_on_commit_callbacks(execute=True):
        publishing.add_correction(article=first, text="La cifra era 42.")
    with django_capture_on_commit_callbacks(execute=True):
        first.body = "Un cuerpo nuevo con **cifras** revisadas."
        first.lead_image_credit = "Archivo"
        first.save()

    for url in lists:
        assert queries_of(client, url, django_assert_max_num_queries)[0] == CACHED, url
    for url in feeds + [first.get_absolute_url()]:
        count, text = queries_of(client, url, django_assert_max_num_queries)
        assert count > CACHED and "La cifra era 42" in text and "revisadas" in text, url
    cache.clear()
    for url in lists:
        assert client.get(url).content == stored[url], url


def test_a_save_naming_its_fields_is_judged_by_what_it_wrote(
    client, two_desks, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    """``save(update_fields=...)`` writes only those fields: a headline changed on the instance
    but not written leaves the lists; one written refreshes them."""
    first = two_desks[0]
    section = reverse("articles:section", args=["agua"])
    warm(client, ["/", section])

    with django_capture_on_commit_callbacks(execute=True):
        first.headline = "La presa, sin guardar"
        first.save(update_fields=["updated_at"])
    assert queries_of(client, "/", django_assert_max_num_queries)[0] == CACHED

    with django_capture_on_commit_callbacks(execute=True):
        first.headline = "La presa, guardada"
        first.save(update_fields=["headline"])
    for url in ("/", section):
        count, text = queries_of(client, url, django_assert_max_num_queries)
        assert count > CACHED and "La presa, guardada" in text, url


def test_the_fields_only_a_story_page_prints_are_fields_of_a_story():
    names = {field.attname for field in Article._meta.concrete_fields}
    assert names >= cache_tags.PAGE_ONLY_FIELDS
    assert set(cache_tags.LISTING_FIELDS) <= set(cache_tags.LISTED_FIELDS)


def test_publishing_refreshes_the_lists_it_enters_and_leaves_the_others_stored(
    client, two_desks, django_assert_max_num_queries
):
    first, second, draft = two_desks
    entered = ["/", reverse("articles:section", args=["agua"]), reverse("articles:feed-rss")]
    # Story pages are refreshed too: their related stories are chosen among the newest.
    untouched = [
        reverse("articles:section", args=["deportes"]),
        reverse("articles:tag", args=["futbol"]),
    ]
    warm(client, entered + untouched)

    publishing.publish_article(article=draft)

    for url in entered:
        assert "El acueducto" in client.get(url).content.decode(), url
    for url in untouched:
        assert queries_of(client, url, django_assert_max_num_queries)[0] == CACHED, url


def test_saving_a_draft_moves_no_tag(two_desks):
    draft = two_desks[2]
    before = tag_versions.shared_versions()[tag_versions.COUNTER]

    draft.headline = "El acueducto, segunda versión"
    draft.save()

    assert tag_versions.shared_versions()[tag_versions.COUNTER] == before


def test_responses_carry_their_tags_for_cdns(client, two_desks):
    first, second = two_desks[:2]

    for response in (client.get(first.get_absolute_url()), client.get(first.get_absolute_url())):
        keys = set(response["Surrogate-Key"].split())
        assert {page_tags.story(first.pk), page_tags.SECTIONS} <= keys
        assert page_tags.related("section", first.category_id) in keys
        assert page_tags.subject("author", first.bylines.get().author_id) in keys
        assert page_tags.story(second.pk) not in keys  # not related: nothing shared
        assert set(response["xkey"].split()) == keys
        assert set(response["Cache-Tag"].split(",")) == keys

    home = set(client.get("/")["Surrogate-Key"].split())
    assert {page_tags.STORIES, page_tags.story(first.pk), page_tags.story(second.pk)} <= home


def test_a_scheduled_story_ends_stored_pages_at_its_time(client, two_desks):
    now = timezone.now()
    with time_machine.travel(now, tick=False) as traveller:
        ArticleFactory(headline="A las doce y diez", published_at=now + timedelta(minutes=10))
        assert "A las doce y diez" not in client.get("/").content.decode()
        traveller.shift(timedelta(minutes=10))
        assert "A las doce y diez" in client.get("/").content.decode()


@pytest.fixture
def database_down():
    """Every query fails as if PostgreSQL had gone away (entered with ``with``)."""

    def refuse(execute, sql, params, many, context):
        raise OperationalError("the database is down")

    return lambda: connection.execute_wrapper(refuse)


def test_with_the_database_down_a_stored_page_is_still_served(client, two_desks, database_down):
    first = two_desks[0]
    stored = client.get(first.get_absolute_url()).content

    with database_down():
        again = client.get(first.get_absolute_url())

    assert again.status_code == 200
    assert again.content == stored


def test_with_the_database_down_the_cache_copies_of_the_versions_decide(
    client, two_desks, database_down, django_capture_on_commit_callbacks
):
    """A change whose copy reached the cache before the database went down is not undone."""
    first, second = two_desks[:2]
    other_section = reverse("articles:section", args=["deportes"])
    warm(client, [first.get_absolute_url(), other_section])
    with django_capture_on_commit_callbacks(execute=True):
        publishing.unpublish_article(article=first)
    assert cache.get(tag_versions.CACHE_KEY.format(page_tags.story(first.pk))) is not None

    with database_down():
        assert client.get(other_section).status_code == 200
        # Rendered again, and the database is down: the 503 page (newsroom/unavailable.py),
        # never the stored page that still shows the story.
        response = client.get(first.get_absolute_url())
        assert response.status_code == 503
        assert response.headers["Retry-After"]


def test_a_story_pushed_out_of_the_related_window_leaves_the_stored_pages_and_comes_back(
    client, monkeypatch
):
    """Related stories come from the newest few: a publication pushes the oldest of them out
    of every page that listed it, and an unpublication brings it back."""
    monkeypatch.setattr(related_stories, "RELATED_WINDOW", 2)  # the 2 newest stories
    now = timezone.now()
    reader = ArticleFactory(published_at=now - timedelta(days=30), tags=["agua"])
    ArticleFactory(headline="Las presas", published_at=now - timedelta(days=2), tags=["agua"])
    ArticleFactory(published_at=now - timedelta(days=1))
    news = ArticleFactory(draft=True)
    assert "Las presas" in related_block(client, reader)

    publishing.publish_article(article=news)
    assert "Las presas" not in related_block(client, reader)

    publishing.unpublish_article(article=news)
    assert "Las presas" in related_block(client, reader)


def related_block(client, story) -> str:
    html = client.get(story.get_absolute_url()).content.decode()
    found = re.search(r'<aside class="related-stories".*?</aside>', html, re.DOTALL)
    return found.group(0) if found else ""


def test_a_story_sharing_only_the_section_enters_more_from_the_section_of_a_full_page(
    client, django_assert_max_num_queries
):
    """A story page whose four related stories each share a tag (2 points) cannot take a new
    story that shares only its section (1 point) among them, but its "More from the section"
    list shows the section's newest stories: the page is refreshed and lists it there."""
    section = CategoryFactory(slug="agua")
    full = ArticleFactory(category=section, tags=["presas"])
    for number in range(4):
        ArticleFactory(headline=f"Presa {number}", category=CategoryFactory(), tags=["presas"])
    with_room = ArticleFactory(category=section, tags=["lluvia"])
    news = ArticleFactory(headline="Solo la sección", category=section, draft=True)
    warm(client, [full.get_absolute_url(), with_room.get_absolute_url()])

    publishing.publish_article(article=news)

    assert queries_of(client, full.get_absolute_url(), django_assert_max_num_queries)[0] > CACHED
    page = client.get(full.get_absolute_url()).content.decode()
    assert "Solo la sección" in page
    assert "Solo la sección" not in related_block(client, full)
    assert "Solo la sección" in related_block(client, with_room)
