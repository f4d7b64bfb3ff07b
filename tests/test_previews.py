"""Previews for the newsroom and for outsiders, withdrawn stories, corrections on the site."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles import previews, publishing
from articles.models import Article
from tests.factories import ArticleFactory, CorrectionFactory, EditorFactory, ReporterFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def assert_not_indexed(response):
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()


def test_author_previews_own_draft_with_the_public_template_and_a_banner():
    reporter = ReporterFactory()
    draft = ArticleFactory(draft=True, authors=[reporter.author_profile], headline="Secreto")
    response = client_for(reporter).get(reverse("articles:preview", args=[draft.pk]))
    assert response.status_code == 200
    assert '<h1 class="story__headline">Secreto</h1>' in response.content.decode()
    assert "preview-banner" in response.content.decode()
    assert_not_indexed(response)


def test_editor_previews_an_older_revision():
    editor = EditorFactory()
    article = ArticleFactory(draft=True, headline="Antes", body="Texto *antiguo* del cuerpo.")
    publishing.submit_for_review(article=article, user=editor)
    version = Version.objects.get_for_object(article).get()
    article.headline = "Después"
    article.body = "Texto nuevo del cuerpo."
    article.save()
    url = reverse("articles:preview", args=[article.pk]) + f"?version={version.pk}"
    page = client_for(editor).get(url).content.decode()
    assert "Antes" in page and "Después" not in page
    # The revision keeps the Markdown; its HTML is derived for the preview.
    assert "Texto <em>antiguo</em> del cuerpo." in page and "Texto nuevo" not in page


@pytest.mark.parametrize("version", ["abc", "999999"])
def test_preview_of_a_bad_revision_is_404(version):
    article = ArticleFactory(draft=True)
    url = reverse("articles:preview", args=[article.pk]) + f"?version={version}"
    assert client_for(EditorFactory()).get(url).status_code == 404


def test_anonymous_preview_goes_to_login():
    article = ArticleFactory(draft=True)
    response = Client().get(reverse("articles:preview", args=[article.pk]))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_shared_link_shows_the_current_draft_to_anyone_without_indexing():
    article = ArticleFactory(draft=True, headline="Para el abogado")
    link = previews.create_preview_link(article=article, user=EditorFactory())
    article.headline = "Para el abogado, versión 2"
    article.save()
    response = Client().get(link.get_absolute_url())
    assert response.status_code == 200
    assert "versión 2" in response.content.decode()
    assert_not_indexed(response)


def test_tampered_link_is_the_same_404_as_a_made_up_one():
    article = ArticleFactory(draft=True)
    link = previews.create_preview_link(article=article, user=None)
    tampered = link.get_absolute_url().replace(link.token[:4], "AAAA")
    made_up = reverse("articles:shared-preview", kwargs={"token": "no-existe:firma"})
    first, second = Client().get(tampered), Client().get(made_up)
    assert first.status_code == second.status_code == 404
    assert article.headline not in first.content.decode()


def test_expired_and_revoked_links_answer_410_without_the_story(time_machine):
    time_machine.move_to("2026-05-01 12:00:00+00:00", tick=False)
    article = ArticleFactory(draft=True, headline="Confidencial")
    expiring = previews.create_preview_link(
        article=article, user=None, expires_at=timezone.now() + timedelta(hours=1)
    )
    revoked = previews.create_preview_link(article=article, user=None)
    previews.revoke_preview_link(link=revoked, user=None)
    time_machine.move_to("2026-05-01 13:00:01+00:00", tick=False)
    for link in (expiring, revoked):
        response = Client().get(link.get_absolute_url())
        assert response.status_code == 410
        assert "Confidencial" not in response.content.decode()


def test_reporter_cannot_create_preview_links():
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        previews.create_preview_link(article=ArticleFactory(), user=ReporterFactory())


def test_unpublished_story_answers_410_and_a_never_published_draft_404():
    gone = ArticleFactory()
    url = gone.get_absolute_url()
    publishing.unpublish_article(article=gone, user=None)
    response = Client().get(url)
    assert response.status_code == 410
    assert gone.headline not in response.content.decode()
    draft = ArticleFactory(draft=True)
    assert Client().get(draft.get_absolute_url()).status_code == 404


def test_scheduled_story_address_is_404_until_its_time():
    article = ArticleFactory(scheduled=True)
    assert Client().get(article.get_absolute_url()).status_code == 404


def test_corrections_show_on_the_story_in_a_marked_box_newest_note_only():
    article = ArticleFactory()
    editor = EditorFactory()
    first = publishing.add_correction(article=article, user=editor, text="Decía 2015.")
    publishing.add_correction(article=article, user=editor, text="Es 2016.", supersedes=first)
    page = Client().get(article.get_absolute_url()).content.decode()
    assert 'role="note"' in page
    assert "Es 2016." in page
    assert "Decía 2015." not in page


def test_corrections_page_lists_only_published_stories():
    shown = CorrectionFactory(text="Visible")
    CorrectionFactory(article=ArticleFactory(unpublished=True), text="Retirada")
    page = Client().get(reverse("articles:corrections")).content.decode()
    assert "Visible" in page and shown.article.headline in page
    assert "Retirada" not in page


@pytest.mark.parametrize("count", [1, 30])
def test_corrections_page_query_count_does_not_grow(count, django_assert_max_num_queries):
    CorrectionFactory.create_batch(count)
    # 6: two more than before fronts and cache tags, the breaking-news banner (read once per
    # content change) and the page cache's read of the change number (articles/tag_versions.py).
    with django_assert_max_num_queries(6):
        assert Client().get(reverse("articles:corrections")).status_code == 200


def test_correction_moves_last_modified_in_the_feed(time_machine):
    import feedparser

    time_machine.move_to("2026-05-01 12:00:00+00:00", tick=False)
    article = ArticleFactory()
    time_machine.move_to("2026-05-04 12:00:00+00:00", tick=False)
    publishing.add_correction(article=article, user=None, text="Cifra corregida.")
    feed = feedparser.parse(Client().get(reverse("articles:feed-atom")).content)
    assert feed.entries[0].updated.startswith("2026-05-04")


@pytest.mark.threat(55)
def test_a_shared_link_stops_the_moment_its_story_is_unpublished_and_stays_dead():
    editor = EditorFactory()
    story = ArticleFactory(headline="Lo que se retiró")
    link = previews.create_preview_link(article=story, user=editor)
    address = link.get_absolute_url()
    assert Client().get(address).status_code == 200

    publishing.unpublish_article(article=story, user=editor)
    gone = Client().get(address)

    assert gone.status_code == 410
    assert "Lo que se retiró" not in gone.content.decode()
    # Back to draft, the old link stays dead: whoever held it was sent a story now withdrawn.
    publishing.return_to_draft(article=story, user=editor)
    assert Client().get(address).status_code == 410


@pytest.mark.threat(55)
def test_a_shared_link_is_dead_for_a_story_unpublished_without_the_workflow():
    story = ArticleFactory()
    address = previews.create_preview_link(article=story, user=None).get_absolute_url()
    Article.objects.filter(pk=story.pk).update(status=Article.Status.UNPUBLISHED)

    assert Client().get(address).status_code == 410


@pytest.mark.threat(55)
def test_a_shared_link_to_a_deleted_story_answers_404():
    story = ArticleFactory(draft=True, headline="Borrada")
    address = previews.create_preview_link(article=story, user=None).get_absolute_url()
    story.delete()

    response = Client().get(address)

    assert response.status_code == 404
    assert "Borrada" not in response.content.decode()
