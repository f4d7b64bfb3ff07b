"""Fronts (articles/front_pages.py): the places editors choose, the fallback to the newest
stories, the breaking-news banner, the page cache, and constant queries."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, BreakingNews, Front, FrontSlot
from articles.publishing import unpublish_article
from articles.querysets import seconds_until_next_publication
from tests.factories import ArticleFactory, CategoryFactory, ImageFactory

pytestmark = pytest.mark.django_db


def lead_of(html: str) -> str:
    """The lead story's markup on a front page."""
    start = html.index('class="front__lead"')
    end = html.find('class="front__secondary"')
    return html[start : end if end > 0 else html.index('class="front-rail"')]


def test_a_chosen_story_leads_the_home_page_and_the_newest_fill_the_rest(client):
    old = ArticleFactory(headline="Nota elegida", published_at=timezone.now() - timedelta(days=9))
    newest = ArticleFactory(headline="Nota más nueva")
    FrontSlot.objects.create(front=Front.objects.create(), position=1, article=old)

    html = client.get("/").content.decode()

    assert "Nota elegida" in lead_of(html)
    assert "Nota más nueva" not in lead_of(html)
    assert newest.get_absolute_url() in html[html.index('class="front__secondary"') :]


def test_an_unpublished_or_expired_choice_falls_back_to_the_newest_story(client, editor):
    chosen = ArticleFactory(headline="Elegida", published_at=timezone.now() - timedelta(days=2))
    ArticleFactory(headline="La más nueva")
    front = Front.objects.create()
    slot = FrontSlot.objects.create(front=front, position=1, article=chosen)
    assert "Elegida" in lead_of(client.get("/").content.decode())

    unpublish_article(article=chosen, user=editor)
    assert "La más nueva" in lead_of(client.get("/").content.decode())

    chosen.refresh_from_db()
    slot.article = ArticleFactory(headline="Fijada", published_at=chosen.published_at)
    slot.pinned_until = timezone.now() + timedelta(hours=1)
    slot.save()
    assert "Fijada" in lead_of(client.get("/").content.decode())
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        assert "La más nueva" in lead_of(client.get("/").content.decode())


def test_a_section_front_takes_its_own_choice_headline_and_square_crop(client):
    section = CategoryFactory(slug="agua", name="Agua")
    story = ArticleFactory(category=section, published_at=timezone.now() - timedelta(days=3))
    ArticleFactory(category=section)
    picture = ImageFactory(size=(1200, 800))
    FrontSlot.objects.create(
        front=Front.objects.create(section=section),
        position=1,
        article=story,
        headline="Titular corto",
        image=picture,
        crop=FrontSlot.Crop.SQUARE,
    )

    lead = lead_of(
        client.get(reverse("articles:section", kwargs={"slug": "agua"})).content.decode()
    )

    assert "Titular corto" in lead
    assert "/square-" in lead and 'fetchpriority="high"' in lead
    assert "Titular corto" not in client.get("/").content.decode()


def test_every_list_shows_the_lead_image_with_its_size_and_lazy_below_the_lead(client):
    section = CategoryFactory(slug="datos", name="Datos")
    for days in range(4):
        ArticleFactory(
            category=section,
            tags=["agua"],
            lead_image=ImageFactory(size=(800, 450)),
            published_at=timezone.now() - timedelta(days=days),
        )
    ArticleFactory(category=section, tags=["agua"], published_at=timezone.now() - timedelta(9))

    for url in ("/", "/secciones/datos/", "/temas/agua/", "/archivo/"):
        html = client.get(url).content.decode()
        assert 'width="800" height="450"' in html, url
        assert "srcset=" in html and "sizes=" in html, url
        assert 'loading="lazy"' in html and html.count('loading="eager"') == 1, url


def test_the_breaking_banner_shows_on_every_page_until_switched_off_or_expired(client):
    story = ArticleFactory(headline="Sismo en Oaxaca")
    other = ArticleFactory(headline="Otra nota")
    banner = BreakingNews.objects.create(
        article=story, expires_at=timezone.now() + timedelta(minutes=30)
    )
    for url in ("/", other.get_absolute_url(), "/organizaciones/"):
        assert 'class="breaking"' in client.get(url).content.decode(), url

    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert 'class="breaking"' not in client.get("/").content.decode()

    banner.active = False
    banner.save()
    assert 'class="breaking"' not in client.get("/").content.decode()


def test_a_stored_page_never_outlives_the_banner_or_a_pin(client, settings):
    settings.PAGE_CACHE_TIMEOUT = 3600
    story = ArticleFactory()
    BreakingNews.objects.create(article=story, expires_at=timezone.now() + timedelta(minutes=5))

    assert client.get("/").status_code == 200
    assert 290 < seconds_until_next_publication() <= 300

    slot = FrontSlot.objects.create(
        front=Front.objects.create(), position=1, article=story, pinned_until=timezone.now()
    )
    slot.pinned_until += timedelta(minutes=2)
    slot.save()
    assert 110 < seconds_until_next_publication() <= 120


def test_changing_a_front_refreshes_the_cached_home_page_and_only_pages_that_show_it(client):
    ArticleFactory(headline="Primera")
    chosen = ArticleFactory(headline="Segunda", published_at=timezone.now() - timedelta(days=1))
    front = Front.objects.create()
    story_url = chosen.get_absolute_url()
    assert "Primera" in lead_of(client.get("/").content.decode())
    client.get(story_url)
    assert client.get("/").headers["X-Page-Cache"] == "hit"
    assert client.get(story_url).headers["X-Page-Cache"] == "hit"

    FrontSlot.objects.create(front=front, position=1, article=chosen)

    home = client.get("/")
    assert home.headers["X-Page-Cache"] == "miss"
    assert "Segunda" in lead_of(home.content.decode())
    # The story's own page does not show the home front: it stays stored.
    assert client.get(story_url).headers["X-Page-Cache"] == "hit"


def test_a_story_unpublished_from_the_banner_hides_it(client, editor):
    story = ArticleFactory(headline="Ya no")
    BreakingNews.objects.create(article=story)
    unpublish_article(article=story, user=editor)

    assert 'class="breaking"' not in client.get("/").content.decode()


@pytest.mark.parametrize("count", [1, 12])
def test_the_home_front_reads_in_the_same_few_queries_for_any_places_sections_or_images(
    client, django_assert_max_num_queries, count, committed
):
    from tests.test_views import MAX_QUERIES_FRONT_PAGE

    front = Front.objects.create()
    with committed():
        for number in range(count):
            section = CategoryFactory()
            story = ArticleFactory(
                category=section,
                lead_image=ImageFactory(size=(640, 360)),
                published_at=timezone.now() - timedelta(days=number + 1),
            )
            if number < 5:
                FrontSlot.objects.create(
                    front=front, position=number + 1, article=story, image=ImageFactory()
                )
            ArticleFactory(category=section, lead_image=story.lead_image)
        BreakingNews.objects.create(article=Article.objects.first())

    with django_assert_max_num_queries(MAX_QUERIES_FRONT_PAGE):
        html = client.get("/").content.decode()

    # Sections whose stories all lead the front have no block of their own.
    assert html.count('class="section-block"') == (count if count > 2 else 0)
    assert 'class="breaking"' in html
