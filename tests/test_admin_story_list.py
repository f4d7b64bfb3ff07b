"""The editors' story list at archive scale: search by the search index, filters without
DISTINCT, the newest matches only, and no story body read for the list."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.admin import stories as story_admin
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CategoryFactory,
    OrganizationFactory,
)

pytestmark = pytest.mark.django_db

STORY_LIST = "admin:articles_article_changelist"
# How Django removed the duplicates of a multi-valued filter or search: every story column,
# body and search vector included, through DISTINCT.
DISTINCT_STORIES = 'SELECT DISTINCT "articles_article"."id"'


def listed(editor_client, **params):
    """The stories the list shows for these parameters, and the SQL it ran."""
    with CaptureQueriesContext(connection) as queries:
        response = editor_client.get(reverse(STORY_LIST), params)
    assert response.status_code == 200
    changelist = response.context["cl"]
    sql = [query["sql"] for query in queries.captured_queries]
    return changelist, sql


def test_search_finds_stories_in_any_state_by_any_form_of_their_words(editor_client):
    draft = ArticleFactory(draft=True, body="Los contratos de obra pública se dieron sin licitar.")
    published = ArticleFactory(headline="La información que falta")
    ArticleFactory(headline="Otra cosa", body="Nada que ver.")

    changelist, _ = listed(editor_client, q="contrato")
    assert list(changelist.result_list) == [draft]
    # Without its accent, as an editor may type it.
    changelist, _ = listed(editor_client, q="informacion")
    assert list(changelist.result_list) == [published]


def test_search_finds_stories_by_byline_tag_and_organization(editor_client):
    signed = ArticleFactory(authors=[AuthorFactory(name="Marta Zubizarreta")])
    tagged = ArticleFactory(tags=["presupuesto participativo"])
    naming = ArticleFactory(organizations=[OrganizationFactory(name="Observatorio Ciudadano")])

    assert list(listed(editor_client, q="Zubizarreta")[0].result_list) == [signed]
    assert list(listed(editor_client, q="participativo")[0].result_list) == [tagged]
    assert list(listed(editor_client, q="observatorio")[0].result_list) == [naming]


def test_story_found_through_two_bylines_is_listed_once_without_distinct(editor_client):
    story = ArticleFactory(
        authors=[AuthorFactory(name="Ana Villaseñor"), AuthorFactory(name="Luis Villaseñor")]
    )

    changelist, sql = listed(editor_client, q="Villaseñor")

    assert list(changelist.result_list) == [story]
    assert changelist.result_count == 1
    assert not [query for query in sql if DISTINCT_STORIES in query]


@pytest.mark.parametrize("relation", ["tags", "bylines__author", "organizations"])
def test_filters_on_tags_authors_and_organizations_list_each_story_once_without_distinct(
    editor_client, relation
):
    author, organization = AuthorFactory(), OrganizationFactory()
    subjects = {"tags": None, "bylines__author": author, "organizations": organization}
    about = ArticleFactory(authors=[author], tags=["agua", "sequía"], organizations=[organization])
    ArticleFactory(authors=[AuthorFactory()], tags=["otro tema"])
    subject = subjects[relation] or about.tags.get(name="agua")

    changelist, sql = listed(editor_client, **{f"{relation}__id__exact": subject.pk})

    assert list(changelist.result_list) == [about]
    assert changelist.result_count == 1
    assert not [query for query in sql if DISTINCT_STORIES in query]


def test_search_keeps_the_newest_matches_within_the_filters(editor_client, monkeypatch):
    monkeypatch.setattr(story_admin, "ADMIN_SEARCH_MATCHES", 3)
    section, now = CategoryFactory(), timezone.now()
    in_section = [
        ArticleFactory(
            category=section,
            body="Un acuerdo de transparencia.",
            published_at=now - timedelta(days=days),
        )
        for days in range(1, 6)
    ]
    elsewhere = ArticleFactory(body="Otro acuerdo.", published_at=now)

    changelist, _ = listed(editor_client, q="acuerdo", category__id__exact=section.pk)

    assert list(changelist.result_list) == in_section[:3]
    assert changelist.result_count == 3
    # Without the filter, the newest three of all six.
    changelist, _ = listed(editor_client, q="acuerdo")
    assert list(changelist.result_list) == [elsewhere, *in_section[:2]]


def test_search_for_nothing_searchable_lists_nothing(editor_client):
    ArticleFactory(body="de la y el")

    changelist, _ = listed(editor_client, q="de la")

    assert list(changelist.result_list) == []


def test_list_does_not_read_the_story_bodies(editor_client):
    ArticleFactory(body="Un cuerpo que la lista no muestra.")

    _, sql = listed(editor_client)

    story_reads = [query for query in sql if '"articles_article"."headline"' in query]
    assert story_reads
    for query in story_reads:
        assert '"articles_article"."body"' not in query
        assert '"articles_article"."body_html"' not in query


def test_publish_action_still_saves_whole_stories(editor_client):
    """The action works on stories read in full, not on the list's trimmed rows."""
    story = ArticleFactory(in_review=True, body="Texto **completo**.")

    response = editor_client.post(
        reverse(STORY_LIST),
        {"action": "publish_selected", "_selected_action": [story.pk]},
        follow=True,
    )

    assert response.status_code == 200
    story.refresh_from_db()
    assert story.status == story.Status.PUBLISHED
    assert story.body == "Texto **completo**."
    assert "<strong>completo</strong>" in story.body_html


def test_search_box_tells_editors_in_spanish_what_it_finds(editor_client):
    response = editor_client.get(reverse(STORY_LIST))

    assert "1000 coincidencias más recientes" in response.text


def story_on(year, month=6):
    return ArticleFactory(
        published_at=timezone.make_aware(timezone.datetime(year, month, 15, 12)),
    )


def test_date_links_list_the_years_from_the_first_to_the_last_without_reading_every_date(
    editor_client,
):
    story_on(2019), story_on(2023), story_on(2023, 9)

    response = editor_client.get(reverse(STORY_LIST))
    with CaptureQueriesContext(connection) as queries:
        response = editor_client.get(reverse(STORY_LIST))

    years = [str(year) for year in range(2019, 2024)]
    for year in years:
        assert f'href="?published_at__year={year}"' in response.text
    # Django's own links read every story's year (DATE_TRUNC('year', …) over the archive).
    assert not [q["sql"] for q in queries.captured_queries if "'year'" in q["sql"].lower()]


def test_date_links_within_a_year_and_for_a_single_year_are_its_months(editor_client):
    story_on(2021, 3), story_on(2021, 11)

    for params in [{}, {"published_at__year": "2021"}]:
        response = editor_client.get(reverse(STORY_LIST), params)
        assert 'href="?published_at__month=3&amp;published_at__year=2021"' in response.text
        assert 'href="?published_at__month=11&amp;published_at__year=2021"' in response.text


def test_a_search_looks_for_its_matches_once_per_page(editor_client):
    """The list counts, dates and pages what the search gives it; the matching itself (the
    costly part for a word in a few percent of a large archive) runs once."""
    for year in (2021, 2022, 2023):
        ArticleFactory(
            body="Un acuerdo.", published_at=timezone.make_aware(timezone.datetime(year, 5, 1))
        )

    changelist, sql = listed(editor_client, q="acuerdo")

    assert changelist.result_count == 3
    # PostgreSQL's text-search match, or SQLite's FTS5 table asked through its own column.
    matching = "@@" if connection.vendor == "postgresql" else '"articles_article_fts" ='
    assert len([query for query in sql if matching in query]) == 1
