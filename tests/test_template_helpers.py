"""The public templates' helpers (``template_helpers``): bylines and ``<time>`` elements, as
readers see them through the Jinja2 templates."""

from datetime import UTC, datetime

import pytest
from django.template import engines
from django.utils import timezone, translation

from articles.models import Article, Byline
from tests.factories import ArticleFactory, AuthorFactory

pytestmark = pytest.mark.django_db


def render(source: str, **context) -> str:
    return engines["jinja2"].from_string(source).render(context)


def signed_story(*names_and_roles):
    story = ArticleFactory(authors=[])
    for position, (name, role) in enumerate(names_and_roles):
        author = AuthorFactory(name=name)
        Byline.objects.create(article=story, author=author, position=position, role=role)
    return Article.objects.for_detail().get(pk=story.pk)


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["Ana"], "Por Ana"),
        (["Ana", "Luis"], "Por Ana y Luis"),
        (["Ana", "Luis", "Marta"], "Por Ana, Luis y Marta"),
    ],
)
def test_a_byline_lists_the_authors_in_order_joined_the_spanish_way(names, expected):
    story = signed_story(*[(name, "") for name in names])
    assert render("{{ byline(story) }}", story=story) == f'<span class="byline">{expected}</span>'


def test_a_story_page_byline_links_each_author_and_shows_a_role_after_a_space():
    story = signed_story(("Ana", Byline.Role.REPORTING), ("Luis", ""))
    ana, luis = (entry.author for entry in story.ordered_bylines)

    html = render("{{ byline(story, link_authors=true, show_roles=true) }}", story=story)

    assert html == (
        f'<span class="byline">Por <a href="{ana.get_absolute_url()}" rel="author">Ana</a>'
        ' <span class="byline__role">(Reporteo)</span>'
        f' y <a href="{luis.get_absolute_url()}" rel="author">Luis</a></span>'
    )


def test_a_byline_escapes_what_editors_typed_and_is_empty_without_authors():
    story = signed_story(('<script>alert("x")</script>', ""), ("O'Brien & Cía", ""))
    html = render("{{ byline(story) }}", story=story)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; y O&#x27;Brien &amp; Cía" in html

    assert render("{{ byline(story) }}", story=signed_story()) == ""


def test_a_time_tag_writes_the_local_moment_in_the_active_language():
    moment = datetime(2017, 5, 24, 15, 0, 30, 123456, tzinfo=UTC)

    html = render('{{ time_tag(moment, "DATETIME_FORMAT") }}', moment=moment)
    with translation.override("en"):
        english = render('{{ time_tag(moment, "DATE_FORMAT") }}', moment=moment)

    assert (
        html == '<time datetime="2017-05-24T10:00:30-05:00">24 de mayo de 2017 a las 10:00</time>'
    )
    assert english == '<time datetime="2017-05-24T10:00:30-05:00">May 24, 2017</time>'
    assert render("{{ time_tag(moment) }}", moment=None) == ""


def test_a_time_tag_follows_the_active_time_zone_for_the_same_moment():
    """Remembered elements are told apart by zone: equal moments compare equal across zones."""
    moment = datetime(2017, 5, 24, 15, 0, tzinfo=UTC)
    in_mexico_city = render("{{ time_tag(moment) }}", moment=moment)
    with timezone.override("Asia/Tokyo"):
        in_tokyo = render("{{ time_tag(moment) }}", moment=moment)

    assert in_mexico_city == '<time datetime="2017-05-24T10:00:00-05:00">24 de mayo de 2017</time>'
    assert in_tokyo == '<time datetime="2017-05-25T00:00:00+09:00">25 de mayo de 2017</time>'


def test_a_time_tag_follows_a_changed_date_format(settings):
    moment = datetime(2017, 5, 24, 15, 0, tzinfo=UTC)
    with translation.override(None):  # the formats in settings, not a language's
        settings.DATE_FORMAT = "d/m/Y"
        assert ">24/05/2017</time>" in render("{{ time_tag(moment) }}", moment=moment)
        settings.DATE_FORMAT = "Y-m-d"
        assert ">2017-05-24</time>" in render("{{ time_tag(moment) }}", moment=moment)
