"""Threat catalogue entries about requests, text and publishing (see docs/security.md)."""

import feedparser
import pytest
from django.test import Client
from django.urls import reverse

from articles import publishing, revisions
from articles.models import ArticleTransition
from articles.rendering import render_markdown
from tests.factories import ArticleFactory, EditorFactory, UserFactory
from tests.test_admin import change_form_data


@pytest.mark.threat(15)
def test_t15_links_get_noopener_and_lose_their_target():
    html = render_markdown('<a href="https://fuente.example" target="_blank">fuente</a>')

    assert 'rel="noopener"' in html
    assert "target" not in html


@pytest.mark.threat(19)
def test_t19_a_post_with_more_than_1000_fields_is_a_400(client, db):
    fields = {f"campo{n}": "x" for n in range(1001)}

    assert client.post("/admin/login/", fields).status_code == 400


@pytest.mark.threat(22)
def test_t22_emoji_round_trip_to_the_page_and_the_feed(client, db):
    story = ArticleFactory(headline="Datos 😀 abiertos 🇲🇽", body="Cuerpo con 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 y 😀.")
    story.refresh_from_db()

    assert story.headline == "Datos 😀 abiertos 🇲🇽"
    assert "Datos 😀 abiertos 🇲🇽" in client.get(story.get_absolute_url()).text
    feed = feedparser.parse(client.get(reverse("articles:feed-rss")).content)
    assert feed.entries[0].title == "Datos 😀 abiertos 🇲🇽"


@pytest.fixture
def staff_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.threat(27)
def test_t27_a_headline_over_the_column_length_is_a_form_error(staff_client):
    story = ArticleFactory()

    response = staff_client.post(
        reverse("admin:articles_article_change", args=[story.pk]),
        change_form_data(story, headline="T" * 301),
    )

    assert response.status_code == 200
    assert "headline" in response.context["adminform"].form.errors


@pytest.mark.threat(24)
@pytest.mark.parametrize("slug", ["", "!!!", "😀"])
def test_t24_a_slug_that_is_empty_or_not_a_slug_is_a_form_error(staff_client, slug):
    story = ArticleFactory()

    response = staff_client.post(
        reverse("admin:articles_article_change", args=[story.pk]),
        change_form_data(story, slug=slug),
    )

    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors


@pytest.mark.threat(60)
def test_t60_a_workflow_post_without_a_csrf_token_is_a_403(db):
    story = ArticleFactory(draft=True)
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.post(
        reverse("admin:articles_article_transition", args=[story.pk]), {"to": "in_review"}
    )

    assert response.status_code == 403
    story.refresh_from_db()
    assert story.status == "draft"


@pytest.mark.threat(60)
def test_t60_a_get_never_changes_state(staff_client):
    story = ArticleFactory(draft=True)

    staff_client.get(
        reverse("admin:articles_article_transition", args=[story.pk]) + "?to=in_review"
    )

    story.refresh_from_db()
    assert story.status == "draft"


@pytest.mark.threat(69)
def test_t69_publishing_twice_records_one_publication_and_one_revision(db):
    story = ArticleFactory(draft=True)
    editor = EditorFactory()
    publishing.publish_article(article=story, user=editor)
    revisions_after_first = len(revisions.versions_of(story.pk))

    publishing.publish_article(article=story, user=editor)

    assert ArticleTransition.objects.filter(article=story, to_status="published").count() == 1
    assert len(revisions.versions_of(story.pk)) == revisions_after_first
