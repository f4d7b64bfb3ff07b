"""What a Jekyll blog told readers and machines beyond the text: `last_modified_at` as the
story's update, `hidden: true` kept out of lists and feeds, `sitemap: false` out of the
sitemaps; each post still published and answering at its old address. And the flags behind
them, edited in the admin, refresh the cached lists and sitemaps."""

import json
import re
from datetime import UTC, datetime

import feedparser
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from lxml import etree

from articles.models import Article
from tests.factories import ArticleFactory, CategoryFactory
from tests.test_jekyll_sites import run_import, write

pytestmark = pytest.mark.django_db

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
_JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)
CACHED = 1  # queries of a page served from the cache (tests/test_cache_tags.py)


def blog(site):
    """A blog in Mexico City time: an ordinary post, a hidden one, one out of the sitemap,
    one revised a year later, and one whose update date is no date."""
    write(site, "_config.yml", "timezone: America/Mexico_City\npermalink: /:year/:title/\n")
    front = "---\ntitle: {title}\ncategory: Datos\nauthor: Ana\n{extra}---\nTexto.\n"
    posts = {
        "2017-05-20-visible": ("Visible", ""),
        "2017-05-21-escondida": ("Escondida", "hidden: true\n"),
        "2017-05-22-sin-mapa": ("Sin mapa", "sitemap: false\n"),
        "2017-05-23-revisada": ("Revisada", "last_modified_at: 2018-01-02 10:30\n"),
        "2017-05-24-fecha-rara": ("Fecha rara", "last_modified_at: el lunes\n"),
    }
    for name, (title, extra) in posts.items():
        write(site, f"_posts/{name}.md", front.format(title=title, extra=extra))


def sitemap_locations(client, url="/sitemap-articulos.xml"):
    document = etree.fromstring(client.get(url).content)
    return " ".join(document.xpath("//sm:loc/text()", namespaces=NS))


def feed_titles(client, url):
    return [entry.title for entry in feedparser.parse(client.get(url).content).entries]


def news_article(client, story):
    page = client.get(story.get_absolute_url()).content.decode()
    blocks = [json.loads(block) for block in _JSON_LD.findall(page)]
    return page, next(block for block in blocks if block["@type"] == "NewsArticle")


def test_hidden_posts_stay_out_of_lists_and_feeds_and_sitemap_false_out_of_sitemaps(
    tmp_path, client
):
    blog(tmp_path)
    report = run_import(tmp_path)
    assert "failed 0" in report
    hidden = Article.objects.get(headline="Escondida")
    unmapped = Article.objects.get(headline="Sin mapa")
    assert Article.objects.published().count() == 5
    assert (hidden.listed, hidden.in_sitemaps) == (False, True)
    assert (unmapped.listed, unmapped.in_sitemaps) == (True, False)

    # Both answer at their address and at the one the old site gave them.
    for story, old in [(hidden, "/2017/escondida/"), (unmapped, "/2017/sin-mapa/")]:
        assert client.get(story.get_absolute_url()).status_code == 200
        assert client.get(old)["Location"] == story.get_absolute_url()

    lists = ["/", reverse("articles:section", args=["datos"]), reverse("articles:archive")]
    lists += [reverse("articles:archive-year", args=[2017])]
    for url in lists:
        page = client.get(url).content.decode()
        assert "Sin mapa" in page and "Escondida" not in page, url
    feeds = [reverse("articles:feed-rss"), reverse("articles:feed-atom")]
    feeds += [reverse("articles:section-feed-rss", args=["datos"])]
    for url in feeds:
        titles = feed_titles(client, url)
        assert "Sin mapa" in titles and "Escondida" not in titles, url

    in_sitemap = sitemap_locations(client)
    assert hidden.get_absolute_url() in in_sitemap
    assert unmapped.get_absolute_url() not in in_sitemap
    assert Article.objects.get(headline="Visible").get_absolute_url() in in_sitemap


def test_last_modified_at_is_the_update_readers_page_json_ld_sitemap_and_feed_show(
    tmp_path, client
):
    blog(tmp_path)
    report = run_import(tmp_path)
    revised = Article.objects.get(headline="Revisada")
    moment = datetime(2018, 1, 2, 16, 30, tzinfo=UTC)  # 10:30 in Mexico City
    assert revised.revised_at == moment

    page, data = news_article(client, revised)
    assert "Actualizado" in page and "2 de enero de 2018" in page
    assert datetime.fromisoformat(data["dateModified"]) == moment
    document = etree.fromstring(client.get("/sitemap-articulos.xml").content)
    lastmod = document.xpath(
        f"//sm:url[contains(sm:loc, '{revised.slug}')]/sm:lastmod/text()", namespaces=NS
    )
    assert lastmod == ["2018-01-02"]
    index = etree.fromstring(client.get("/sitemap.xml").content)
    newest = index.xpath(
        "//sm:sitemap[contains(sm:loc, 'articulos')]/sm:lastmod/text()", namespaces=NS
    )
    assert [value[:10] for value in newest] == ["2018-01-02"]
    entries = feedparser.parse(client.get(reverse("articles:feed-atom")).content).entries
    entry = next(entry for entry in entries if entry.title == "Revisada")
    assert datetime.fromisoformat(entry.updated) == moment

    # Imported today, never revised: readers see no update, machines the publication time.
    plain = Article.objects.get(headline="Visible")
    page, data = news_article(client, plain)
    assert "Actualizado" not in page
    assert data["dateModified"] == data["datePublished"]

    # An update date that is no date is reported; the post is imported all the same.
    odd = Article.objects.get(headline="Fecha rara")
    assert odd.is_published and odd.revised_at == odd.published_at
    assert "the date “el lunes” is not a date Jekyll understands" in report


def queries_of(client, url, django_assert_max_num_queries):
    with django_assert_max_num_queries(100) as queries:
        text = client.get(url).content.decode()
    return len(queries), text


def test_the_flags_are_in_the_admin_in_spanish_and_changing_them_refreshes_lists_and_sitemaps(
    editor_client, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    story = ArticleFactory(headline="La presa", category=CategoryFactory(slug="agua"))
    with translation.override("es"):
        form = editor_client.get(reverse("admin:articles_article_change", args=[story.pk]))
    text = form.content.decode()
    for label in ["En las listas", "En los mapas del sitio", "Actualizada para lectores"]:
        assert label in text
    assert 'name="listed"' in text and 'name="in_sitemaps"' in text
    assert 'name="revised_at_0"' in text

    client = Client()  # a reader: the editor's pages are never cached
    pages = ["/", reverse("articles:section", args=["agua"]), "/sitemap-articulos.xml"]
    for url in pages:
        client.get(url)
    assert queries_of(client, "/", django_assert_max_num_queries)[0] == CACHED

    with django_capture_on_commit_callbacks(execute=True):
        story.listed = False
        story.save()
    for url in pages[:2]:
        count, text = queries_of(client, url, django_assert_max_num_queries)
        assert count > CACHED and "La presa" not in text, url
    # Back in: the lists that never showed it are refreshed too.
    with django_capture_on_commit_callbacks(execute=True):
        story.listed = True
        story.save()
    for url in pages[:2]:
        assert "La presa" in queries_of(client, url, django_assert_max_num_queries)[1], url

    client.get(pages[2])
    with django_capture_on_commit_callbacks(execute=True):
        story.in_sitemaps = False
        story.save()
    count, text = queries_of(client, pages[2], django_assert_max_num_queries)
    assert count > CACHED and story.slug not in text
