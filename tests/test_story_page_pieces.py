"""The story page printed from pieces stored with its read-model row
(``articles/story_page_pieces.py``): the very page the story's rows give, byte for byte, whether
the story's and its listed stories' rows have current pieces or not, in the same queries and
with the same cache tags; previews and readers in another language never print them."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from articles import story_fragments, story_page_pieces, tag_versions
from articles.models import Article, StoryPage
from articles.publishing import add_correction, unpublish_article
from tests.factories import ArticleFactory, CategoryFactory, UserFactory
from tests.test_story_pages import (
    QUERIES_UNCACHED_STORY_PAGE,
    assert_same_page,
    page_from_the_story_rows,
    page_served,
    rich_story,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def story_with_pieces(committed):
    """``rich_story(count)``, committed: its row and its listed stories' carry their pieces."""

    def make(count):
        with committed():
            return rich_story(count)

    return make


def listed_beside(story) -> list[int]:
    """The stories the page lists as related or "More from" its section."""
    return list(
        Article.objects.published()
        .filter(category=story.category)
        .exclude(pk=story.pk)
        .values_list("pk", flat=True)
    )


def make_stale(*story_ids) -> None:
    """As after a deploy that changed a template: these rows' pieces are not current, and the
    process is new (it remembers nothing)."""
    StoryPage.objects.filter(pk__in=story_ids).update(rendered_with="stamp-of-another-release")
    tag_versions.forget_remembered()


def rewrite_piece(story_id, name, change) -> None:
    """Change a stored piece behind the read model's back (``change(text) -> text``)."""
    column = story_fragments.COLUMNS[name]
    pieces = getattr(StoryPage.objects.get(pk=story_id), column)
    pieces[name] = change(pieces[name])
    StoryPage.objects.filter(pk=story_id).update(**{column: pieces})


def in_blocks(change):
    """``change`` applied to each stored block of a ``story_page`` piece (JSON)."""

    def rewrite(text):
        piece = json.loads(text)
        piece["blocks"] = {name: change(block) for name, block in piece["blocks"].items()}
        return json.dumps(piece)

    return rewrite


def tags_of(response) -> set[str]:
    return set(response["Cache-Tag"].split(","))


@pytest.mark.parametrize("count", [1, 30])
@pytest.mark.parametrize("stale", ["none", "story", "listed", "some listed", "all"])
def test_the_page_is_the_page_its_rows_give_with_or_without_current_pieces(
    client, django_assert_max_num_queries, count, stale, story_with_pieces
):
    story = story_with_pieces(count)
    listed = listed_beside(story)
    stale_ids = {
        "none": [],
        "story": [story.pk],
        "listed": listed,
        "some listed": listed[::2],
        "all": [story.pk, *listed],
    }[stale]
    make_stale(*stale_ids)
    page_served(client, ArticleFactory(category=CategoryFactory()))  # the menu and window, read

    with django_assert_max_num_queries(QUERIES_UNCACHED_STORY_PAGE):
        page = page_served(client, story)

    assert page == page_from_the_story_rows(story)
    assert page.count('rel="tag"') == count


def test_the_page_prints_the_pieces_stored_with_the_rows(client, settings, story_with_pieces):
    """Proof the pieces are printed (not rendered again): a piece changed behind the read
    model's back shows; once its row is stale, the story's own text shows again."""
    settings.PAGE_CACHE = False
    story = story_with_pieces(1)
    related = listed_beside(story)[0]
    rewrite_piece(
        story.pk,
        "story_page",
        in_blocks(lambda text: text.replace(story.headline, "Pieza guardada")),
    )
    rewrite_piece(
        related, "related_item", lambda text: text.replace("<li>", '<li class="guardada">')
    )

    page = page_served(client, story)
    assert "Pieza guardada" in page and '<li class="guardada">' in page

    make_stale(story.pk, related)
    page = page_served(client, story)
    assert "Pieza guardada" not in page and "guardada" not in page
    assert page == page_from_the_story_rows(story)


def test_the_same_cache_tags_with_or_without_current_pieces(client, settings, story_with_pieces):
    settings.PAGE_CACHE = False  # every request renders its page
    story = story_with_pieces(3)
    with_pieces = client.get(story.get_absolute_url())

    make_stale(story.pk, *listed_beside(story))
    without = client.get(story.get_absolute_url())

    assert tags_of(with_pieces) == tags_of(without)
    authors = story.bylines.values_list("author", flat=True)
    organizations = story.organizations.values_list("pk", flat=True)
    assert {f"author:{pk}" for pk in authors} <= tags_of(without)
    assert {f"related:organization:{pk}" for pk in organizations} <= tags_of(without)
    assert {f"story:{pk}" for pk in listed_beside(story)[:4]} <= tags_of(without)


