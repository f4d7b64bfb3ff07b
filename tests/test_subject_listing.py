"""Tag, author and organization pages list a subject's newest stories at a cost that does not
depend on how rare the subject is (``ArticleQuerySet.about_for_listing``)."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles import querysets
from articles.models import Article, TaggedArticle
from tests.factories import ArticleFactory, AuthorFactory, OrganizationFactory
from tests.test_views import MAX_QUERIES_PER_PAGE

pytestmark = pytest.mark.django_db


def listed_headlines(client, url) -> list[str]:
    html = client.get(url).content.decode()
    return re.findall(r'class="teaser__headline"><a [^>]*>([^<]*)</a>', html)


@pytest.fixture
def few_is_five(monkeypatch):
    """Fewer than five links (drafts and scheduled stories count: they are links too)."""
    monkeypatch.setattr(querysets, "FEW_STORIES", 5)


@pytest.mark.parametrize("stories", [2, 4], ids=["few-stories", "many-stories"])
def test_subject_pages_list_only_published_stories_newest_first(
    client, few_is_five, stories, django_assert_max_num_queries, committed
):
    author = AuthorFactory(slug="ana")
    organization = OrganizationFactory(slug="inai")
    now = timezone.now()
    common = {"authors": [author], "tags": ["agua"], "organizations": [organization]}
    with committed():
        for days in range(stories):
            ArticleFactory(
                headline=f"Hace {days} días", published_at=now - timedelta(days=days), **common
            )
        ArticleFactory(headline="Borrador", draft=True, **common)
        ArticleFactory(headline="Programada", published_at=now + timedelta(days=1), **common)
    expected = [f"Hace {days} días" for days in range(stories)]

    for url in [
        reverse("articles:tag", kwargs={"slug": "agua"}),
        reverse("articles:author", kwargs={"slug": "ana"}),
        reverse("articles:organization", kwargs={"slug": "inai"}),
    ]:
        with django_assert_max_num_queries(MAX_QUERIES_PER_PAGE):
            assert listed_headlines(client, url) == expected, url


def test_a_subject_on_few_stories_is_read_from_its_own_links(client, few_is_five):
    """Two reads: the tag's links (at most FEW_STORIES), then its stories by id."""
    ArticleFactory.create_batch(2, tags=["agua"])
    ArticleFactory.create_batch(5, tags=["obra"])

    few = Article.objects.published().about_for_listing(Tag.objects.get(slug="agua"))
    many = Article.objects.published().about_for_listing(Tag.objects.get(slug="obra"))

    assert "articles_taggedarticle" not in str(few.query)
    assert "articles_taggedarticle" in str(many.query)
    assert few.count() == 2 and many.count() == 5


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan is PostgreSQL's")
def test_a_rare_tag_page_reads_its_own_story_not_the_archive(client):
    """With more tags than PostgreSQL's statistics name, a tag on one old story was taken
    for an average one: the page walked every story, newest first, looking for it."""
    now = timezone.now()
    tags = Tag.objects.bulk_create(Tag(name=f"tema {n}", slug=f"tema-{n}") for n in range(300))
    stories = Article.objects.bulk_create(
        [
            Article(
                headline=f"Nota {n}",
                slug=f"nota-{n}",
                body_html="<p>Texto.</p>",
                status=Article.Status.PUBLISHED,
                published_at=now - timedelta(hours=n + 1),
            )
            for n in range(3000)
        ],
        # One INSERT on PostgreSQL would carry every column of 3,000 stories: more than the
        # 65,535 parameters a statement may have.
        batch_size=1000,
    )
    TaggedArticle.objects.bulk_create(
        TaggedArticle(content_object=story, tag=tags[(n * 7 + k) % 300])
        for n, story in enumerate(stories)
        for k in range(2)
    )
    stories[-1].tags.add("etiqueta rara")  # the oldest story
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    rare = Tag.objects.get(name="etiqueta rara")

    page = Article.objects.published().newest_first().about_for_listing(rare)[:21]
    sql, params = page.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0][0]["Plan"]

    assert [story.headline for story in page] == ["Nota 2999"]
    assert stories_read(plan) < 50, plan


def stories_read(plan: dict) -> int:
    """How many rows the plan read from the stories' table or its indexes, in all its loops."""
    own = (
        plan["Actual Rows"] * plan["Actual Loops"]
        if plan.get("Relation Name") == "articles_article"
        else 0
    )
    return own + sum(stories_read(child) for child in plan.get("Plans", []))
