"""Sitemaps: valid against their schemas, addresses on SITE_URL, only what readers may see."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from articles.models import Article
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).parent / "schemas"
NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}


def parse_valid(response, schema_file):
    assert response.status_code == 200
    document = etree.fromstring(response.content)
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / schema_file)))
    assert schema.validate(document), schema.error_log
    return document


def locations(document):
    return document.xpath("//sm:loc/text()", namespaces=NS)


def test_index_lists_every_sitemap_on_the_site_url(client, settings):
    settings.ALLOWED_HOSTS = ["evil.test"]
    ArticleFactory()
    document = parse_valid(client.get("/sitemap.xml", HTTP_HOST="evil.test"), "siteindex.xsd")
    assert locations(document) == [
        f"https://gobiernofacil.test/sitemap-{name}.xml"
        for name in ["articulos", "secciones", "autores", "temas", "organizaciones"]
    ]


def test_story_sitemap_lists_published_stories_with_their_last_change(client, time_machine):
    time_machine.move_to("2024-05-10 12:00:00-06:00", tick=False)
    story = ArticleFactory(published_at=timezone.now() - timedelta(days=3))
    for trait in ["draft", "scheduled", "unpublished", "in_review"]:
        ArticleFactory(**{trait: True})
    document = parse_valid(client.get("/sitemap-articulos.xml"), "sitemap.xsd")
    assert locations(document) == [f"https://gobiernofacil.test{story.get_absolute_url()}"]
    assert document.xpath("//sm:lastmod/text()", namespaces=NS) == ["2024-05-10"]


def test_subject_sitemaps_list_only_subjects_with_enough_published_stories(client, settings):
    settings.INDEX_MIN_STORIES = 2
    busy_section, quiet_section = CategoryFactory(), CategoryFactory()
    author = AuthorFactory()
    organization = OrganizationFactory()
    for _ in range(2):
        ArticleFactory(
            category=busy_section, authors=[author], organizations=[organization], tags=["agua"]
        )
    ArticleFactory(category=quiet_section, tags=["solo"])
    ArticleFactory(category=quiet_section, draft=True, tags=["solo"])
    expected = {
        "secciones": [busy_section.get_absolute_url()],
        "autores": [author.get_absolute_url()],
        "temas": [reverse("articles:tag", kwargs={"slug": "agua"})],
        "organizaciones": [organization.get_absolute_url()],
    }
    for name, paths in expected.items():
        document = parse_valid(client.get(f"/sitemap-{name}.xml"), "sitemap.xsd")
        assert locations(document) == [f"https://gobiernofacil.test{path}" for path in paths]


def test_a_subjects_last_change_is_its_latest_published_story_change(client, settings):
    settings.INDEX_MIN_STORIES = 1
    now = timezone.now().replace(microsecond=0)
    changed_days_ago = {
        ArticleFactory(tags=["agua"], published_at=now - timedelta(days=3)): 3,
        ArticleFactory(tags=["agua"], published_at=now - timedelta(days=9)): 1,  # edited
        ArticleFactory(tags=["obra"], published_at=now - timedelta(days=5)): 5,
    }
    for story, days in changed_days_ago.items():
        Article.objects.filter(pk=story.pk).update(updated_at=now - timedelta(days=days))
    ArticleFactory(tags=["agua"], draft=True)  # changed just now, but nobody sees it

    document = parse_valid(client.get("/sitemap-temas.xml"), "sitemap.xsd")

    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    changes = {
        url.findtext("s:loc", namespaces=namespace).rstrip("/").rsplit("/", 1)[1]: (
            url.findtext("s:lastmod", namespaces=namespace)
        )
        for url in document.findall("s:url", namespaces=namespace)
    }
    assert changes == {
        "agua": timezone.localtime(now - timedelta(days=1)).date().isoformat(),
        "obra": timezone.localtime(now - timedelta(days=5)).date().isoformat(),
    }


def test_news_sitemap_has_only_the_last_48_hours(client, time_machine):
    time_machine.move_to("2024-05-10 12:00:00-06:00", tick=False)
    now = timezone.now()
    fresh = ArticleFactory(headline="Fresca & <nueva>", published_at=now - timedelta(hours=47))
    ArticleFactory(published_at=now - timedelta(hours=49))
    ArticleFactory(scheduled=True)
    document = parse_valid(client.get("/sitemap-news.xml"), "news-urlset.xsd")
    assert locations(document) == [f"https://gobiernofacil.test{fresh.get_absolute_url()}"]
    news = {
        element.tag.split("}")[1]: element.text
        for element in document.iterfind(".//news:news//*", NS)
    }
    assert news == {
        "publication": None,
        "name": "Gobierno Fácil",
        "language": "es",
        "publication_date": "2024-05-08T19:00:00+00:00",
        "title": "Fresca & <nueva>",
    }


def test_news_sitemap_language_is_the_sites_not_the_readers(client):
    ArticleFactory()
    document = parse_valid(
        client.get("/sitemap-news.xml", HTTP_ACCEPT_LANGUAGE="en"), "news-urlset.xsd"
    )
    assert document.xpath("//news:language/text()", namespaces=NS) == ["es"]


@pytest.mark.parametrize("count", [1, 30])
@pytest.mark.parametrize(
    "path", ["/sitemap.xml", "/sitemap-articulos.xml", "/sitemap-autores.xml", "/sitemap-news.xml"]
)
def test_sitemaps_make_the_same_few_queries_for_1_or_30_stories(
    client, django_assert_max_num_queries, rich_story_factory, path, count
):
    for _ in range(count):
        rich_story_factory()
    with django_assert_max_num_queries(12):
        response = client.get(path)
    assert response.status_code == 200


def test_robots_txt_points_to_the_sitemaps_and_keeps_crawlers_out_of_admin_and_search(
    client, settings
):
    settings.ALLOWED_HOSTS = ["evil.test"]
    response = client.get("/robots.txt", HTTP_HOST="evil.test")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().splitlines() == [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /buscar/",
        "",
        "Sitemap: https://gobiernofacil.test/sitemap.xml",
        "Sitemap: https://gobiernofacil.test/sitemap-news.xml",
    ]