def test_a_listed_storys_new_headline_shows_at_once(client, story_with_pieces, committed):
    story = story_with_pieces(1)
    assert_same_page(client, story)
    related = Article.objects.get(pk=listed_beside(story)[0])
    with committed():
        related.headline = "Un titular relacionado nuevo"
        related.save()
    assert StoryPage.objects.get(pk=related.pk).rendered_with == story_fragments.current_stamp()

    assert "Un titular relacionado nuevo" in assert_same_page(client, story)


def test_a_section_rename_shows_at_once_and_the_old_address_redirects(
    client, story_with_pieces, committed
):
    story = story_with_pieces(1)
    old_address = story.get_absolute_url()
    assert_same_page(client, story)
    with committed():
        story.category.name, story.category.slug = "Rendición de cuentas", "rendicion-de-cuentas"
        story.category.save()
    story.refresh_from_db()

    response = client.get(old_address + "?utm_source=x")
    assert response.status_code == 301
    assert response["Location"] == story.get_absolute_url() + "?utm_source=x"
    page = assert_same_page(client, story)
    assert "Más de Rendición de cuentas" in page


def test_a_withdrawn_story_is_gone_whatever_its_row_held(client, story_with_pieces):
    story = story_with_pieces(1)
    assert_same_page(client, story)

    unpublish_article(article=story)

    assert client.get(story.get_absolute_url()).status_code == 410


def test_previews_never_print_stored_pieces(client, story_with_pieces):
    story = story_with_pieces(1)
    rewrite_piece(
        story.pk,
        "story_page",
        in_blocks(lambda text: text.replace(story.headline, "Pieza guardada")),
    )
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    preview = client.get(reverse("articles:preview", args=[story.pk])).content.decode()

    assert story.headline in preview and "Pieza guardada" not in preview


def test_a_row_with_the_current_stamp_but_no_piece_renders_the_story(client, story_with_pieces):
    story = story_with_pieces(2)
    page = StoryPage.objects.get(pk=story.pk)
    del page.fragments["story_page"]
    StoryPage.objects.filter(pk=story.pk).update(fragments=page.fragments)
    assert page.rendered_with == story_fragments.current_stamp()

    assert_same_page(client, story)


def test_a_reader_in_another_language_gets_the_story_rendered(story_with_pieces):
    story = story_with_pieces(1)
    assert story_page_pieces.story_for_page(story.slug).stored is not None
    with translation.override("en"):
        assert story_page_pieces.story_for_page(story.slug).stored is None
    with timezone.override("Europe/Madrid"):
        assert story_page_pieces.story_for_page(story.slug).stored is None


def test_the_outline_is_what_the_page_works_out_per_request(story_with_pieces):
    story = story_with_pieces(2)
    piece = json.loads(StoryPage.objects.get(pk=story.pk).fragments["story_page"])
    outline = piece["outline"]

    assert outline["fields"]["slug"] == story.slug
    assert sorted(outline["tags"]) == sorted(story.tags.values_list("pk", flat=True))
    assert sorted(outline["organizations"]) == sorted(
        story.organizations.values_list("pk", flat=True)
    )
    assert f"story:{story.pk}" in outline["page_tags"]
    assert set(piece["blocks"]) == set(story_page_pieces.STORED_BLOCKS)


def test_a_scheduled_story_has_pieces_and_still_waits_for_its_time(client, committed):
    with committed():
        story = ArticleFactory(scheduled=True)
    stamp = story_fragments.current_stamp()
    assert StoryPage.objects.filter(pk=story.pk, rendered_with=stamp).exists()
    assert client.get(story.get_absolute_url()).status_code == 404

    Article.objects.filter(pk=story.pk).update(published_at=timezone.now() - timedelta(minutes=1))

    assert client.get(story.get_absolute_url()).status_code == 200


def test_listed_items_are_read_again_only_when_one_of_them_changed(
    client, story_with_pieces, committed, settings
):
    """The items a story page lists are kept in the process until one of their stories
    changes what a list prints of it: a change elsewhere, or a correction to a listed story,
    reads none of them again; a listed story's new headline reads them again."""
    settings.PAGE_CACHE = False  # every request renders the page
    with committed():
        elsewhere = ArticleFactory(category=CategoryFactory(slug="deportes"))
    story = story_with_pieces(1)
    listed = Article.objects.get(pk=listed_beside(story)[0])
    page_served(client, story)

    with committed():
        elsewhere.headline = "Otro titular, en otra sección"
        elsewhere.save()
    with committed():
        add_correction(article=listed, text="La cifra era otra.")
    assert items_read(client, story) == 0
    assert_same_page(client, story)

    with committed():
        listed.headline = "Un titular relacionado nuevo"
        listed.save()
    assert items_read(client, story) == 1
    assert "Un titular relacionado nuevo" in assert_same_page(client, story)


def items_read(client, story) -> int:
    """How many reads of listed stories' rows the story page made (by id: the page's own
    row is read by its slug)."""
    with CaptureQueriesContext(connection) as queries:
        page_served(client, story)
    return sum(
        "articles_storypage" in query["sql"] and "slug" not in query["sql"]
        for query in queries.captured_queries
    )
