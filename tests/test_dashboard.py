"""The newsroom's desk as the admin's start page, and an admin that speaks the newsroom's
language: only the sections editors use, Spanish roles, messages that agree in gender."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from articles import dashboard, roles
from articles.models import Article
from tests.factories import ArticleFactory, CorrectionFactory, UserFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 5, 12, 0, tzinfo=ZoneInfo("America/Mexico_City"))


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def lines(section) -> list[str]:
    return [line.story.headline for line in section]


@pytest.fixture
def newsroom(reporter, time_machine):
    time_machine.move_to(NOW, tick=False)
    mine = [reporter.author_profile]
    return {
        "own_draft": ArticleFactory(draft=True, headline="Mi borrador", authors=mine),
        "own_review": ArticleFactory(in_review=True, headline="Mi revisión", authors=mine),
        "other_review": ArticleFactory(in_review=True, headline="Revisión ajena"),
        "scheduled": ArticleFactory(
            headline="Programada ajena", published_at=NOW + timedelta(hours=6)
        ),
        "today": ArticleFactory(headline="De hoy", published_at=NOW - timedelta(hours=1)),
        "yesterday": ArticleFactory(headline="De ayer", published_at=NOW - timedelta(days=1)),
    }


def test_a_reporter_sees_their_own_work_and_what_readers_see(reporter, newsroom):
    Article.objects.filter(pk=newsroom["other_review"].pk).update(
        todos=[{"code": "dek", "count": 1}]
    )
    desk = dashboard.desk_for(reporter)
    assert set(lines(desk.my_drafts)) == {"Mi revisión", "Mi borrador"}
    assert desk.awaiting_review is None
    assert lines(desk.scheduled) == []  # someone else's unpublished story
    assert lines(desk.published_today) == ["De hoy"]
    assert lines(desk.with_todos) == []


def test_an_editor_sees_the_review_queue_and_the_schedule_with_times(editor, newsroom):
    Article.objects.filter(pk=newsroom["other_review"].pk).update(
        todos=[{"code": "dek", "count": 1}]
    )
    desk = dashboard.desk_for(editor)
    assert set(lines(desk.awaiting_review)) == {"Mi revisión", "Revisión ajena"}
    assert lines(desk.scheduled) == ["Programada ajena"]
    assert desk.scheduled[0].state.startswith(
        "Programada para el 5 de diciembre de 2026 a las 18:00"
    )
    assert lines(desk.with_todos) == ["Revisión ajena"]
    page = client_for(editor).get(reverse("admin:index")).content.decode()
    assert 'data-desk-list="review"' in page
    assert "Programada para el 5 de diciembre de 2026 a las 18:00" in page


def test_the_start_page_costs_the_same_for_1_and_30_stories(
    editor, django_assert_max_num_queries, time_machine
):
    time_machine.move_to(NOW, tick=False)
    client = client_for(editor)

    def count_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("admin:index")).status_code == 200
        return len(queries)

    ArticleFactory(in_review=True)
    few = count_queries()
    for number in range(10):
        ArticleFactory(in_review=True, todos=[{"code": "dek", "count": 1}])
        ArticleFactory(published_at=NOW + timedelta(hours=number + 1))
        CorrectionFactory(article=ArticleFactory(published_at=NOW - timedelta(minutes=number + 1)))
    assert count_queries() == few
    with django_assert_max_num_queries(few):
        client.get(reverse("admin:index"))


def test_library_sections_are_hidden_from_editors_not_from_superusers(editor):
    editor_page = client_for(editor).get(reverse("admin:index")).content.decode()
    boss = UserFactory(is_staff=True, is_superuser=True)
    boss_page = client_for(boss).get(reverse("admin:index")).content.decode()
    assert "app-axes" not in editor_page and "app-axes" in boss_page
    # Tags are listed with the newsroom's sections, not as a "Taggit" one.
    assert "app-taggit" not in boss_page and "/admin/taggit/tag/" in boss_page


def test_roles_have_spanish_names():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        roles.REPORTER,
        roles.EDITOR,
        roles.ADMIN,
    }
    assert not Group.objects.filter(name__in=["Reporter", "Editor", "Admin"]).exists()


def test_the_admin_messages_agree_with_a_feminine_story(editor):
    from tests.workflow_helpers import change_url, form_data

    article = ArticleFactory(headline="Los datos del agua")
    client = client_for(editor)
    response = client.post(
        change_url(article), form_data(client.get(change_url(article))), follow=True
    )
    text = " ".join(str(message) for message in response.context["messages"])
    assert "Los datos del agua</a>” se guardó correctamente." in text
    assert "El historia" not in text
