"""The story list's counts per author and per tag ("Mostrar recuentos"): Django's own numbers,
read from the link tables in one grouped query instead of one count per choice."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.admin.filters import SubjectLinksFilter
from tests.factories import ArticleFactory, AuthorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def newsroom():
    """Stories sharing authors and tags in different states, and one with neither tag nor
    second author."""
    ana, luis, eva = AuthorFactory(name="Ana Ruiz"), AuthorFactory(name="Luis Paz"), AuthorFactory()
    ArticleFactory(authors=[ana, luis], tags=["agua", "sequía"], body="Contratos de agua.")
    ArticleFactory(authors=[ana], tags=["agua"], body="Los contratos del acueducto.")
    ArticleFactory(authors=[luis], tags=["presupuesto"], draft=True)
    ArticleFactory(authors=[eva], tags=[])
    return {"ana": ana, "luis": luis}


def story_list(editor_client, params):
    response = editor_client.get(
        reverse("admin:articles_article_changelist"), {**params, "_facets": "True"}
    )
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status__exact": "published"},
        {"q": "contratos"},
        {"bylines__author__id__exact": "ana"},
        {"tags__id__exact": "agua", "status__exact": "draft"},
    ],
    ids=["everything", "published", "search", "one-author", "tag-and-drafts"],
)
def test_counts_are_the_ones_django_counts(editor_client, newsroom, params):
    from taggit.models import Tag

    ids = {
        "ana": newsroom["ana"].pk,
        "agua": Tag.objects.get(name="agua").pk,
    }
    params = {name: ids.get(value, value) for name, value in params.items()}
    changelist = story_list(editor_client, params).context["cl"]
    filters = [spec for spec in changelist.filter_specs if isinstance(spec, SubjectLinksFilter)]
    assert len(filters) == 2  # authors and tags

    for spec in filters:
        ours = spec.get_facet_queryset(changelist)
        djangos = admin.RelatedFieldListFilter.get_facet_queryset(spec, changelist)
        assert ours == djangos
    assert any(count for spec in filters for count in spec.get_facet_queryset(changelist).values())


def test_the_list_prints_each_choice_with_its_count(editor_client, newsroom):
    page = story_list(editor_client, {}).content.decode()

    assert "agua (2)" in page
    assert "Ana Ruiz (2)" in page
    assert "presupuesto (1)" in page


def test_authors_and_tags_are_counted_without_a_count_per_choice(editor_client, newsroom):
    from articles.models import Byline, TaggedArticle

    with CaptureQueriesContext(connection) as queries:
        story_list(editor_client, {})

    # The section and status filters keep Django's counts: a few choices, no join.
    per_choice = [
        query["sql"] for query in queries.captured_queries if "FILTER (WHERE" in query["sql"]
    ]
    links = (Byline._meta.db_table, TaggedArticle._meta.db_table)
    assert per_choice
    assert not [sql for sql in per_choice if any(table in sql for table in links)]
