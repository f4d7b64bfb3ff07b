"""Checks before publishing, and times the desk can trust: held stories, an editor's
override with its reason, states named as readers see them, times in the newsroom's zone."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import translation
from reversion.models import Version

from articles import publishing, story_states
from articles.models import Article, ArticleTransition
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db
BROKEN = "Un párrafo con un [enlace roto](/historias/no-existe/)."
NEWSROOM = ZoneInfo("America/Mexico_City")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def transition(client, article, **data):
    return client.post(
        reverse("admin:articles_article_transition", args=[article.pk]),
        {"to": "published", **data},
        follow=True,
    )


def test_a_broken_internal_link_holds_publishing_with_the_list_of_problems(editor):
    article = ArticleFactory(in_review=True, body=BROKEN, dek="")
    response = transition(client_for(editor), article)
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW
    text = " ".join(str(message) for message in response.context["messages"])
    assert "enlace a una página de este sitio que no existe" in text
    assert "falta el sumario" in text
    page = client_for(editor).get(reverse("admin:articles_article_change", args=[article.pk]))
    assert "data-held" in page.content.decode()
    assert "data-override-reason" in page.content.decode()


def test_an_editor_publishes_anyway_and_the_reason_is_in_the_history(editor):
    article = ArticleFactory(in_review=True, body=BROKEN)
    transition(client_for(editor), article, override_reason="La página sale en una hora")
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    row = ArticleTransition.objects.get(article=article)
    assert row.override_reason == "La página sale en una hora"
    assert (
        "La página sale en una hora"
        in Version.objects.get_for_object(article)[0].revision.get_comment()
    )
    page = client_for(editor).get(reverse("admin:articles_article_change", args=[article.pk]))
    assert "La página sale en una hora" in page.content.decode()


def test_publishing_anyway_needs_the_editors_right(db):
    # May publish, may not override: the right to publish anyway is the editor's alone.
    from django.contrib.auth.models import Permission

    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["publish_article", "edit_any_article", "change_article"]
        )
    )
    article = ArticleFactory(in_review=True, body=BROKEN)
    with pytest.raises(PermissionDenied):
        publishing.publish_article(
            article=Article.objects.get(pk=article.pk), user=user, override_reason="Porque sí"
        )
    assert Article.objects.get(pk=article.pk).status == Article.Status.IN_REVIEW


def test_a_reporter_cannot_override(reporter):
    article = ArticleFactory(in_review=True, body=BROKEN, authors=[reporter.author_profile])
    response = client_for(reporter).post(
        reverse("admin:articles_article_transition", args=[article.pk]),
        {"to": "published", "override_reason": "Yo digo"},
    )
    assert response.status_code == 403
    assert Article.objects.get(pk=article.pk).status == Article.Status.IN_REVIEW


def test_headline_body_section_and_byline_cannot_be_overridden(editor):
    article = ArticleFactory(in_review=True, category=None)
    transition(client_for(editor), article, override_reason="Urge")
    assert Article.objects.get(pk=article.pk).status == Article.Status.IN_REVIEW


def test_a_fixed_story_publishes_without_a_reason(editor):
    article = ArticleFactory(in_review=True, body=BROKEN)
    article.body = "Ahora con un [enlace bueno](https://example.org/)."
    article.save()
    transition(client_for(editor), article)
    assert Article.objects.get(pk=article.pk).status == Article.Status.PUBLISHED
    assert ArticleTransition.objects.get(article=article).override_reason == ""


def test_scheduling_reads_the_time_in_the_newsroom_zone_and_the_history_says_when(
    editor, settings, time_machine
):
    time_machine.move_to(datetime(2026, 12, 5, 12, 0, tzinfo=NEWSROOM), tick=False)
    article = ArticleFactory(in_review=True)
    with translation.override("es"):
        transition(client_for(editor), article, at="2026-12-05T18:00")
        article.refresh_from_db()
        assert article.published_at == datetime(2026, 12, 5, 18, 0, tzinfo=NEWSROOM)
        label = story_states.story_state(article)
        assert label == "Programada para el 5 de diciembre de 2026 a las 18:00"
        comment = Version.objects.get_for_object(article)[0].revision.get_comment()
        assert comment == "En revisión → Programada para el 5 de diciembre de 2026 a las 18:00"
        page = client_for(editor).get(reverse("admin:articles_article_change", args=[article.pk]))
        assert page.content.decode().count(label) >= 2  # the state and the audit trail
        assert "America/Mexico_City" in page.content.decode()


@pytest.mark.parametrize(
    ("values", "label"),
    [
        ({"draft": True}, "Borrador"),
        ({"in_review": True}, "En revisión"),
        ({}, "Publicada"),
        ({"status": Article.Status.UNPUBLISHED}, "Retirada"),
    ],
)
def test_states_are_named_as_readers_see_them(db, values, label):
    with translation.override("es"):
        assert story_states.story_state(ArticleFactory(**values)) == label


def test_the_story_list_names_a_scheduled_story_with_its_time(editor, time_machine):
    time_machine.move_to(datetime(2026, 12, 5, 12, 0, tzinfo=NEWSROOM), tick=False)
    ArticleFactory(published_at=datetime(2026, 12, 5, 18, 0, tzinfo=NEWSROOM))
    page = client_for(editor).get(reverse("admin:articles_article_changelist")).content.decode()
    assert "Programada para el 5 de diciembre de 2026 a las 18:00" in page
