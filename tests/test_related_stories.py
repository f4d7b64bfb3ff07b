"""Related stories: shared organizations, tags and section, recent first, in one query."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory, CategoryFactory, OrganizationFactory

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


def test_a_story_without_a_section_shares_none_and_keeps_its_address(
    django_assert_num_queries,
):
    story = ArticleFactory(category=None, tags=["agua"])
    ArticleFactory(headline="No section either", category=None)
    sectionless = ArticleFactory(headline="Shared tag, no section", category=None, tags=["agua"])
    story = Article.objects.for_detail().get(pk=story.pk)
    with django_assert_num_queries(1):
        related = Article.objects.related_to(story)
        shown = [(item.headline, item.category, item.get_absolute_url()) for item in related]
    assert shown == [("Shared tag, no section", None, sectionless.get_absolute_url())]


@pytest.mark.parametrize("count", [1, 30])
def test_story_page_related_block_costs_one_query_for_1_or_30_candidates(
    client, django_assert_num_queries, rich_story_factory, count
):
    section = CategoryFactory()
    stories = [rich_story_factory(category=section) for _ in range(count + 1)]
    story = Article.objects.for_detail().get(pk=stories[0].pk)
    with django_assert_num_queries(1):
        related = Article.objects.related_to(story)
        [(item.category.name, item.get_absolute_url()) for item in related]
    assert len(related) == min(count, 4)
    html = client.get(story.get_absolute_url()).content.decode()
    assert html.count("related-stories__list") == 1
