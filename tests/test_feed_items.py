"""Feed items stored with the stories' read-model rows (``articles/feed_items.py``): a feed
printed from them is byte for byte the feed written live, whatever mix of fresh, stale and
missing rows it reads; stored items follow corrections and renames at once."""

import calendar
from datetime import timedelta

import feedparser
import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import http_date

from articles import feed_items, story_fragments
from articles.models import Article, StoryPage
from articles.publishing import add_correction
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, OrganizationFactory
from tests.test_feeds import every_feed_url, fetch_feed

pytestmark = pytest.mark.django_db


@pytest.fixture
def newsroom(rich_story_factory, committed):
    """Three stories in one section with 3 authors, 5 tags, 5 organizations and corrections
    (one superseded), sharing one author, tag and organization, published a day apart."""
    with committed():
        section = CategoryFactory()
        author, organization = AuthorFactory(name="Compartida"), OrganizationFactory()
        stories = []
        for days in (3, 2, 1):
            story = rich_story_factory(
                category=section,
                published_at=timezone.now() - timedelta(days=days),
                body="Con [enlace](/archivo/) y ![gráfica](/media/g.png).",
            )
            story.bylines.create(author=author, position=9)
            story.tags.add("compartido")
            story.organizations.add(organization)
            first = add_correction(article=story, text=f"Cifra {days} <mal>.")
            add_correction(article=story, text=f"Cifra {days} corregida.", supersedes=first)
            add_correction(article=story, kind="update", text="Línea uno\nlínea dos.")
            stories.append(story)
    return stories


def feeds_of(client, urls) -> dict:
    """Each feed's bytes and Last-Modified, rendered now (the page cache emptied first)."""
    cache.clear()
    answers = {}
    for url in urls:
        response, _parsed = fetch_feed(client, url)
        answers[url] = (response.content, response.headers["Last-Modified"])
    return answers


def stale(*stories) -> None:
    """Make these stories' rows look written by another version of the code (another
    template, say): another stamp, other items."""
    for page in StoryPage.objects.filter(article__in=stories):
        page.feed_pieces[feed_items.RSS_ITEM] = "<item><title>Antes</title></item>"
        page.feed_pieces[feed_items.ATOM_ENTRY] = "<entry><title>Antes</title></entry>"
        page.rendered_with = "another stamp"
        page.save(update_fields=["feed_pieces", "rendered_with"])


def test_every_feed_is_the_same_from_stored_items_from_none_and_from_a_mix(client, newsroom):
    urls = every_feed_url(newsroom[0])
    assert all(
        page.rendered_with == story_fragments.current_stamp() for page in StoryPage.objects.all()
    )
    stored = feeds_of(client, urls)

    stale(newsroom[1])
    StoryPage.objects.filter(article=newsroom[2]).delete()  # a story without a row
    assert feeds_of(client, urls) == stored

    stale(*newsroom)
    live = feeds_of(client, urls)
    assert live == stored
    for url in urls[:2]:  # the site's feeds
        entries = feedparser.parse(live[url][0]).entries
        assert [entry.title for entry in entries] == [s.headline for s in newsroom[::-1]], url
        assert "Cifra 1 corregida." in entries[0].content[0].value, url


def test_a_stored_item_is_what_the_live_path_writes(newsroom):
    (story,) = Article.objects.filter(pk=newsroom[0].pk).for_feed()
    page = StoryPage.objects.get(article=story)
    # Kept apart from the story page's blocks, which a feed need not unpack.
    assert feed_items.RSS_ITEM not in page.fragments and "story_page" in page.fragments
    items = page.feed_pieces
    assert items[feed_items.RSS_ITEM] == feed_items.rss_item(story)
    assert items[feed_items.ATOM_ENTRY] == feed_items.atom_entry(story)
    assert "Cifra 3 corregida." in items[feed_items.RSS_ITEM]
    assert "/autores/" in items[feed_items.ATOM_ENTRY]
    assert "/autores/" not in items[feed_items.RSS_ITEM]


@pytest.mark.parametrize("count", [1, 30])
def test_stored_items_take_one_query_and_stale_ones_two_more(
    client, rich_story_factory, count, django_assert_max_num_queries, committed
):
    section = CategoryFactory()
    with committed():
        for _ in range(count):
            story = rich_story_factory(category=section)
            add_correction(article=story, text="Corregido.")
    urls = [
        reverse("articles:feed-rss"),
        reverse("articles:feed-atom"),
        reverse("articles:section-feed-atom", kwargs={"slug": section.slug}),
    ]
    for url in urls:
        cache.clear()
        # The change number, the section (for its feed), the stories with their items, the
        # next publication.
        with django_assert_max_num_queries(4 if "secciones" in url else 3):
            response = client.get(url)
        assert len(feedparser.parse(response.content).entries) == min(count, 20)

    stale(*Article.objects.all())
    for url in urls:
        cache.clear()
        # And the stories written live, with their relations.
        with django_assert_max_num_queries(6 if "secciones" in url else 5) as queries:
            client.get(url)
        assert len(queries) >= 4, url


