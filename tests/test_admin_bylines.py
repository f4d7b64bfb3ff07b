"""Byline order in the story form: positions are 0..n-1 in the order the editor gave."""

import pytest
from django.urls import reverse

from articles.models import Article, Byline
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory
from tests.test_admin import byline_management, change_form_data

pytestmark = pytest.mark.django_db


def byline_order(article):
    return [(b.author.name, b.position) for b in article.bylines.order_by("position", "id")]


def save(editor_client, article, **changes):
    response = editor_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        change_form_data(article, **changes),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


@pytest.fixture
def story():
    names = ["Ana", "Berta", "Carla"]
    return ArticleFactory(authors=[AuthorFactory(name=name) for name in names])


def test_posted_positions_order_the_byline_and_are_renumbered(editor_client, story):
    save(
        editor_client,
        story,
        **{"bylines-0-position": "9", "bylines-1-position": "5", "bylines-2-position": "5"},
    )
    assert byline_order(story) == [("Berta", 0), ("Carla", 1), ("Ana", 2)]


def test_equal_positions_keep_the_order_of_the_form(editor_client, story):
    save(
        editor_client,
        story,
        **{"bylines-0-position": "0", "bylines-1-position": "0", "bylines-2-position": "0"},
    )
    assert byline_order(story) == [("Ana", 0), ("Berta", 1), ("Carla", 2)]


def test_a_removed_author_leaves_no_gap(editor_client, story):
    save(editor_client, story, **{"bylines-0-DELETE": "on"})
    assert byline_order(story) == [("Berta", 0), ("Carla", 1)]


def test_a_new_author_without_a_position_goes_last(editor_client, story):
    newcomer = AuthorFactory(name="Daniela")
    data = {
        **byline_management(4, initial=3),
        "bylines-3-author": newcomer.pk,
        "bylines-3-position": "",
        "bylines-3-role": "",
    }
    save(editor_client, story, **data)
    assert byline_order(story) == [("Ana", 0), ("Berta", 1), ("Carla", 2), ("Daniela", 3)]


def test_a_new_story_takes_its_authors_in_the_order_typed(editor_client):
    section = CategoryFactory()
    authors = [AuthorFactory(name=name) for name in ("Ximena", "Yolanda", "Zoe")]
    data = {
        "headline": "Orden de la firma",
        "slug": "orden-de-la-firma",
        "dek": "Sumario.",
        "body": "Texto.",
        "summary": "",
        "published_at_0": "",
        "published_at_1": "",
        "category": section.pk,
        "tags": "",
        "listed": "on",
        "in_sitemaps": "on",
        **byline_management(3),
    }
    for index, author in enumerate(authors):
        data[f"bylines-{index}-author"] = author.pk
        data[f"bylines-{index}-position"] = ""
        data[f"bylines-{index}-role"] = ""
    response = editor_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(slug="orden-de-la-firma")
    assert byline_order(article) == [("Ximena", 0), ("Yolanda", 1), ("Zoe", 2)]


def test_the_new_row_offers_no_position_of_zero(editor_client):
    page = editor_client.get(reverse("admin:articles_article_add")).content.decode()
    assert 'name="bylines-0-position"' in page
    assert 'name="bylines-0-position" value="0"' not in page
    assert Byline._meta.get_field("position").default == 0  # the model's own default is kept
