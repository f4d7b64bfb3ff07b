"""List pages printed from the pieces stored with their stories (``articles/list_fragments.py``):
byte for byte the pages the stories render, whether every piece is fresh, none is (rendered
with another stamp, or no row at all) or some are; the same cache tags; hidden stories and
drafts never printed; a fixed number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from articles import list_fragments, story_fragments, tag_versions
from articles.models import Article, Front, FrontSlot, StoryPage
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CategoryFactory,
    ImageFactory,
    OrganizationFactory,
)

pytestmark = pytest.mark.django_db

CACHED = 1  # queries of a page served from the cache (tests/test_cache_tags.py)


@pytest.fixture
def newsroom(settings, committed):
    """Two sections of stories with pictures, 3 authors and 5 tags each, one of them chosen
    for the home page's lead with the front's own headline; a hidden story and a draft, the
    newest of all; pages of 8 stories."""
    settings.ARTICLES_PER_PAGE = 8
    with committed():
        now = timezone.now()
        water = CategoryFactory(slug="agua", name="Agua")
        sport = CategoryFactory(slug="deportes", name="Deportes")
        ana = AuthorFactory(slug="ana", name="Ana")
        organization = OrganizationFactory(slug="inai", name="INAI")
        stories = []
        for n in range(20):
            story = ArticleFactory(
                headline=f"Nota {n}",
                summary=f"Resumen de la nota {n}",
                category=water if n % 3 else sport,
                published_at=now - timedelta(hours=n + 1),
                lead_image=ImageFactory(size=(1200, 800)) if n % 2 else None,
                authors=[ana, *AuthorFactory.create_batch(2)],
                tags=["agua", *(f"tema-{n}-{k}" for k in range(4))],
                organizations=[organization],
            )
            stories.append(story)
        FrontSlot.objects.create(
            front=Front.objects.create(), position=1, article=stories[12], headline="Elegida"
        )
        hidden = ArticleFactory(headline="Nota oculta", category=water, listed=False, tags=["agua"])
        draft = ArticleFactory(headline="Nota en borrador", category=water, draft=True)
    return {"stories": stories, "water": water, "ana": ana, "hidden": hidden, "draft": draft}


def list_pages(newsroom) -> list[str]:
    when = timezone.localtime(newsroom["stories"][0].published_at)
    return [
        "/",
        "/?page=2",
        reverse("articles:section", kwargs={"slug": "agua"}),
        reverse("articles:section", kwargs={"slug": "agua"}) + "?page=2",
        reverse("articles:tag", kwargs={"slug": "agua"}),
        reverse("articles:author", kwargs={"slug": "ana"}),
        reverse("articles:organization", kwargs={"slug": "inai"}),
        reverse("articles:archive"),
        reverse("articles:archive-year", kwargs={"year": when.year}),
        reverse("articles:archive-month", kwargs={"year": when.year, "month": when.month}),
    ]


def render_all(client, urls) -> dict[str, str]:
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.content.decode()
    return pages


def fresh_rows() -> int:
    return StoryPage.objects.filter(rendered_with=story_fragments.current_stamp()).count()


def test_every_list_page_is_the_same_from_pieces_stale_rows_missing_rows_or_a_mix(
    client, newsroom, settings
):
    settings.PAGE_CACHE = False
    urls = list_pages(newsroom)
    assert fresh_rows() == StoryPage.objects.count() > 20
    from_pieces = render_all(client, urls)
    ids = [story.pk for story in newsroom["stories"]]

    # Some rows rendered under another stamp, some without a row (rendered from the story).
    StoryPage.objects.filter(article_id__in=ids[::3]).update(rendered_with="another")
    StoryPage.objects.filter(article_id__in=ids[1::3]).delete()
    mixed = render_all(client, urls)

    StoryPage.objects.update(rendered_with="another")
    from_stories = render_all(client, urls)
    StoryPage.objects.all().delete()
    without_rows = render_all(client, urls)

    for url in urls:
        assert mixed[url] == from_pieces[url], url
        assert from_stories[url] == from_pieces[url], url
        assert without_rows[url] == from_pieces[url], url
    home = from_pieces["/"]
    assert "Elegida" in home and 'class="section-block__story"' in home
    assert home.count('class="teaser"') == 9  # the chosen lead and the page's 8


def test_the_pieces_are_the_includes_a_page_renders(newsroom):
    story = newsroom["stories"][1]
    row = StoryPage.objects.get(article=story)
    # Kept apart from the large pieces (a list reads only the small column).
    pieces = row.list_pieces
    assert list_fragments.TEASER not in row.fragments and "story_page" in row.fragments
    assert pieces[list_fragments.TEASER].startswith('<article class="teaser">')
    assert 'class="kicker"' in pieces[list_fragments.TEASER]
    assert 'class="kicker"' not in pieces[list_fragments.SECTION_TEASER]
    assert 'loading="lazy"' in pieces[list_fragments.TEASER]
    assert 'fetchpriority="high"' in pieces[list_fragments.EAGER_TEASER]
    assert "teaser__headline--lead" in pieces[list_fragments.FRONT_LEAD]
    assert 'class="kicker"' not in pieces[list_fragments.SECTION_FRONT_SECONDARY]
    assert pieces[list_fragments.RAIL_STORY].startswith("<li><time")
    assert pieces[list_fragments.SECTION_BLOCK_STORY].startswith('<li class="section-block__story')
    assert pieces[list_fragments.SECTION_BLOCK_STORY].endswith("</li>")


def test_hidden_stories_and_drafts_stay_out_of_the_blocks_and_lists(client, newsroom, settings):
    settings.PAGE_CACHE = False
    for url in list_pages(newsroom):
        page = client.get(url).content.decode()
        assert "Nota oculta" not in page and "Nota en borrador" not in page, url


def test_a_story_kept_out_of_lists_leaves_the_section_blocks(client, newsroom, settings):
    settings.PAGE_CACHE = False
    # The front holds the chosen story and the 4 newest; the water block, the next 3.
    in_block = newsroom["stories"][4]
    assert f">{in_block.headline}<" in section_blocks_of(client.get("/").content.decode())

    Article.objects.filter(pk=in_block.pk).update(listed=False)
    tag_versions.forget_remembered()
    blocks = section_blocks_of(client.get("/").content.decode())
    assert f">{in_block.headline}<" not in blocks
    assert f">{newsroom['stories'][8].headline}<" in blocks  # the next newest water story


def section_blocks_of(html: str) -> str:
    return html[html.index('class="section-blocks"') : html.index("</main>")]


def queries_of(client, url, django_assert_max_num_queries) -> tuple[int, str]:
    with django_assert_max_num_queries(100) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), response.content.decode()


@pytest.mark.parametrize("rename", ["author", "section"])
def test_a_home_page_of_pieces_is_refreshed_when_a_listed_story_shows_a_renamed_subject(
    client, rename, django_assert_max_num_queries, settings, committed
):
    settings.ARTICLES_PER_PAGE = 10
    shared = CategoryFactory(slug="ciencia", name="Ciencia")
    person = AuthorFactory(slug="eva", name="Eva")
    now = timezone.now()
    # The oldest of ten stories: printed in the list below the front and the rail, and in its
    # section's block, both from pieces.
    with committed():
        listed = ArticleFactory(
            headline="La nota listada",
            category=shared,
            authors=[person],
            published_at=now - timedelta(days=2),
        )
        for n in range(9):
            ArticleFactory(headline=f"Otra {n}", published_at=now - timedelta(hours=n + 1))
    assert queries_of(client, "/", django_assert_max_num_queries)[0] > CACHED
    assert queries_of(client, "/", django_assert_max_num_queries)[0] == CACHED

    with committed():
        if rename == "author":
            person.name = "Eva María"
            person.save()
            new_name = "Eva María"
        else:
            shared.name = "Ciencia y salud"
            shared.save()
            new_name = "Ciencia y salud"
    assert fresh_rows() == StoryPage.objects.count()  # printed from pieces again

    count, home = queries_of(client, "/", django_assert_max_num_queries)
    (teaser,) = [
        teaser
        for teaser in home[home.index('class="teasers"') :].split("<article")
        if listed.headline in teaser
    ]
    assert count > CACHED and new_name in teaser


# The home page reads two sets of pieces: its page's stories' and its section blocks'.
@pytest.mark.parametrize(
    ("page", "reads"), [("/", 2), ("/?page=2", 1), ("/secciones/agua/", 1), ("/temas/agua/", 1)]
)
def test_stale_rows_cost_one_query_more_for_each_set_of_pieces_a_page_reads(
    client, newsroom, settings, page, reads, django_assert_max_num_queries
):
    settings.PAGE_CACHE = False
    client.get(page)  # what every page shares, read once per change
    fresh = queries_of(client, page, django_assert_max_num_queries)[0]
    StoryPage.objects.update(rendered_with="another")
    stale = queries_of(client, page, django_assert_max_num_queries)[0]
    assert stale <= fresh + reads


@pytest.mark.parametrize(
    "read_as",
    [lambda: translation.override("en"), lambda: timezone.override("Asia/Tokyo")],
    ids=["in another language", "in another time zone"],
)
def test_a_list_read_not_as_its_pieces_were_rendered_prints_none_of_them(
    client, newsroom, settings, read_as
):
    settings.PAGE_CACHE = False
    urls = ["/", reverse("articles:section", kwargs={"slug": "agua"}), "/temas/agua/"]
    as_rendered = render_all(client, urls)
    with read_as():
        with_fresh_rows = render_all(client, urls)
        StoryPage.objects.update(rendered_with="another")
        live = render_all(client, urls)
    for url in urls:
        assert live[url] != as_rendered[url], url  # the request's language or zone shows
        assert with_fresh_rows[url] == live[url], url


def test_pieces_of_several_sets_of_stories_come_in_one_query(newsroom, django_assert_num_queries):
    """``stored_pieces_of``: each set of stories with its own pieces, a story asked for in two
    sets in both, a story whose row is stale in neither, one query for all."""
    first, second, stale = (story.pk for story in newsroom["stories"][:3])
    StoryPage.objects.filter(article_id=stale).update(rendered_with="another")
    places = [list_fragments.FRONT_LEAD, list_fragments.RAIL_STORY]
    blocks = [list_fragments.SECTION_BLOCK_STORY]
    with django_assert_num_queries(1):
        by_place, by_block, nothing = list_fragments.stored_pieces_of(
            ([first, stale], places), ([second, first, stale], blocks), ([], blocks)
        )
    assert set(by_place) == {first} and set(by_block) == {first, second} and nothing == {}
    assert set(by_place[first]) == set(places) and set(by_block[first]) == set(blocks)
    row = StoryPage.objects.get(article_id=second)
    assert (
        by_block[second][list_fragments.SECTION_BLOCK_STORY]
        == (row.list_pieces[list_fragments.SECTION_BLOCK_STORY])
    )