@pytest.mark.parametrize(
    "traits",
    [
        {"listed": False},
        {"scheduled": True},
        {"embargoed_until": timezone.now() + timedelta(days=1)},
        {"unpublished": True},
    ],
)
def test_hidden_stories_stay_out_of_feeds_printed_from_stored_items(client, traits, committed):
    section = CategoryFactory()
    author, organization = AuthorFactory(), OrganizationFactory()
    shared = {"category": section, "tags": ["datos"], "organizations": [organization]}
    with committed():
        visible = ArticleFactory(authors=[author], **shared)
        hidden = ArticleFactory(authors=[author], **shared, **traits)
    for url in every_feed_url(visible):
        response, parsed = fetch_feed(client, url)
        assert hidden.headline.encode() not in response.content, url
        assert [entry.title for entry in parsed.entries] == [visible.headline], url


def test_a_correction_tops_the_stored_item_at_once(client, newsroom, committed):
    story = newsroom[-1]
    urls = every_feed_url(story)
    feeds_of(client, urls)  # stored in the page cache

    with committed():
        add_correction(article=story, kind="clarification", text="Aclaración nueva.")

    page = StoryPage.objects.get(article=story)
    assert page.rendered_with == story_fragments.current_stamp()
    for url in urls:
        _response, parsed = fetch_feed(client, url)
        content = parsed.entries[0].content[0].value
        assert content.startswith("<aside>"), url
        assert content.index("Aclaración nueva.") < content.index("Con "), url


def test_renaming_an_author_refreshes_the_feeds_printed_from_stored_items(
    client, newsroom, committed
):
    story = newsroom[-1]
    urls = [reverse("articles:feed-rss"), reverse("articles:feed-atom")]
    urls += [
        reverse(f"articles:section-feed-{kind}", kwargs={"slug": story.category.slug})
        for kind in ("rss", "atom")
    ]
    for url in urls:
        client.get(url)  # stored in the page cache
    author = story.bylines.first().author

    with committed():
        author.name = "Nombre Nuevo"
        author.save()
    assert StoryPage.objects.get(article=story).rendered_with == story_fragments.current_stamp()

    for url in urls:
        _response, parsed = fetch_feed(client, url)
        assert "Nombre Nuevo" in [a["name"] for a in parsed.entries[0].authors], url


def test_renaming_a_tag_refreshes_the_feeds_printed_from_stored_items(client, newsroom, committed):
    url = reverse("articles:feed-atom")
    client.get(url)
    tag = newsroom[-1].tags.get(name="tema-0")

    with committed():
        tag.name = "Tema renombrado"
        tag.save()

    _response, parsed = fetch_feed(client, url)
    assert "Tema renombrado" in {term.term for term in parsed.entries[0].tags}


def test_a_feed_in_another_language_is_written_live(client, newsroom, settings):
    assert settings.LANGUAGE_CODE == "es"
    url = reverse("articles:feed-rss")
    with translation.override("en"):
        _response, parsed = fetch_feed(client, url)
    content = parsed.entries[0].content[0].value
    assert "Corrections and updates" in content
    assert "Correcciones" not in content


def test_a_feed_is_dated_by_its_newest_correction_after_the_stories_revision(client):
    published = timezone.now().replace(microsecond=0) - timedelta(hours=2)
    story = ArticleFactory(published_at=published, revised_at=published + timedelta(minutes=1))
    earlier = published - timedelta(days=1)
    ArticleFactory(published_at=earlier, revised_at=earlier)
    corrected = published + timedelta(hours=1)
    with time_machine.travel(corrected, tick=False):
        add_correction(article=story, text="Corregido.")
    story.refresh_from_db()
    assert story.updated_for_readers < corrected  # the revision, not the save, dates it

    for url in (reverse("articles:feed-rss"), reverse("articles:feed-atom")):
        cache.clear()
        response, parsed = fetch_feed(client, url)
        assert response.headers["Last-Modified"] == http_date(corrected.timestamp()), url
        assert calendar.timegm(parsed.feed.updated_parsed) == corrected.timestamp(), url


def test_a_feed_compiled_once_lists_each_section_its_own_stories_at_each_moment(client, committed):
    """The site's and the sections' feeds run one statement compiled per process with each
    request's section and moment in it: every section gets its own stories, and a scheduled
    story enters when due."""
    with committed():
        water, sport = CategoryFactory(slug="agua"), CategoryFactory(slug="deportes")
        ArticleFactory(headline="La presa", category=water)
        ArticleFactory(headline="El clásico", category=sport)
        ArticleFactory(
            headline="La sequía", category=water, published_at=timezone.now() + timedelta(hours=1)
        )

    def titles(url):
        return {entry.title for entry in fetch_feed(client, url)[1].entries}

    water_feed = reverse("articles:section-feed-rss", args=["agua"])
    sport_feed = reverse("articles:section-feed-atom", args=["deportes"])
    assert titles(water_feed) == {"La presa"}
    assert titles(sport_feed) == {"El clásico"}
    assert titles(reverse("articles:feed-rss")) == {"La presa", "El clásico"}
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        assert titles(water_feed) == {"La presa", "La sequía"}
        assert titles(reverse("articles:feed-atom")) == {"La presa", "El clásico", "La sequía"}
    assert feed_items._planned_statement.cache_info().currsize >= 3
