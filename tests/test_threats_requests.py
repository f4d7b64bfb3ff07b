"""Threat catalogue entries about requests, text and publishing (see docs/security.md)."""

import re
import threading
import zoneinfo
from datetime import UTC, datetime, timedelta
from io import StringIO

import feedparser
import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from articles import editing, publishing, revisions
from articles.models import Article, ArticleTransition
from articles.rendering import render_markdown
from tests.factories import ArticleFactory, CategoryFactory, EditorFactory, UserFactory
from tests.test_admin import byline_management, change_form_data


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


# An unclosed right-to-left override, an emoji joined by a zero-width joiner, a combining flood.
HOSTILE_HEADLINE = "Informe \u202eodarep con 👩\u200d💻 y Z" + "\u0301" * 200
BIDI_CONTROL = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.mark.threat(21)
def test_t21_the_headline_is_kept_as_written_but_feed_titles_lose_bidi_controls(client, db):
    section = CategoryFactory(name="Justicia \u202eovitcefe", slug="justicia")
    story = ArticleFactory(headline=HOSTILE_HEADLINE, category=section)
    story.refresh_from_db()

    assert story.headline == HOSTILE_HEADLINE
    assert f">{HOSTILE_HEADLINE}</h1>" in client.get(story.get_absolute_url()).text
    for name in ("feed-rss", "feed-atom", "section-feed-rss", "section-feed-atom"):
        kwargs = {"slug": "justicia"} if name.startswith("section") else {}
        feed = feedparser.parse(client.get(reverse(f"articles:{name}", kwargs=kwargs)).content)
        title = feed.entries[0].title
        assert title == BIDI_CONTROL.sub("", HOSTILE_HEADLINE), name
        assert "\u200d" in title, name  # the joiner is not a bidi control: the emoji stays whole
        assert not BIDI_CONTROL.search(feed.feed.title), name


@pytest.mark.threat(21)
def test_t21_an_imported_post_with_bidi_controls_in_its_name_gets_a_plain_slug(db, tmp_path):
    posts = tmp_path / "site" / "_posts"
    posts.mkdir(parents=True)
    (posts / "2017-05-24-informe-\u202eodarep\u200d.md").write_text(
        f'---\ntitle: "{HOSTILE_HEADLINE}"\ncategory: Justicia\n---\nTexto.\n', encoding="utf-8"
    )

    call_command("import_jekyll", str(tmp_path / "site"), stdout=StringIO())

    story = Article.objects.get()
    assert story.headline == HOSTILE_HEADLINE
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", story.slug), story.slug


def new_story_form(section, slug):
    """The add form's POST data for a draft with this slug, as the browser would send it."""
    return {
        "headline": "Última hora",
        "slug": slug,
        "dek": "",
        "body": "Lo que se sabe hasta ahora.",
        "summary": "",
        "published_at_0": "",
        "published_at_1": "",
        "category": section.pk,
        "tags": "",
        "listed": "on",
        "in_sitemaps": "on",
        **byline_management(0),
    }


@pytest.mark.threat(25)
def test_t25_a_slug_already_taken_is_a_form_error(staff_client, section):
    ArticleFactory(slug="ultima-hora")

    response = staff_client.post(
        reverse("admin:articles_article_add"), new_story_form(section, "ultima-hora")
    )

    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors


@pytest.mark.threat(25)
def test_t25_a_slug_taken_after_the_form_checked_it_gets_the_next_free_number(section):
    ArticleFactory(slug="ultima-hora")
    ArticleFactory(slug="ultima-hora-2")

    story = editing.save_new_article(
        article=Article(headline="Última hora", slug="ultima-hora", category=section)
    )

    assert story.pk is not None
    assert story.slug == "ultima-hora-3"
    assert Article.objects.filter(slug__startswith="ultima-hora").count() == 3


@pytest.mark.threat(25)
@pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="on SQLite the admin's transaction takes the write lock before the form is checked, "
    "so two creates cannot race; the race is PostgreSQL's",
)
@pytest.mark.django_db(transaction=True)
def test_t25_editors_creating_the_same_story_at_once_all_get_their_story():
    section = CategoryFactory()
    clients = []
    for _ in range(4):
        # A 500 is recorded as a status, not raised in the thread where nobody would see it.
        clients.append(Client(raise_request_exception=False))
        clients[-1].force_login(UserFactory(is_staff=True, is_superuser=True))
    start = threading.Barrier(len(clients))
    statuses = []

    def create(client):
        try:
            start.wait()
            response = client.post(
                reverse("admin:articles_article_add"), new_story_form(section, "ultima-hora")
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=[client]) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # A form error (200) is fine for whoever validated after another's commit; never a 500.
    assert len(statuses) == len(clients)
    assert set(statuses) <= {200, 302}, statuses
    slugs = set(Article.objects.values_list("slug", flat=True))
    assert len(slugs) == statuses.count(302)
    assert slugs <= {"ultima-hora", "ultima-hora-2", "ultima-hora-3", "ultima-hora-4"}


@pytest.mark.threat(57)
def test_t57_a_story_for_9_in_berlin_on_the_morning_clocks_go_forward_appears_at_9(
    client, db, settings
):
    settings.TIME_ZONE = "Europe/Berlin"
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    staff = Client()
    staff.force_login(EditorFactory())
    story = ArticleFactory(headline="Publicada a las nueve", draft=True)
    # On 29 March 2026 Berlin's clocks jump from 02:00 to 03:00: 09:00 is 07:00 UTC, not 08:00.
    nine = datetime(2026, 3, 29, 9, 0, tzinfo=berlin)
    with time_machine.travel(datetime(2026, 3, 28, 12, 0, tzinfo=berlin), tick=False) as clock:
        staff.post(
            reverse("admin:articles_article_transition", args=[story.pk]),
            {"to": "published", "at": "2026-03-29T09:00"},
        )
        story.refresh_from_db()
        assert story.published_at == nine
        assert story.published_at == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)

        clock.move_to(nine - timedelta(seconds=1))
        assert client.get(story.get_absolute_url()).status_code == 404
        assert "Publicada a las nueve" not in client.get("/").text
        assert "Publicada a las nueve" not in client.get(reverse("articles:feed-rss")).text

        clock.move_to(nine)
        assert client.get(story.get_absolute_url()).status_code == 200
        assert "Publicada a las nueve" in client.get("/").text
        assert "Publicada a las nueve" in client.get(reverse("articles:feed-rss")).text
