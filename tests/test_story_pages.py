"""The story page's read model (``articles/story_pages.py``): the page it gives is the page the
story's own rows give, byte for byte, after every kind of change, in a fixed number of
queries; drafts and previews never touch it."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.shortcuts import render
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from articles import story_pages
from articles.images import library_images
from articles.models import Article, Author, StoryPage
from articles.publishing import add_correction, publish_article, unpublish_article
from articles.sharing import share_links
from articles.views import RELATED_STORIES
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CategoryFactory,
    CorrectionFactory,
    ImageFactory,
    OrganizationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# An uncached story page: the change number and shared tag versions, the story's row, the
# pictures of its related and "More from" stories; whatever the story shows.
QUERIES_UNCACHED_STORY_PAGE = 3


def page_from_the_story_rows(story: Article) -> str:
    """The story page as built before the read model: the story read with ``for_detail()``,
    its related stories' pictures from the image library, rendered by the same template."""
    article = Article.objects.published().for_detail().get(slug=story.slug)
    related = Article.objects.related_to(article, limit=RELATED_STORIES)
    more = Article.objects.newest_in_section_of(
        article, limit=RELATED_STORIES, leave_out=[other.pk for other in related]
    )
    images = library_images({other.lead_image_id for other in [*related, *more]} - {None})
    for other in [*related, *more]:
        if other.lead_image_id:
            other.lead_image = images[other.lead_image_id]
    request = RequestFactory().get(article.get_absolute_url())
    context = {
        "article": article,
        "object": article,
        "related_articles": related,
        "more_in_section": more,
        "share_links": share_links(article),
    }
    return render(request, "articles/article_detail.html", context).content.decode()


def page_served(client, story: Article) -> str:
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def assert_same_page(client, story: Article) -> str:
    served = page_served(client, story)
    assert served == page_from_the_story_rows(story)
    return served


def rich_story(count: int, *, section=None, image=None) -> Article:
    """A published story with ``count`` authors (with roles), tags, organizations and
    corrections (one replaced by another), a lead image, and related stories with pictures."""
    section = section or CategoryFactory(name="Transparencia", slug="transparencia")
    organizations = OrganizationFactory.create_batch(count)
    tags = [f"tema-{n}" for n in range(count)]
    image = image or ImageFactory()
    for n in range(8):  # three related, then "More from" the section
        ArticleFactory(
            category=section,
            tags=tags[:1] if n < 3 else [],
            organizations=organizations[:1] if n < 3 else [],
            lead_image=image if n % 2 else None,
            published_at=timezone.now() - timedelta(hours=2 + n),
        )
    story = ArticleFactory(
        category=section,
        authors=AuthorFactory.create_batch(count),
        tags=tags,
        organizations=organizations,
        lead_image=image,
        lead_image_caption="Una protesta frente al Congreso.",
    )
    story.bylines.filter(position=0).update(role="data")
    story_pages.write_pages([story.pk])  # update() sends no signals
    earlier = None
    for n in range(count):
        earlier = CorrectionFactory(article=story, text=f"Corrección {n}.")
    replacement = CorrectionFactory(article=story, text="La cifra correcta es 42.")
    earlier.superseded_by = replacement
    earlier.save()
    return story


@pytest.mark.parametrize("count", [1, 30])
def test_a_rich_story_page_is_the_page_its_rows_give(client, count):
    story = rich_story(count)

    page = assert_same_page(client, story)

    assert page.count('rel="tag"') == count
    assert "La cifra correcta es 42." in page
    assert "Más de Transparencia" in page
    assert page.count("<picture>") >= 2


def test_the_demo_story_page_is_the_page_its_rows_give(client, illustrated_demo):
    assert_same_page(client, illustrated_demo)


@pytest.mark.parametrize("count", [1, 30])
def test_an_uncached_story_page_makes_the_same_queries_whatever_it_shows(
    client, django_assert_max_num_queries, count
):
    story = rich_story(count)
    other = ArticleFactory(category=story.category)
    page_served(client, other)  # the menu and the related stories' window, read once

    with django_assert_max_num_queries(QUERIES_UNCACHED_STORY_PAGE):
        page = page_served(client, story)

    assert page.count('rel="tag"') == count


