"""A readable history: word-level differences, and restoring from the history list after
being asked."""

import pytest
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from articles import publishing
from articles.word_diff import word_diff
from tests.factories import ArticleFactory
from tests.workflow_helpers import change_url, form_data


def test_whole_words_are_compared_never_pieces_of_them():
    html = word_diff("Vamos a colaborar con ellos.", "Vamos a colaboraron con ellas.")
    assert "<del>colaborar</del><ins>colaboraron</ins>" in html
    assert "<del>ellos</del><ins>ellas</ins>" in html
    assert "col<" not in html


def test_paragraphs_added_or_removed_are_marked_whole_and_text_is_escaped():
    html = word_diff("Uno.\n\nDos <b>.", "Uno.\n\nTres.\n\nCuatro.")
    assert "<p>Uno.</p>" in html
    assert "&lt;b&gt;" in html and "<b>" not in html
    assert "<ins>Cuatro.</ins>" in html or "<ins>Tres.</ins>" in html


def test_long_unchanged_stretches_are_shortened():
    before = "\n\n".join(f"Párrafo {n}." for n in range(10))
    after = before.replace("Párrafo 5.", "Párrafo cinco.")
    html = word_diff(before, after)
    assert "Párrafo 0." not in html and "…" in html
    assert "Párrafo 4." in html and "Párrafo 6." in html


@pytest.mark.django_db
def test_restore_from_the_history_list_asks_first(editor):
    client = Client()
    client.force_login(editor)
    article = ArticleFactory(draft=True, headline="Primera versión")
    publishing.submit_for_review(article=article, user=editor)
    data = form_data(client.get(change_url(article)))
    data.update(headline="Segunda versión")
    client.post(change_url(article), data)
    first = list(Version.objects.get_for_object(article))[-1]

    history = client.get(reverse("admin:articles_article_history", args=[article.pk]))
    restore_url = reverse("admin:articles_article_restore", args=[article.pk, first.pk])
    assert restore_url in history.content.decode()

    asked = client.get(restore_url)
    assert asked.status_code == 200
    assert "Primera versión" in asked.content.decode()
    article.refresh_from_db()
    assert article.headline == "Segunda versión"

    assert client.post(restore_url).status_code == 302
    article.refresh_from_db()
    assert article.headline == "Primera versión"


@pytest.mark.django_db
def test_a_reporter_is_not_asked_to_restore_someone_elses_story(reporter, editor):
    article = ArticleFactory(draft=True)
    publishing.submit_for_review(article=article, user=editor)
    version = Version.objects.get_for_object(article).get()
    client = Client()
    client.force_login(reporter)
    url = reverse("admin:articles_article_restore", args=[article.pk, version.pk])
    assert client.get(url).status_code == 403
