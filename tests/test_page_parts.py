"""A stored story page whose related lists alone changed gets them rendered again, the rest
kept (``page_tags.render_part``, ``caching._with_part_refreshed``): a publication in a section
changes the "More from" list of every story page of the section, and nothing else on them.

The refreshed page is the page a whole render gives, byte for byte, with new validators and
tags; a change to anything else the page shows renders the page whole."""

import re

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse

from articles import caching, page_tags, publishing, views
from articles.models import StoryPage
from tests.factories import ArticleFactory, CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def section_desk(committed):
    """A section with two published stories (their pieces stored) and a draft ready."""
    with committed():
        water = CategoryFactory(name="Agua", slug="agua")
        reader = ArticleFactory(headline="La presa", category=water, tags=["presas"])
        ArticleFactory(headline="El acueducto", category=water, tags=["lluvia"])
        news = ArticleFactory(headline="Se seca el lago", category=water, draft=True)
    return reader, news


def fetch(client, story):
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    return response


def whole_page(client, monkeypatch, story) -> bytes:
    """The page rendered whole now (a cache that holds nothing yet)."""
    namespace = caching.KEY_NAMESPACE
    monkeypatch.setattr(caching, "KEY_NAMESPACE", f"{namespace}-whole")
    response = fetch(client, story)
    assert response["X-Page-Cache"] == "miss"
    monkeypatch.setattr(caching, "KEY_NAMESPACE", namespace)
    return response.content


def around_the_story(html: bytes) -> str:
    """The related and "More from" lists of a story page."""
    return "".join(re.findall(r'<aside class="related-stories".*?</aside>', html.decode(), re.S))


def test_a_publication_in_the_section_renders_only_the_lists_around_a_stored_story(
    client, monkeypatch, section_desk, committed
):
    reader, news = section_desk
    first = fetch(client, reader)
    assert first["X-Page-Cache"] == "miss"
    assert fetch(client, reader)["X-Page-Cache"] == "hit"
    assert "Se seca el lago" not in first.content.decode()

    with committed():
        publishing.publish_article(article=news)

    refreshed = fetch(client, reader)
    assert refreshed["X-Page-Cache"] == "part"
    assert "Se seca el lago" in around_the_story(refreshed.content)
    assert refreshed.content == whole_page(client, monkeypatch, reader)
    assert refreshed["ETag"] != first["ETag"]
    assert refreshed["Content-Length"] == str(len(refreshed.content))
    assert page_tags.story(news.pk) in refreshed["Surrogate-Key"].split()
    assert page_tags.story(news.pk) in refreshed["Cache-Tag"].split(",")
    # Stored again: the next reader gets it from the cache as it is.
    again = fetch(client, reader)
    assert again["X-Page-Cache"] == "hit" and again.content == refreshed.content
    # A reader holding the old page is sent the new one; one holding the new one, a 304.
    assert (
        client.get(reader.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
    )
    assert (
        client.get(reader.get_absolute_url(), HTTP_IF_NONE_MATCH=refreshed["ETag"]).status_code
        == 304
    )


def test_a_change_to_the_story_itself_renders_the_whole_page(client, section_desk, committed):
    reader, news = section_desk
    fetch(client, reader)
    with committed():
        reader.headline = "La presa, corregida"
        reader.save()
        publishing.publish_article(article=news)  # its lists changed too

    response = fetch(client, reader)
    assert response["X-Page-Cache"] == "miss"
    assert "La presa, corregida" in response.content.decode()
    assert "Se seca el lago" in around_the_story(response.content)


def test_a_listed_storys_new_headline_refreshes_the_lists_only(
    client, monkeypatch, section_desk, committed
):
    reader, _news = section_desk
    with committed():
        listed = ArticleFactory(headline="El manantial", category=reader.category)
    fetch(client, reader)
    with committed():
        listed.headline = "El manantial, seco"
        listed.save()

    response = fetch(client, reader)
    assert response["X-Page-Cache"] == "part"
    assert "El manantial, seco" in response.content.decode()
    assert response.content == whole_page(client, monkeypatch, reader)


def test_a_change_no_list_shows_keeps_the_page_as_stored(client, section_desk, committed):
    reader, _news = section_desk
    with committed():
        elsewhere = ArticleFactory(category=CategoryFactory(slug="deportes"), tags=["futbol"])
    fetch(client, reader)
    with committed():
        elsewhere.headline = "Otro partido"
        elsewhere.save()
    assert fetch(client, reader)["X-Page-Cache"] == "hit"


def test_a_page_naming_a_part_this_release_cannot_render_is_rendered_whole(
    client, section_desk, committed
):
    reader, news = section_desk
    fetch(client, reader)
    key = caching._page_key(RequestFactory().get(reader.get_absolute_url()))
    stored = cache.get(key)
    assert stored["part"]["name"] == views.AROUND_STORY
    stored["part"]["name"] = "a part of another release"
    cache.set(key, stored)
    with committed():
        publishing.publish_article(article=news)

    response = fetch(client, reader)
    assert response["X-Page-Cache"] == "miss"
    assert "Se seca el lago" in around_the_story(response.content)


def test_a_story_without_stored_pieces_is_stored_without_a_part(client, section_desk):
    """Rendered from the story itself (its row's pieces are not current), the page names no
    part, and any change it shows renders it whole."""
    reader, news = section_desk
    StoryPage.objects.filter(pk=reader.pk).update(rendered_with="another release")
    fetch(client, reader)
    publishing.publish_article(article=news)

    response = fetch(client, reader)
    assert response["X-Page-Cache"] == "miss"
    assert "Se seca el lago" in around_the_story(response.content)


def test_a_part_records_its_tags_apart_from_the_page():
    page_tags.register_part("test-part", lambda inputs: page_tags.shows(*inputs) or "<p>x</p>")
    try:
        token = page_tags.start_page()
        page_tags.shows("story:1")
        assert page_tags.render_part("test-part", ["story:2"]) == "<p>x</p>"
        # A second part is the page's own markup.
        page_tags.render_part("test-part", ["story:3"])
        outside, part = page_tags.end_page_with_part(token)
        assert outside == {page_tags.SITE, "story:1", "story:3"}
        assert part == page_tags.Part("test-part", ["story:2"], "<p>x</p>", frozenset({"story:2"}))
        # Outside a recorded page it is only markup.
        assert page_tags.render_part("test-part", ["story:4"]) == "<p>x</p>"
    finally:
        del page_tags._part_renderers["test-part"]


def test_the_section_page_is_never_refreshed_in_part(client, section_desk, committed):
    """Only pages that name a part are refreshed in part: a list page is rendered whole."""
    reader, news = section_desk
    url = reverse("articles:section", args=["agua"])
    client.get(url)
    with committed():
        publishing.publish_article(article=news)
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "Se seca el lago" in response.content.decode()
