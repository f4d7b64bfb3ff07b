"""Edits that never overwrite: a stale form is merged with what was saved since, and only
what both editors changed differently is a conflict with a choice."""

import pytest
from django.contrib import messages
from django.test import Client
from django.urls import reverse

from articles.merging import merge_text, merge_value
from tests.factories import ArticleFactory, AuthorFactory, EditorFactory
from tests.workflow_helpers import change_url, form_data

BASE = "Uno.\n\nDos.\n\nTres."


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_value_changed_on_one_side_takes_that_side():
    assert merge_value("a", "a", "b").value == "b"
    assert merge_value("a", "b", "a").value == "b"
    assert merge_value("a", "b", "b").value == "b"
    assert merge_value("a", "b", "c").conflict


def test_paragraphs_changed_on_different_sides_merge():
    merged = merge_text(BASE, "Uno cambiado.\n\nDos.\n\nTres.", "Uno.\n\nDos.\n\nTres otro.")
    assert not merged.conflict
    assert merged.value == "Uno cambiado.\n\nDos.\n\nTres otro."


def test_a_paragraph_added_by_each_side_in_different_places_merges():
    merged = merge_text(BASE, "Cero.\n\n" + BASE, BASE + "\n\nCuatro.")
    assert merged.value == "Cero.\n\nUno.\n\nDos.\n\nTres.\n\nCuatro."


def test_the_same_paragraph_changed_differently_is_a_conflict_with_both_versions():
    merged = merge_text(BASE, "Uno.\n\nDos mío.\n\nTres.\n\nCuatro.", "Uno.\n\nDos suyo.\n\nTres.")
    assert merged.conflict
    assert merged.clashes == [("Dos mío.", "Dos suyo.")]
    assert merged.mine == "Uno.\n\nDos mío.\n\nTres.\n\nCuatro."
    assert merged.theirs == "Uno.\n\nDos suyo.\n\nTres.\n\nCuatro."


def test_browser_line_endings_are_no_change():
    merged = merge_text(BASE, BASE.replace("\n", "\r\n"), "Uno.\n\nDos.\n\nTres otro.")
    assert merged.value == "Uno.\n\nDos.\n\nTres otro."


@pytest.fixture
def two_editors(db):
    return client_for(EditorFactory(username="ana")), client_for(EditorFactory(username="beto"))


def test_fields_only_the_other_editor_changed_keep_their_value(two_editors):
    ana, beto = two_editors
    article = ArticleFactory(headline="Original", dek="Dek original", body=BASE, tags=["agua"])
    ana_data = form_data(ana.get(change_url(article)))
    beto_data = form_data(beto.get(change_url(article)))
    ana_data.update(dek="Dek de Ana", tags="agua, salud", body="Uno de Ana.\n\nDos.\n\nTres.")
    assert ana.post(change_url(article), ana_data).status_code == 302
    beto_data.update(headline="Titular de Beto", body="Uno.\n\nDos.\n\nTres de Beto.")
    response = beto.post(change_url(article), beto_data, follow=True)
    assert [message.level for message in response.context["messages"]].count(messages.INFO) == 1
    article.refresh_from_db()
    assert article.headline == "Titular de Beto"
    assert article.dek == "Dek de Ana"
    assert sorted(article.tags.names()) == ["agua", "salud"]
    assert article.body == "Uno de Ana.\n\nDos.\n\nTres de Beto."


def test_bylines_only_the_other_editor_changed_stay(two_editors):
    ana, beto = two_editors
    article = ArticleFactory(headline="Original")
    ana_data = form_data(ana.get(change_url(article)))
    beto_data = form_data(beto.get(change_url(article)))
    second = AuthorFactory(name="Segunda Autora")
    total = int(ana_data["bylines-TOTAL_FORMS"])
    ana_data.update(
        {f"bylines-{total - 1}-author": str(second.pk), f"bylines-{total - 1}-position": "1"}
    )
    assert ana.post(change_url(article), ana_data).status_code == 302
    beto_data.update(headline="Titular de Beto")
    assert beto.post(change_url(article), beto_data).status_code == 302
    article.refresh_from_db()
    assert article.headline == "Titular de Beto"
    assert "Segunda Autora" in [byline.author.name for byline in article.bylines.all()]


