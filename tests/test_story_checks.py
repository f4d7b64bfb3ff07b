"""A story's to-dos: what it lacks, worked out on save, listed and filtered in the admin."""

import pytest
from django.urls import reverse
from django.utils import translation

from articles import story_checks
from articles.models import Article
from articles.revisions import DERIVED_FIELDS
from articles.story_checks import Problem, editorial_problems, refresh_todos
from tests.factories import ArticleFactory
from tests.workflow_helpers import form_data

pytestmark = pytest.mark.django_db

UNDESCRIBED_IMAGES = "\n\n".join(f"![](https://example.org/foto-{n}.png)" for n in range(26))


def codes(problems):
    return {problem.code: problem.count for problem in problems}


def test_a_complete_story_has_no_problems():
    assert editorial_problems(ArticleFactory()) == []


def test_each_missing_thing_is_a_problem_with_its_count():
    story = ArticleFactory(
        dek="",
        category=None,
        authors=[],
        body=(
            f"{UNDESCRIBED_IMAGES}\n\n[sin destino]() y [otro]() y "
            "[perdido](/user/login?destination=node) y [bien](https://example.org/)."
        ),
    )
    assert codes(editorial_problems(story)) == {
        "alt_text": 26,
        "dek": 1,
        "section": 1,
        "byline": 1,
        "link_no_destination": 2,
        "link_nowhere": 1,
    }


def test_a_link_whose_target_is_not_an_address_has_no_destination():
    story = ArticleFactory(body="Ver [cultura](cultura ecologica) y [script](javascript:alert(1)).")
    assert codes(editorial_problems(story)) == {"link_no_destination": 2}


def test_an_image_missing_from_the_library_is_a_problem():
    story = ArticleFactory(body="![Una foto](image:999999)")
    assert codes(editorial_problems(story)) == {"image_broken": 1}


def test_bulk_writers_answer_for_rows_not_written_yet():
    story = Article(headline="Nueva", slug="nueva", dek="Un sumario", body="Texto.")
    story.body_html = "<p>Texto.</p>"
    assert codes(editorial_problems(story, has_section=True, has_byline=True)) == {}
    assert codes(editorial_problems(story, has_section=False, has_byline=False)) == {
        "section": 1,
        "byline": 1,
    }


def test_labels_are_counted_in_spanish():
    with translation.override("es"):
        assert Problem("alt_text", 26).label == "falta texto alternativo en 26 imágenes"
        assert Problem("alt_text", 1).label == "falta texto alternativo en 1 imagen"
        assert Problem("dek").label == "falta el sumario"


def test_refresh_stores_the_todos_and_clears_them_once_fixed():
    story = ArticleFactory(dek="")
    refresh_todos(story)
    assert Article.objects.get(pk=story.pk).todos == [{"code": "dek", "count": 1}]
    story.dek = "Ya tiene sumario."
    story.save()
    refresh_todos(story)
    assert Article.objects.get(pk=story.pk).todos == []
    assert story_checks.todos_of(story) == []


def test_saving_in_the_admin_keeps_the_todos(editor_client):
    story = ArticleFactory()
    change_url = reverse("admin:articles_article_change", args=[story.pk])
    data = form_data(editor_client.get(change_url))
    data.update(dek="", body=f"{UNDESCRIBED_IMAGES}\n\nTexto.")
    response = editor_client.post(change_url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    story.refresh_from_db()
    assert codes(story_checks.todos_of(story)) == {"alt_text": 26, "dek": 1}
    page = editor_client.get(change_url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "falta texto alternativo en 26 imágenes" in page


def test_the_story_list_filters_stories_with_todos(editor_client):
    lacking = ArticleFactory(headline="Le falta el sumario", dek="")
    refresh_todos(lacking)
    complete = ArticleFactory(headline="Completa")
    refresh_todos(complete)
    changelist = reverse("admin:articles_article_changelist")
    with_todos = editor_client.get(changelist, {"todos": "yes"}).content.decode()
    assert "Le falta el sumario" in with_todos and "Completa" not in with_todos
    without = editor_client.get(changelist, {"todos": "no"}).content.decode()
    assert "Completa" in without and "Le falta el sumario" not in without


def test_revisions_do_not_keep_the_todos():
    assert "todos" in DERIVED_FIELDS
