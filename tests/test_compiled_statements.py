"""ORM queries compiled once and run with each request's values
(``articles/compiled_statements.py``): the rows the ORM's own query gives, for every run's
values; a stand-in the query does not carry is refused when compiled."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from articles import compiled_statements
from articles.models import Article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

STAND_IN_SLUG = "\x00slug"
STAND_IN_MOMENT = datetime(1900, 1, 1, tzinfo=UTC)


def published_by_slug():
    query = (
        Article.objects.published(at=STAND_IN_MOMENT)
        .filter(slug=STAND_IN_SLUG)
        .values_list("pk", "headline")
    )
    return compiled_statements.compile_query(query, {"slug": STAND_IN_SLUG, "now": STAND_IN_MOMENT})


def test_each_run_gives_the_rows_the_orm_gives_for_its_values():
    shown = ArticleFactory(headline="Ya publicada")
    later = ArticleFactory(scheduled=True, headline="Programada")
    statement = published_by_slug()

    for story in (shown, later):
        for moment in (timezone.now(), timezone.now() + timedelta(days=30)):
            expected = list(
                Article.objects.published(at=moment)
                .filter(slug=story.slug)
                .values_list("pk", "headline")
            )
            found = compiled_statements.run(statement, {"slug": story.slug, "now": moment})
            assert [tuple(row) for row in found] == expected
    assert compiled_statements.run(statement, {"slug": later.slug, "now": timezone.now()}) == []


def test_a_stand_in_the_query_does_not_carry_is_refused():
    query = Article.objects.filter(slug=STAND_IN_SLUG).values_list("pk")
    with pytest.raises(ValueError, match="now"):
        compiled_statements.compile_query(query, {"slug": STAND_IN_SLUG, "now": STAND_IN_MOMENT})