def test_editing_the_story_rewrites_its_page(client):
    story = rich_story(2)
    story.headline = "Un titular corregido"
    story.body = "Un párrafo *nuevo*."
    story.save()

    page = assert_same_page(client, story)
    assert "Un titular corregido" in page
    assert "<em>nuevo</em>" in page


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change", ["story", "author"])
def test_the_read_model_is_written_before_the_cache_hears_of_a_change(monkeypatch, change):
    """Outside a transaction every receiver commits on its own: when a change's cache tags
    move on (``tag_versions.bump``), its row must already show it, or a page rendered in
    between would be kept as fresh with the old text."""
    from articles import tag_versions

    story = rich_story(2)
    author = story.bylines.get(position=1).author
    seen_at_bump = []
    real_bump = tag_versions.bump

    def bump_and_look(tags, **kwargs):
        row = StoryPage.objects.get(article=story).story
        seen_at_bump.append(str(row))
        return real_bump(tags, **kwargs)

    monkeypatch.setattr(tag_versions, "bump", bump_and_look)
    assert not connection.in_atomic_block
    if change == "story":
        story.headline = "Un titular corregido"
        story.save()
    else:
        author.name = "Rosa Renombrada"
        author.save()
    new_text = "Un titular corregido" if change == "story" else "Rosa Renombrada"
    assert seen_at_bump and all(new_text in row for row in seen_at_bump)


def test_renaming_an_author_rewrites_the_pages_that_sign_with_them(client):
    story = rich_story(2)
    author = story.bylines.get(position=1).author
    author.name = "Rosa Renombrada"
    author.save()

    assert "Rosa Renombrada" in assert_same_page(client, story)


def test_changing_an_organization_tag_or_section_rewrites_the_pages_that_show_it(client):
    story = rich_story(2)
    organization = story.organizations.first()
    organization.acronym = "INAIX"
    organization.save()
    tag = story.tags.first()
    tag.name = "Tema renombrado"
    tag.save()
    story.category.name = "Rendición de cuentas"
    story.category.save()

    page = assert_same_page(client, story)
    assert "(INAIX)" in page
    assert "Tema renombrado" in page
    assert "Rendición de cuentas" in page


@pytest.mark.parametrize(
    "change",
    [
        "organization deleted",
        "organization removed",
        "story added to an organization",
        "tag deleted",
        "tag removed",
        "stories cleared from the organization's side",
        "byline deleted",
    ],
)
def test_each_change_to_the_links_rewrites_the_page(client, change):
    story = rich_story(3)
    organization, tag = story.organizations.first(), story.tags.first()
    if change == "organization deleted":
        organization.delete()
    elif change == "organization removed":
        story.organizations.remove(organization)
    elif change == "story added to an organization":
        OrganizationFactory(name="Nueva Organización").articles.add(story)
    elif change == "tag deleted":
        tag.delete()
    elif change == "tag removed":
        story.tags.remove(tag)
    elif change == "stories cleared from the organization's side":
        organization.articles.clear()
    else:
        story.bylines.get(position=2).delete()

    page = assert_same_page(client, story)
    assert ("Nueva Organización" in page) == (change == "story added to an organization")


def test_editing_a_correction_rewrites_the_page(client):
    story = rich_story(1)
    correction = story.corrections.filter(superseded_by=None).first()
    correction.text = "Texto de la corrección corregido."
    correction.save()

    assert "Texto de la corrección corregido." in assert_same_page(client, story)


def test_a_correction_and_a_new_picture_rewrite_the_page(client):
    story = rich_story(1)
    add_correction(article=story, text="Se aclara el monto.", kind="clarification")
    story.lead_image.alt = "Otra descripción"
    story.lead_image.save()

    page = assert_same_page(client, story)
    assert "Se aclara el monto." in page
    assert 'alt="Otra descripción"' in page


