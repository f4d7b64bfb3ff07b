"""Feeds, read the way feed readers read them: parsed by feedparser."""

import calendar
from datetime import timedelta

import feedparser
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from articles.publishing import add_correction
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

SITE_HOST = "gobiernofacil.test"  # SITE_URL in tests/settings.py


def fetch_feed(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, url
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, f"{url}: {parsed.get('bozo_exception')}"
    return response, parsed


def every_feed_url(article):
    tag = article.tags.first()
    organization = article.organizations.first()
    author = article.bylines.first().author
    urls = [reverse("articles:feed-rss"), reverse("articles:feed-atom")]
    for name, slug in [
        ("section", article.category.slug),
        ("tag", tag.slug),
        ("author", author.slug),
        ("organization", organization.slug),
    ]:
        urls += [
            reverse(f"articles:{name}-feed-rss", kwargs={"slug": slug}),
            reverse(f"articles:{name}-feed-atom", kwargs={"slug": slug}),
        ]
    return urls


@pytest.fixture
def story():
    return ArticleFactory(
        headline="Sociedad civil sale de la Alianza",
        authors=[AuthorFactory(name="Alejandra Padilla"), AuthorFactory(name="Argentina Velasco")],
        tags=["Transparencia"],
        organizations=[OrganizationFactory(name="Fundar")],
        body="Texto con [enlace interno](/archivo/) y ![gráfica](/media/grafica.png).",
    )


def test_every_feed_parses_and_carries_the_story(client, story):
    for url in every_feed_url(story):
        _response, parsed = fetch_feed(client, url)
        assert parsed.version in {"rss20", "atom10"}, url
        assert [entry.title for entry in parsed.entries] == [story.headline], url


def test_feed_items_have_all_authors_in_byline_order(client, story):
    for url in (reverse("articles:feed-rss"), reverse("articles:feed-atom")):
        _response, parsed = fetch_feed(client, url)
        entry = parsed.entries[0]
        assert [author["name"] for author in entry.authors] == [
            "Alejandra Padilla",
            "Argentina Velasco",
        ], url


def test_feed_links_come_from_the_canonical_site_url_not_the_host_header(client, story, settings):
    settings.ALLOWED_HOSTS = ["*"]  # even on a deployment that accepts any Host header
    for url in every_feed_url(story):
        response, parsed = fetch_feed(client, url, HTTP_HOST="attacker.example")
        assert b"attacker.example" not in response.content
        assert b"example.com" not in response.content
        entry = parsed.entries[0]
        assert entry.link == f"https://{SITE_HOST}{story.get_absolute_url()}"
        assert parsed.feed.link.startswith(f"https://{SITE_HOST}/")


def test_feed_carries_the_full_story_with_absolute_links(client, story):
    for url in (reverse("articles:feed-rss"), reverse("articles:feed-atom")):
        _response, parsed = fetch_feed(client, url)
        content = parsed.entries[0].content[0].value
        assert f'href="https://{SITE_HOST}/archivo/"' in content
        assert f'src="https://{SITE_HOST}/media/grafica.png"' in content


def test_guid_is_stable_when_the_slug_changes(client, story):
    _response, before = fetch_feed(client, reverse("articles:feed-rss"))
    story.slug = "otro-slug"
    story.save()
    _response, after = fetch_feed(client, reverse("articles:feed-rss"))
    assert before.entries[0].id == after.entries[0].id
    assert before.entries[0].id.startswith(f"tag:{SITE_HOST},")


def test_feed_dates_and_categories(client, story):
    _response, parsed = fetch_feed(client, reverse("articles:feed-atom"))
    entry = parsed.entries[0]
    assert entry.published_parsed is not None
    assert entry.updated_parsed is not None
    assert {tag.term for tag in entry.tags} == {story.category.name, "Transparencia"}


@pytest.mark.parametrize(
    "traits", [{"draft": True}, {"in_review": True}, {"scheduled": True}, {"unpublished": True}]
)
def test_unpublished_stories_are_in_no_feed(client, traits):
    section = CategoryFactory()
    author, organization = AuthorFactory(), OrganizationFactory()
    visible = ArticleFactory(
        category=section, tags=["datos"], authors=[author], organizations=[organization]
    )
    hidden = ArticleFactory(
        category=section,
        tags=["datos"],
        authors=[author],
        organizations=[organization],
        **traits,
    )
    for url in every_feed_url(visible):
        response, parsed = fetch_feed(client, url)
        assert hidden.headline.encode() not in response.content, url
        assert len(parsed.entries) == 1


def test_unknown_subject_feed_is_404(client):
    for name in ("section", "tag", "author", "organization"):
        response = client.get(reverse(f"articles:{name}-feed-rss", kwargs={"slug": "no-existe"}))
        assert response.status_code == 404


@pytest.mark.parametrize("count", [1, 30])
def test_feed_query_count_does_not_grow_with_items(
    client, rich_story_factory, count, django_assert_max_num_queries, committed
):
    section = CategoryFactory()
    with committed():
        for _ in range(count):
            rich_story_factory(category=section)
    for url in (
        reverse("articles:feed-rss"),
        reverse("articles:feed-atom"),
        reverse("articles:section-feed-atom", kwargs={"slug": section.slug}),
    ):
        # The change number, the subject, the stories with their stored items (bylines, tags
        # and corrections printed in them), the next scheduled publication.
        with django_assert_max_num_queries(4 if "secciones" in url else 3):
            response = client.get(url)
        assert response.status_code == 200
        assert len(feedparser.parse(response.content).entries) == min(count, 20)


def test_feeds_drop_characters_xml_cannot_carry_and_escape_markup(client):
    # A vertical tab pasted from a word processor, a stray escape character: XML 1.0 has no
    # way to write them, and one would make feed readers reject the whole feed.
    story = ArticleFactory(
        headline="Datos\x0b abiertos <script>alert(1)</script> & más",
        dek="Resumen\x1b con \"comillas\" y 'apóstrofos'",
        authors=[AuthorFactory(name="Ana\x07 <b>López</b>")],
        tags=["Gasto & deuda"],
        organizations=[OrganizationFactory()],
    )
    for url in every_feed_url(story):
        response, parsed = fetch_feed(client, url)
        entry = parsed.entries[0]
        assert entry.title == "Datos abiertos <script>alert(1)</script> & más", url
        assert entry.summary == "Resumen con \"comillas\" y 'apóstrofos'", url
        assert [author["name"] for author in entry.authors] == ["Ana <b>López</b>"], url
        assert "Gasto & deuda" in {tag.term for tag in entry.tags}, url
        assert b"<script>" not in response.content, url


def test_feed_entry_order_bylines_and_tags_match_the_stories(client):
    section = CategoryFactory()
    first_author, second_author = AuthorFactory(name="Primera"), AuthorFactory(name="Segundo")
    older = ArticleFactory(
        category=section,
        authors=[second_author, first_author],
        tags=["agua"],
        published_at=timezone.now() - timedelta(days=2),
    )
    newer = ArticleFactory(
        category=section,
        authors=[first_author],
        tags=["becas", "salud"],
        published_at=timezone.now() - timedelta(days=1),
    )
    _response, parsed = fetch_feed(
        client, reverse("articles:section-feed-atom", kwargs={"slug": section.slug})
    )
    assert [entry.title for entry in parsed.entries] == [newer.headline, older.headline]
    assert [[a["name"] for a in entry.authors] for entry in parsed.entries] == [
        ["Primera"],
        ["Segundo", "Primera"],
    ]
    assert [a["href"] for a in parsed.entries[1].authors] == [
        f"https://{SITE_HOST}{second_author.get_absolute_url()}",
        f"https://{SITE_HOST}{first_author.get_absolute_url()}",
    ]
    assert [sorted(t.term for t in entry.tags) for entry in parsed.entries] == [
        sorted([section.name, "becas", "salud"]),
        sorted([section.name, "agua"]),
    ]


def test_a_corrected_story_carries_its_correction_and_date_in_rss_and_atom(client, story):
    moment = timezone.now().replace(microsecond=0) + timedelta(minutes=5)
    with time_machine.travel(moment, tick=False):
        first = add_correction(article=story, text="La cifra era 42 <no 24>.")
        add_correction(article=story, text="Texto corregido.", supersedes=first)
        add_correction(article=story, kind="update", text="Se agregó la respuesta del INAI.")
    for url in (reverse("articles:feed-rss"), reverse("articles:feed-atom")):
        with translation.override("es"):
            _response, parsed = fetch_feed(client, url)
        (entry,) = parsed.entries
        content = entry.content[0].value
        assert "Texto corregido." in content, url
        assert "Se agregó la respuesta del INAI." in content, url
        assert "La cifra era 42" not in content, url  # replaced by the later correction
        assert "Corrección" in content and "Actualización" in content, url
        assert content.index("Texto corregido.") < content.index("Texto con"), url
        assert calendar.timegm(entry.updated_parsed) == moment.timestamp(), url
        assert entry.updated_parsed > entry.published_parsed, url


def test_correction_text_is_escaped_in_feeds(client, story):
    add_correction(article=story, text='<script>alert(1)</script> y "comillas"')
    _response, parsed = fetch_feed(client, reverse("articles:feed-rss"))
    content = parsed.entries[0].content[0].value
    assert "<script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


@pytest.mark.parametrize("count", [1, 30])
def test_feed_query_count_holds_with_corrections(
    client, rich_story_factory, count, django_assert_max_num_queries, committed
):
    with committed():
        for _ in range(count):
            story = rich_story_factory()
            add_correction(article=story, text="Corregido.")
            add_correction(article=story, kind="clarification", text="Aclarado.")
    # The change number, the stories with their stored items, the next publication.
    with django_assert_max_num_queries(3):
        response = client.get(reverse("articles:feed-atom"))
    entries = feedparser.parse(response.content).entries
    assert len(entries) == min(count, 20)
    assert all("Aclarado." in entry.content[0].value for entry in entries)
