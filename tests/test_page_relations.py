"""Bylines, tags, organizations and corrections of a page's stories, read in one query."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article, Byline, Correction
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CorrectionFactory,
    OrganizationFactory,
)

pytestmark = pytest.mark.django_db


def test_a_story_page_reads_its_four_relations_in_one_query_in_reading_order(
    django_assert_num_queries,
):
    story = ArticleFactory(
        authors=[],
        tags=["presupuesto", "agua", "zacatecas"],
        organizations=[
            OrganizationFactory(name="Zeta Datos", website=""),
            OrganizationFactory(name="Article 19", acronym="A19", website="https://a19.org"),
        ],
    )
    # Signing order is the position, whatever order the bylines were written in.
    for position, name in [(2, "Carla Díaz"), (0, "Ana Ruiz"), (1, "Beto Pérez")]:
        Byline.objects.create(
            article=story, author=AuthorFactory(name=name), position=position, role=Byline.Role.DATA
        )
    now = timezone.now()
    replaced = CorrectionFactory(article=story, text="Primera", published_at=now)
    newer = CorrectionFactory(article=story, text="Segunda", published_at=now + timedelta(1))
    older = CorrectionFactory(
        article=story, text="Anterior", published_at=now - timedelta(1), kind=Correction.Kind.UPDATE
    )
    replaced.superseded_by = newer
    replaced.save()

    with django_assert_num_queries(2):  # the story, then everything around it
        fetched = Article.objects.for_detail().get(pk=story.pk)
    with django_assert_num_queries(0):
        bylines = [
            (b.author.name, b.position, b.get_role_display()) for b in fetched.ordered_bylines
        ]
        tags = [tag.name for tag in fetched.tag_list]
        organizations = [(o.name, o.acronym, o.website) for o in fetched.organization_list]
        corrections = [(c.text, c.get_kind_display()) for c in fetched.current_corrections]
    assert [name for name, _position, _role in bylines] == ["Ana Ruiz", "Beto Pérez", "Carla Díaz"]
    assert [position for _name, position, _role in bylines] == [0, 1, 2]
    assert {role for _name, _position, role in bylines} == {Byline.Role.DATA.label}
    assert tags == ["presupuesto", "agua", "zacatecas"]  # the order they were added
    assert organizations == [("Article 19", "A19", "https://a19.org"), ("Zeta Datos", "", "")]
    assert corrections == [
        ("Anterior", Correction.Kind.UPDATE.label),
        ("Segunda", Correction.Kind.CORRECTION.label),
    ]
    assert older.pk in [c.pk for c in fetched.current_corrections]
    assert fetched.current_corrections[0].published_at == older.published_at


def test_a_listing_gives_each_story_its_own_byline_and_tags_and_nothing_to_the_bare():
    first = ArticleFactory(authors=[AuthorFactory(name="Ana Ruiz")], tags=["agua"])
    second = ArticleFactory(authors=[AuthorFactory(name="Beto Pérez")], tags=["salud", "agua"])
    bare = ArticleFactory(authors=[])

    stories = {story.pk: story for story in Article.objects.for_listing()}

    assert [b.author.name for b in stories[first.pk].ordered_bylines] == ["Ana Ruiz"]
    assert [t.name for t in stories[first.pk].tag_list] == ["agua"]
    assert [b.author.name for b in stories[second.pk].ordered_bylines] == ["Beto Pérez"]
    assert [t.name for t in stories[second.pk].tag_list] == ["salud", "agua"]
    assert stories[bare.pk].ordered_bylines == []
    assert stories[bare.pk].tag_list == []


def test_columns_the_query_leaves_out_load_when_read(django_assert_num_queries):
    author = AuthorFactory(name="Ana Ruiz", bio="Reportera de datos.")
    story = ArticleFactory(authors=[author])
    fetched = Article.objects.for_detail().get(pk=story.pk)
    (byline,) = fetched.ordered_bylines
    with django_assert_num_queries(1):
        assert byline.author.bio == "Reportera de datos."
    # They are instances as read from the database: saving one updates its row.
    byline.author.name = "Ana Ruiz Soto"
    byline.author.save(update_fields=["name"])
    author.refresh_from_db()
    assert author.name == "Ana Ruiz Soto"


def test_iterating_in_chunks_reads_the_relations_once_per_chunk(django_assert_max_num_queries):
    stories = [ArticleFactory(authors=[AuthorFactory(name=f"Autora {n}")]) for n in range(5)]
    with django_assert_max_num_queries(4) as queries:
        fetched = list(Article.objects.for_listing().order_by("pk").iterator(chunk_size=2))
    relation_queries = [q for q in queries.captured_queries if "UNION ALL" in q["sql"]]
    assert len(relation_queries) == 3  # stories 1-2, 3-4 and 5
    assert [story.ordered_bylines[0].author.name for story in fetched] == [
        f"Autora {n}" for n in range(5)
    ]
    assert [story.pk for story in fetched] == [story.pk for story in stories]


def test_lists_and_story_pages_leave_out_the_columns_no_page_prints():
    ArticleFactory(body="# Título\n\nTexto en **Markdown**.")
    unprinted = {"body", "search_vector", "import_metadata", "todos"}
    (listed,) = Article.objects.for_listing()
    (found,) = Article.objects.for_search_results()
    (shown,) = Article.objects.for_detail()
    (edited,) = Article.objects.for_listing().defer(None)  # as the admin and the exporter read
    assert listed.get_deferred_fields() == unprinted | {"body_html"}  # a teaser shows no body
    assert found.get_deferred_fields() == unprinted  # a result's snippet comes from the body
    assert shown.get_deferred_fields() == unprinted
    assert edited.get_deferred_fields() == set()
    assert "<strong>Markdown</strong>" in shown.body_html
