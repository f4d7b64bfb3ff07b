"""Related stories: shared organizations, tags and section, recent first, chosen among the
newest stories, which are read once per change."""

import contextlib
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from articles import related_stories, tag_versions
from articles.models import Article
from articles.publishing import unpublish_article
from tests.factories import ArticleFactory, CategoryFactory, OrganizationFactory

# Reading the newest stories with their tags and organizations, after a change readers see,
# and the time of the next scheduled publication, which ends what was read.
WINDOW_QUERIES = 3
NEXT_PUBLICATION_QUERIES = 1

pytestmark = pytest.mark.django_db


def related_headlines(article, **kwargs):
    article = Article.objects.for_detail().get(pk=article.pk)
    return [story.headline for story in Article.objects.related_to(article, **kwargs)]


def test_organizations_count_most_then_tags_then_section():
    section, other = CategoryFactory(), CategoryFactory()
    inai = OrganizationFactory()
    story = ArticleFactory(category=section, organizations=[inai], tags=["agua"])
    ArticleFactory(headline="Same section", category=section)
    ArticleFactory(headline="Shared tag", category=other, tags=["agua"])
    ArticleFactory(headline="Shared organization", category=other, organizations=[inai])
    ArticleFactory(headline="Unrelated", category=other)
    assert related_headlines(story) == ["Shared organization", "Shared tag", "Same section"]


def test_equal_scores_favour_the_newest():
    section = CategoryFactory()
    now = timezone.now()
    story = ArticleFactory(category=section)
    for days, headline in [(5, "Old"), (1, "New"), (3, "Middle")]:
        ArticleFactory(headline=headline, category=section, published_at=now - timedelta(days=days))
    assert related_headlines(story) == ["New", "Middle", "Old"]


@pytest.mark.parametrize("trait", ["draft", "in_review", "scheduled", "unpublished"])
def test_unpublished_stories_are_never_related(trait):
    section = CategoryFactory()
    story = ArticleFactory(category=section, tags=["agua"])
    ArticleFactory(category=section, tags=["agua"], **{trait: True})
    assert related_headlines(story) == []


def test_limit_caps_the_list_and_the_story_itself_is_excluded():
    section = CategoryFactory()
    story = ArticleFactory(category=section)
    ArticleFactory.create_batch(6, category=section)
    headlines = related_headlines(story, limit=4)
    assert len(headlines) == 4
    assert story.headline not in headlines


def test_a_story_without_a_section_shares_none_and_keeps_its_address():
    story = ArticleFactory(category=None, tags=["agua"])
    ArticleFactory(headline="No section either", category=None)
    sectionless = ArticleFactory(headline="Shared tag, no section", category=None, tags=["agua"])
    story = Article.objects.for_detail().get(pk=story.pk)
    related = Article.objects.related_to(story)
    shown = [(item.headline, item.category, item.get_absolute_url()) for item in related]
    assert shown == [("Shared tag, no section", None, sectionless.get_absolute_url())]


def test_only_the_newest_stories_are_scored_and_the_story_itself_leaves_the_window_full(
    monkeypatch,
):
    monkeypatch.setattr(related_stories, "RELATED_WINDOW", 2)
    section = CategoryFactory()
    now = timezone.now()
    ArticleFactory(headline="Third newest", category=section, published_at=now - timedelta(3))
    ArticleFactory(headline="Second newest", category=section, published_at=now - timedelta(2))
    story = ArticleFactory(category=section, published_at=now - timedelta(1))
    ArticleFactory(headline="Newest", category=section, published_at=now)
    # The story is one of the three newest; the two others are its window.
    assert related_headlines(story) == ["Newest", "Second newest"]
    # A story outside the three newest is scored against the two newest.
    older = ArticleFactory(category=section, published_at=now - timedelta(4))
    assert related_headlines(older) == ["Newest", story.headline]


CHANGE_NUMBER_QUERIES = 1


@contextlib.contextmanager
def one_request():
    """What the page cache does around a request: the change number is read once in it."""
    token = tag_versions.begin_request()
    try:
        yield
    finally:
        tag_versions.end_request(token)


@pytest.mark.parametrize("count", [1, 30])
def test_related_stories_cost_the_same_few_queries_once_per_change_and_one_read_after(
    client, django_assert_num_queries, rich_story_factory, count
):
    section = CategoryFactory()
    stories = [rich_story_factory(category=section) for _ in range(count + 1)]
    story = Article.objects.for_detail().get(pk=stories[0].pk)
    # A request reads the number of the last change once (articles/tag_versions.py).
    with (
        one_request(),
        django_assert_num_queries(
            CHANGE_NUMBER_QUERIES + WINDOW_QUERIES + NEXT_PUBLICATION_QUERIES
        ),
    ):
        related = Article.objects.related_to(story)
        [(item.category.name, item.get_absolute_url()) for item in related]
    assert len(related) == min(count, 4)
    with one_request(), django_assert_num_queries(CHANGE_NUMBER_QUERIES):
        again = Article.objects.related_to(story)
        [(item.category.name, item.get_absolute_url()) for item in again]
    assert [item.pk for item in again] == [item.pk for item in related]
    html = client.get(story.get_absolute_url()).content.decode()
    assert html.count("related-stories__list") == 1


def test_without_per_generation_memory_the_newest_stories_are_read_every_time(
    django_assert_num_queries, settings
):
    settings.PER_GENERATION_MEMORY = False
    section = CategoryFactory()
    story = Article.objects.for_detail().get(pk=ArticleFactory(category=section).pk)
    ArticleFactory(headline="Same section", category=section)
    for _ in range(2):
        with django_assert_num_queries(WINDOW_QUERIES):
            assert [item.headline for item in Article.objects.related_to(story)] == ["Same section"]


def test_a_story_published_edited_or_unpublished_changes_the_related_list_at_once():
    section = CategoryFactory()
    story = ArticleFactory(category=section, tags=["agua"])
    assert related_headlines(story) == []

    other = ArticleFactory(headline="Nueva", category=section, tags=["agua"])
    assert related_headlines(story) == ["Nueva"]

    other.headline = "Nueva, corregida"
    other.save()
    assert related_headlines(story) == ["Nueva, corregida"]

    other.tags.clear()  # shares the section only now: still related, with less weight
    ArticleFactory(headline="Comparte etiqueta", category=CategoryFactory(), tags=["agua"])
    assert related_headlines(story) == ["Comparte etiqueta", "Nueva, corregida"]

    unpublish_article(article=other)
    assert related_headlines(story) == ["Comparte etiqueta"]


def test_a_scheduled_story_joins_the_related_list_at_its_time():
    section = CategoryFactory()
    now = timezone.now()
    with time_machine.travel(now, tick=False) as traveller:
        story = ArticleFactory(category=section)
        ArticleFactory(
            headline="A las doce y diez", category=section, published_at=now + timedelta(minutes=10)
        )
        assert related_headlines(story) == []
        traveller.shift(timedelta(minutes=9, seconds=59))
        assert related_headlines(story) == []
        traveller.shift(timedelta(seconds=1))
        assert related_headlines(story) == ["A las doce y diez"]
