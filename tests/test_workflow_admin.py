"""The workflow through the admin, as reporters and editors use it: every forbidden path refused."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles import publishing
from articles.models import Article, ArticleAutosave, ArticleTransition, Correction
from articles.search import search_articles
from tests.factories import ArticleFactory, EditorFactory, ReporterFactory
from tests.workflow_helpers import change_url, form_data

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def own_draft(reporter):
    return ArticleFactory(draft=True, authors=[reporter.author_profile], headline="Borrador")


def snapshot(article):
    article.refresh_from_db()
    return (article.status, article.published_at, article.headline, article.edit_version)


def test_reporter_posting_published_status_in_the_form_changes_only_the_text(reporter, own_draft):
    client = client_for(reporter)
    data = form_data(client.get(change_url(own_draft)))
    data.update(status="published", published_at_0="2020-01-01", headline="Nuevo titular")
    response = client.post(change_url(own_draft), data)
    assert response.status_code == 302
    own_draft.refresh_from_db()
    assert own_draft.status == Article.Status.DRAFT
    assert own_draft.published_at is None
    assert own_draft.headline == "Nuevo titular"


@pytest.mark.parametrize(
    "make_request",
    [
        lambda c, a: c.post(
            reverse("admin:articles_article_transition", args=[a.pk]), {"to": "published"}
        ),
        lambda c, a: c.post(
            reverse("admin:articles_article_transition", args=[a.pk]), {"to": "unpublished"}
        ),
        lambda c, a: c.post(reverse("admin:articles_article_correct", args=[a.pk]), {"text": "x"}),
        lambda c, a: c.post(reverse("admin:articles_article_share", args=[a.pk])),
        lambda c, a: c.post(reverse("admin:articles_article_delete", args=[a.pk]), {"post": "yes"}),
        lambda c, a: c.post(change_url(a), {"headline": "Cambiado"}),
        lambda c, a: c.post(reverse("admin:articles_article_autosave", args=[a.pk]), {"body": "x"}),
        lambda c, a: c.post(reverse("admin:articles_article_heartbeat", args=[a.pk])),
        lambda c, a: c.get(reverse("admin:articles_article_recoverlist")),
    ],
    ids=[
        "publish",
        "unpublish",
        "correct",
        "share",
        "delete",
        "edit",
        "autosave",
        "heartbeat",
        "recover",
    ],
)
def test_reporter_is_refused_on_a_published_story_of_their_own(reporter, make_request):
    article = ArticleFactory(authors=[reporter.author_profile], headline="Publicada")
    before = snapshot(article)
    response = make_request(client_for(reporter), article)
    assert response.status_code == 403
    assert snapshot(article) == before
    assert not Correction.objects.exists()
    assert not ArticleAutosave.objects.exists()


def test_reporter_cannot_schedule_own_story_in_review(reporter):
    article = ArticleFactory(in_review=True, authors=[reporter.author_profile])
    response = client_for(reporter).post(
        reverse("admin:articles_article_transition", args=[article.pk]),
        {"to": "published", "at": "2030-01-01T10:00"},
    )
    assert response.status_code == 403
    assert snapshot(article)[:2] == (Article.Status.IN_REVIEW, None)


def test_reporter_list_action_to_publish_is_not_offered(reporter, own_draft):
    client = client_for(reporter)
    response = client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish_selected", "_selected_action": [own_draft.pk]},
    )
    assert response.status_code in {200, 302}
    assert snapshot(own_draft)[0] == Article.Status.DRAFT


def test_reporter_cannot_preview_or_see_the_history_of_someone_elses_draft(reporter):
    other = ArticleFactory(draft=True)
    client = client_for(reporter)
    version_free_urls = [
        reverse("articles:preview", args=[other.pk]),
        reverse("admin:articles_article_history", args=[other.pk]),
        reverse("admin:articles_article_compare", args=[other.pk]) + "?from=1",
    ]
    for url in version_free_urls:
        assert client.get(url).status_code == 403, url


def test_reporter_cannot_restore_a_revision_of_a_published_story(reporter, editor):
    article = ArticleFactory(draft=True, authors=[reporter.author_profile], headline="Uno")
    publishing.publish_article(article=article, user=editor)
    version = Version.objects.get_for_object(article).first()
    response = client_for(reporter).post(
        reverse("admin:articles_article_restore", args=[article.pk, version.pk])
    )
    assert response.status_code == 403


def test_reporter_writes_a_story_which_becomes_theirs_and_submits_it(reporter):
    client = client_for(reporter)
    data = form_data(client.get(reverse("admin:articles_article_add")))
    data.update(headline="Nueva historia", slug="nueva-historia", body="Texto.")
    response = client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(slug="nueva-historia")
    assert publishing.is_author(reporter, article)
    client.post(
        reverse("admin:articles_article_transition", args=[article.pk]), {"to": "in_review"}
    )
    assert snapshot(article)[0] == Article.Status.IN_REVIEW
    assert ArticleTransition.objects.get(article=article).user == reporter


def test_editor_schedules_with_a_time_and_the_story_waits_for_it(editor):
    article = ArticleFactory(in_review=True)
    response = client_for(editor).post(
        reverse("admin:articles_article_transition", args=[article.pk]),
        {"to": "published", "at": "2031-02-03T10:00"},
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert timezone.localtime(article.published_at).strftime("%Y-%m-%d %H:%M") == "2031-02-03 10:00"
    assert not article.is_published


def test_editor_publishing_an_incomplete_story_gets_a_message_not_an_error(editor):
    article = ArticleFactory(in_review=True, body="")
    client = client_for(editor)
    response = client.post(
        reverse("admin:articles_article_transition", args=[article.pk]),
        {"to": "published"},
        follow=True,
    )
    assert response.status_code == 200
    assert snapshot(article)[0] == Article.Status.IN_REVIEW
    assert "body" in str(list(response.context["messages"])) or "cuerpo" in str(
        list(response.context["messages"])
    )


def test_a_bad_schedule_time_is_a_message(editor):
    article = ArticleFactory(in_review=True)
    response = client_for(editor).post(
        reverse("admin:articles_article_transition", args=[article.pk]),
        {"to": "published", "at": "mañana"},
        follow=True,
    )
    assert response.status_code == 200
    assert snapshot(article)[0] == Article.Status.IN_REVIEW


def test_the_audit_trail_shows_on_the_story_page(editor):
    article = ArticleFactory(in_review=True)
    publishing.publish_article(article=article, user=editor, note="Revisada por legal")
    response = client_for(editor).get(change_url(article))
    assert "Revisada por legal" in response.content.decode()


def test_two_editors_collide_and_the_second_keeps_their_text(editor):
    other_editor = EditorFactory(username="beatriz")
    article = ArticleFactory(headline="Original", body="Primer párrafo.")
    first, second = client_for(other_editor), client_for(editor)
    first_data = form_data(first.get(change_url(article)))
    second_data = form_data(second.get(change_url(article)))
    first_data.update(headline="Titular de Beatriz")
    assert first.post(change_url(article), first_data).status_code == 302
    # Both change the headline: a conflict (a change to different fields merges, test_merging).
    second_data.update(headline="Mi titular", body="Mi texto que no debe perderse.")
    response = second.post(change_url(article), second_data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Mi texto que no debe perderse." in page
    assert "Titular de Beatriz" in page  # the other editor's version, beside this one's
    assert "beatriz" in page
    article.refresh_from_db()
    assert article.headline == "Titular de Beatriz"
    assert article.body == "Primer párrafo."
    # After seeing the diff, saving again goes through.
    retry = form_data(response)
    retry.update(body="Mi texto que no debe perderse.")
    assert second.post(change_url(article), retry).status_code == 302
    article.refresh_from_db()
    assert article.body == "Mi texto que no debe perderse."


def test_a_publish_between_opening_and_saving_merges_and_keeps_the_state(editor):
    # Issue 23: the publish changed none of the form's fields, so the edit merges with it.
    article = ArticleFactory(in_review=True)
    client = client_for(editor)
    data = form_data(client.get(change_url(article)))
    publishing.publish_article(article=article, user=EditorFactory())
    data.update(headline="Otro")
    assert client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.headline == "Otro"
    assert article.status == Article.Status.PUBLISHED


def test_the_edit_page_says_who_else_has_the_story_open(editor):
    article = ArticleFactory()
    client_for(EditorFactory(username="carla")).get(change_url(article))
    page = client_for(editor).get(change_url(article)).content.decode()
    assert "carla" in page


def test_presence_expires(editor, time_machine):
    time_machine.move_to("2026-05-01 12:00:00+00:00", tick=False)
    article = ArticleFactory()
    client_for(EditorFactory(username="carla")).get(change_url(article))
    time_machine.move_to("2026-05-01 12:10:00+00:00", tick=False)
    answer = client_for(editor).post(reverse("admin:articles_article_heartbeat", args=[article.pk]))
    assert answer.json() == {"others": []}


def test_autosave_is_kept_and_offered_back_when_newer_than_the_story(reporter, own_draft):
    client = client_for(reporter)
    url = reverse("admin:articles_article_autosave", args=[own_draft.pk])
    assert client.post(url, {"body": "Lo que escribí antes de cerrar"}).status_code == 200
    page = client.get(change_url(own_draft)).content.decode()
    assert "antes de cerrar" in page
    assert "data-autosave-restore" in page
    client.post(url, {"discard": "1"})
    assert not ArticleAutosave.objects.exists()


def test_autosave_of_a_new_story_and_bad_input(reporter):
    client = client_for(reporter)
    url = reverse("admin:articles_article_autosave_new")
    assert client.post(url, {"headline": "Sin guardar"}).status_code == 200
    assert "Sin guardar" in client.get(reverse("admin:articles_article_add")).content.decode()
    assert client.post(url, {"headline": "x" * 5000}).status_code == 400
    assert client.post(url, {}).status_code == 400


def test_history_compare_and_restore_keep_the_state(editor):
    article = ArticleFactory(draft=True, headline="Primera versión")
    client = client_for(editor)
    publishing.publish_article(article=article, user=editor)
    data = form_data(client.get(change_url(article)))
    data.update(headline="Segunda versión")
    client.post(change_url(article), data)
    versions = list(Version.objects.get_for_object(article))
    assert len(versions) == 2
    history = client.get(reverse("admin:articles_article_history", args=[article.pk]))
    assert history.status_code == 200
    compare = client.get(
        reverse("admin:articles_article_compare", args=[article.pk]) + f"?from={versions[1].pk}"
    )
    assert "Primera versión" in compare.content.decode()
    assert "Segunda versión" in compare.content.decode()
    client.post(reverse("admin:articles_article_restore", args=[article.pk, versions[1].pk]))
    article.refresh_from_db()
    assert article.headline == "Primera versión"
    assert article.status == Article.Status.PUBLISHED
    assert Version.objects.get_for_object(article).count() == 3


def test_restore_brings_back_the_body_and_derives_its_html_again(editor):
    article = ArticleFactory(draft=True, body="Primer **párrafo** original.")
    client = client_for(editor)
    publishing.publish_article(article=article, user=editor)
    first = Version.objects.get_for_object(article).get()
    # A revision keeps the Markdown; the HTML, counts and search vector are derived again.
    assert "body" in first.field_dict
    assert not {"body_html", "word_count", "search_vector"} & set(first.field_dict)
    data = form_data(client.get(change_url(article)))
    data.update(body="Otro texto, mucho más largo que el primero y sin negritas.")
    client.post(change_url(article), data)

    client.post(reverse("admin:articles_article_restore", args=[article.pk, first.pk]))
    article.refresh_from_db()
    assert article.body == "Primer **párrafo** original."
    assert article.body_html == "<p>Primer <strong>párrafo</strong> original.</p>"
    assert article.word_count == 3
    assert [story.pk for story in search_articles("párrafo")] == [article.pk]
    assert list(search_articles("negritas")) == []


def test_revisions_keep_tags_for_compare_and_restore(editor):
    article = ArticleFactory(draft=True, tags=["agua", "presupuesto"])
    client = client_for(editor)
    publishing.publish_article(article=article, user=editor)
    data = form_data(client.get(change_url(article)))
    data.update(tags="agua, salud")
    client.post(change_url(article), data)
    assert sorted(article.tags.names()) == ["agua", "salud"]
    first = list(Version.objects.get_for_object(article))[-1]

    compare = client.get(
        reverse("admin:articles_article_compare", args=[article.pk]) + f"?from={first.pk}"
    ).content.decode()
    assert "agua, presupuesto" in compare and "agua, salud" in compare

    client.post(reverse("admin:articles_article_restore", args=[article.pk, first.pk]))
    assert sorted(article.tags.names()) == ["agua", "presupuesto"]


def test_restore_removes_bylines_added_later(editor):
    article = ArticleFactory(draft=True)
    publishing.submit_for_review(article=article, user=editor)
    version = Version.objects.get_for_object(article).get()
    article.bylines.create(author=ReporterFactory().author_profile, position=1)
    client_for(editor).post(
        reverse("admin:articles_article_restore", args=[article.pk, version.pk])
    )
    assert article.bylines.count() == 1


def test_editor_recovers_a_deleted_story(editor):
    article = ArticleFactory(draft=True, headline="Borrada por error")
    client = client_for(editor)
    data = form_data(client.get(change_url(article)))
    client.post(change_url(article), data)
    client.post(reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"})
    assert not Article.objects.exists()
    recover_list = client.get(reverse("admin:articles_article_recoverlist"))
    assert "Borrada por error" in recover_list.content.decode()
    version = Version.objects.get_deleted(Article).get()
    recover_url = reverse("admin:articles_article_recover", args=[version.pk])
    response = client.post(recover_url, form_data(client.get(recover_url)))
    assert response.status_code == 302
    assert Article.objects.get().headline == "Borrada por error"


def test_editor_adds_a_correction_and_shares_then_revokes_a_preview(editor):
    article = ArticleFactory()
    client = client_for(editor)
    client.post(
        reverse("admin:articles_article_correct", args=[article.pk]),
        {"kind": "update", "text": "Se agregó la respuesta del INAI."},
    )
    assert Correction.objects.get().kind == "update"
    client.post(reverse("admin:articles_article_share", args=[article.pk]))
    link = article.preview_links.get()
    client.post(reverse("admin:articles_article_revoke", args=[article.pk, link.pk]))
    link.refresh_from_db()
    assert link.revoked_at is not None


def test_preview_link_expiry_is_capped(editor):
    from articles.previews import MAX_LIFETIME, create_preview_link

    link = create_preview_link(
        article=ArticleFactory(), user=editor, expires_at=timezone.now() + timedelta(days=365)
    )
    assert link.expires_at <= timezone.now() + MAX_LIFETIME