def test_a_newly_published_story_joins_more_from_the_section_when_it_should(client):
    story = rich_story(1)
    draft = ArticleFactory(draft=True, category=story.category, headline="Lo más nuevo")
    assert "Lo más nuevo" not in assert_same_page(client, story)

    publish_article(article=draft, user=UserFactory(is_superuser=True))

    assert "Lo más nuevo" in assert_same_page(client, story)


def test_unpublishing_takes_the_story_out_of_the_read_model(client):
    story = rich_story(1)
    assert StoryPage.objects.filter(pk=story.pk).exists()

    unpublish_article(article=story)

    assert not StoryPage.objects.filter(pk=story.pk).exists()
    assert client.get(story.get_absolute_url()).status_code == 410


def test_a_scheduled_story_keeps_its_time(client):
    story = ArticleFactory(scheduled=True)
    assert StoryPage.objects.filter(pk=story.pk).exists()
    assert client.get(story.get_absolute_url()).status_code == 404

    Article.objects.filter(pk=story.pk).update(published_at=timezone.now() - timedelta(minutes=1))

    assert client.get(story.get_absolute_url()).status_code == 200


def test_drafts_never_enter_the_read_model_and_previews_show_the_draft(client):
    editor = UserFactory(is_superuser=True, is_staff=True)
    draft = ArticleFactory(draft=True, headline="Borrador secreto")
    published = ArticleFactory(headline="Titular publicado")
    published.headline = "Titular nuevo"
    published.status = Article.Status.IN_REVIEW
    published.save()

    assert not StoryPage.objects.filter(pk__in=[draft.pk, published.pk]).exists()
    assert client.get(published.get_absolute_url()).status_code == 404
    client.force_login(editor)
    for story, headline in ((draft, "Borrador secreto"), (published, "Titular nuevo")):
        preview = client.get(reverse("articles:preview", args=[story.pk]))
        assert headline in preview.content.decode()


def test_write_every_page_fills_the_table_for_stories_written_without_signals():
    stories = [rich_story(1, section=CategoryFactory()) for _ in range(2)]
    withdrawn = ArticleFactory()
    draft = ArticleFactory(draft=True)
    # update() sends no signals: one story lost its row, one was taken down behind its back.
    StoryPage.objects.filter(pk=stories[0].pk).delete()
    Article.objects.filter(pk=withdrawn.pk).update(status=Article.Status.UNPUBLISHED)

    written = story_pages.write_every_page()

    assert written == Article.objects.filter(status=Article.Status.PUBLISHED).count()
    assert set(StoryPage.objects.values_list("pk", flat=True)) >= {s.pk for s in stories}
    assert not StoryPage.objects.filter(pk__in=[draft.pk, withdrawn.pk]).exists()


@pytest.mark.django_db(transaction=True)
def test_a_story_published_while_its_author_is_renamed_gets_the_new_name():
    """Two transactions on PostgreSQL: one renames a person without signals and rewrites the
    rows it knows of; the other publishes a story they sign meanwhile. Whichever writes
    second must read after the other's commit, or the new story keeps the old name."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one transaction write at a time")
    author = AuthorFactory(name="Nombre Viejo")
    story = ArticleFactory(draft=True, authors=[author])
    renamed, published = threading.Event(), threading.Event()

    def rename():
        try:
            with transaction.atomic():
                Author.objects.filter(pk=author.pk).update(name="Nombre Nuevo")
                shown_by = StoryPage.objects.filter(article__bylines__author=author)
                story_pages.write_pages(shown_by.values_list("pk", flat=True))
                renamed.set()
                published.wait(timeout=3)  # the other finished, or it waits for this commit
        finally:
            connection.close()

    renaming = threading.Thread(target=rename)
    renaming.start()
    assert renamed.wait(timeout=10)
    story.status = Article.Status.PUBLISHED
    story.published_at = timezone.now() - timedelta(minutes=1)
    story.save()
    published.set()
    renaming.join()

    (row,) = StoryPage.objects.filter(pk=story.pk).values_list("story", flat=True)
    assert [byline["name"] for byline in row["relations"]["bylines"]] == ["Nombre Nuevo"]