def test_a_field_both_changed_is_a_conflict_resolved_by_choice(two_editors):
    ana, beto = two_editors
    article = ArticleFactory(headline="Original", dek="Dek original", body=BASE)
    ana_data = form_data(ana.get(change_url(article)))
    beto_data = form_data(beto.get(change_url(article)))
    ana_data.update(headline="Titular de Ana", body="Uno.\n\nDos de Ana.\n\nTres.")
    assert ana.post(change_url(article), ana_data).status_code == 302
    beto_data.update(
        headline="Titular de Beto", dek="Dek de Beto", body="Uno.\n\nDos de Beto.\n\nTres."
    )
    response = beto.post(change_url(article), beto_data)
    assert response.status_code == 200
    page = response.content.decode()
    conflicts = {conflict.name for conflict in response.context["merge_conflicts"]}
    assert conflicts == {"headline", "body"}
    assert page.index("data-merge-conflicts") < page.index('id="workflow-title"')
    assert "Titular de Ana" in page and "Dos de Ana." in page
    article.refresh_from_db()
    assert (article.headline, article.dek) == ("Titular de Ana", "Dek original")

    # Beto keeps Ana's headline and his own body; his dek (only his change) goes in too.
    retry = form_data(response)
    retry.update(
        {
            "merge-headline": "theirs",
            "merge-theirs-headline": "Titular de Ana",
            "merge-body": "mine",
        }
    )
    assert beto.post(change_url(article), retry).status_code == 302
    article.refresh_from_db()
    assert article.headline == "Titular de Ana"
    assert article.dek == "Dek de Beto"
    assert article.body == "Uno.\n\nDos de Beto.\n\nTres."


def test_a_second_user_sees_who_is_editing_since_when(two_editors, time_machine):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    time_machine.move_to(datetime(2026, 12, 5, 10, 42, tzinfo=ZoneInfo("America/Mexico_City")))
    ana, beto = two_editors
    article = ArticleFactory()
    ana.get(change_url(article))
    time_machine.shift(60)
    page = beto.get(change_url(article)).content.decode()
    assert "ana está editando desde las 10:42" in page
    heartbeat = reverse("admin:articles_article_heartbeat", args=[article.pk])
    assert ana.post(heartbeat).json() == {"others": ["beto está editando desde las 10:43"]}


def test_a_save_merged_after_a_publish_keeps_the_state_read_under_the_lock(editor, rf):
    """The form's story was read before the row was locked; a publish that came between
    must survive the merged save."""
    from django.contrib import admin
    from django.db import transaction

    from articles import publishing
    from articles.models import Article

    article = ArticleFactory(in_review=True, headline="Original")
    client = client_for(editor)
    data = form_data(client.get(change_url(article)))
    data["headline"] = "Titular nuevo"
    request = rf.post(change_url(article))
    request.user = editor
    stale = Article.objects.get(pk=article.pk)
    publishing.publish_article(article=Article.objects.get(pk=article.pk), user=editor)
    form_class = admin.site._registry[Article].get_form(request, stale)
    with transaction.atomic():
        form = form_class(data, instance=stale)
        assert form.is_valid(), form.errors
        form.save()
    article.refresh_from_db()
    assert article.headline == "Titular nuevo"
    assert article.status == Article.Status.PUBLISHED


def test_bylines_both_changed_are_a_conflict_and_theirs_can_be_kept(two_editors):
    ana, beto = two_editors
    article = ArticleFactory(headline="Original")
    ana_data = form_data(ana.get(change_url(article)))
    beto_data = form_data(beto.get(change_url(article)))
    last = int(ana_data["bylines-TOTAL_FORMS"]) - 1
    for data, name in ((ana_data, "Autora de Ana"), (beto_data, "Autor de Beto")):
        data.update(
            {
                f"bylines-{last}-author": str(AuthorFactory(name=name).pk),
                f"bylines-{last}-position": "1",
            }
        )
    assert ana.post(change_url(article), ana_data).status_code == 302
    response = beto.post(change_url(article), beto_data)
    assert [conflict.name for conflict in response.context["merge_conflicts"]] == ["bylines"]
    assert "Autora de Ana" in response.content.decode()

    retry = form_data(response)
    retry["merge-bylines"] = "theirs"
    assert beto.post(change_url(article), retry).status_code == 302
    names = {byline.author.name for byline in article.bylines.all()}
    assert "Autora de Ana" in names and "Autor de Beto" not in names
