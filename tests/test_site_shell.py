"""The markup around every public page's own (``articles/site_shell.py``), rendered once per
process and kept: it must print what a page rendered whole would, whatever page, language,
search or settings came before."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from articles.models import Category
from tests.factories import ArticleFactory, CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _every_page_rendered(settings):
    """The page cache would answer the second request for a page from the first."""
    settings.PAGE_CACHE = False


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def current_links(html: str) -> list[str]:
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.DOTALL).group(0)
    return re.findall(r'<a href="([^"]+)" aria-current="page">', nav)


def search_box(html: str) -> str:
    return re.search(r'<input id="site-search-q"[^>]*>', html).group(0)


def test_each_section_page_marks_its_own_link_and_no_other_page_marks_one(client):
    water = CategoryFactory(slug="agua")
    CategoryFactory(slug="deportes")
    story = ArticleFactory(category=water)
    water_url = reverse("articles:section", args=["agua"])
    sport_url = reverse("articles:section", args=["deportes"])

    assert current_links(page(client, water_url)) == [water_url]
    assert current_links(page(client, sport_url)) == [sport_url]
    assert current_links(page(client, story.get_absolute_url())) == []
    assert current_links(page(client, "/")) == []
    assert current_links(page(client, water_url)) == [water_url]


def test_the_search_box_holds_the_query_on_the_search_page_only(client, db):
    hostile = '"><script>alert(1)</script>'
    searched = page(client, f"{reverse('articles:search')}?q=agua")
    assert 'value="agua"' in search_box(searched)
    searched = page(client, f"{reverse('articles:search')}?q={hostile}")
    assert "<script>alert(1)" not in searched
    assert 'value=""' in search_box(page(client, "/"))


def test_the_shell_follows_the_language_of_the_request(client, db):
    assert "Saltar al contenido" in page(client, "/")
    with translation.override("en"):
        english = page(client, reverse("articles:organizations"))
    assert "Skip to content" in english and "Saltar al contenido" not in english
    assert "Saltar al contenido" in page(client, reverse("articles:organizations"))


def test_the_shell_follows_the_site_name_in_the_settings(client, settings, db):
    assert "Otra redacción" not in page(client, "/")
    settings.SITE_NAME = "Otra redacción"
    home = page(client, "/")
    assert '<a class="site-name" href="/">Otra redacción</a>' in home
    assert "<footer" in home and home.count("Otra redacción") >= 2


def test_a_section_renamed_shows_in_every_page_shell_at_once(client, db):
    section = CategoryFactory(name="Agua", slug="agua")
    story = ArticleFactory(category=section)
    assert ">Agua</a>" in page(client, story.get_absolute_url())
    Category.objects.filter(pk=section.pk).update(name="Agua y ciudad")
    section.refresh_from_db()
    section.save()  # the save the admin makes: the sections' tag moves on
    assert ">Agua y ciudad</a>" in page(client, "/")
