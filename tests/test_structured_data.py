"""JSON-LD and the <head> metadata, read back from the rendered pages."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Author
from articles.structured_data import json_ld_script
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

SITE = "https://gobiernofacil.test"
_JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


def json_ld(response):
    assert response.status_code == 200
    return [json.loads(block) for block in _JSON_LD.findall(response.content.decode())]


def meta_content(response, attribute, name):
    match = re.search(
        rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', response.content.decode()
    )
    return match and match.group(1)


@pytest.fixture
def story(time_machine):
    time_machine.move_to("2024-05-10 12:00:00-06:00", tick=False)
    ana = AuthorFactory(name="Ana López", slug="ana", links="https://ana.example\n")
    hugo = AuthorFactory(name="Hugo Osorio", slug="hugo")
    desk = AuthorFactory(name="Gobierno Fácil", slug="gf", kind=Author.Kind.ORGANIZATION)
    inai = OrganizationFactory(
        name="Instituto Nacional de Transparencia",
        acronym="INAI",
        slug="inai",
        website="https://home.inai.org.mx",
    )
    article = ArticleFactory(
        headline="La transparencia </script><script>alert(1)</script>",
        dek="Lo que pasó con la alianza.",
        category=CategoryFactory(name="Transparencia", slug="transparencia"),
        authors=[hugo, desk, ana],
        tags=["gobierno abierto", "AGA"],
        organizations=[inai],
        published_at=timezone.now() - timedelta(days=1),
    )
    time_machine.move_to("2024-05-10 13:00:00-06:00", tick=False)
    article.save()
    return article


def test_story_page_has_a_news_article_field_by_field(client, story):
    (data,) = json_ld(client.get(story.get_absolute_url()))
    url = f"{SITE}{story.get_absolute_url()}"
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "La transparencia </script><script>alert(1)</script>"
    assert data["description"] == "Lo que pasó con la alianza."
    assert data["url"] == url
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
    assert data["datePublished"] == "2024-05-09T18:00:00+00:00"
    assert data["dateModified"] == "2024-05-10T19:00:00+00:00"
    assert data["author"] == [
        {"@type": "Person", "name": "Hugo Osorio", "url": f"{SITE}/autores/hugo/"},
        {"@type": "Organization", "name": "Gobierno Fácil", "url": f"{SITE}/autores/gf/"},
        {
            "@type": "Person",
            "name": "Ana López",
            "url": f"{SITE}/autores/ana/",
            "sameAs": ["https://ana.example"],
        },
    ]
    assert "contributor" not in data
    assert data["publisher"] == {
        "@type": "NewsMediaOrganization",
        "name": "Gobierno Fácil",
        "url": f"{SITE}/",
        "logo": {
            "@type": "ImageObject",
            "url": f"{SITE}/static/img/logo.png",
            "width": 600,
            "height": 60,
        },
    }
    assert data["image"] == [f"{SITE}/static/img/social-card.png"]
    assert data["articleSection"] == "Transparencia"
    assert sorted(data["keywords"]) == ["AGA", "gobierno abierto"]
    assert data["mentions"] == [
        {
            "@type": "Organization",
            "name": "Instituto Nacional de Transparencia",
            "url": f"{SITE}/organizaciones/inai/",
            "alternateName": "INAI",
            "sameAs": ["https://home.inai.org.mx"],
        }
    ]
    assert data["inLanguage"] == "es"


def test_json_ld_cannot_close_its_script_element():
    html = json_ld_script({"headline": "</script><!-- & -->"})
    assert html.count("</script>") == 1
    assert "<!--" not in html
    assert json.loads(_JSON_LD.search(html).group(1)) == {"headline": "</script><!-- & -->"}


def test_story_page_has_canonical_social_card_and_alternates(client, story):
    response = client.get(story.get_absolute_url(), HTTP_HOST="localhost")
    url = f"{SITE}{story.get_absolute_url()}"
    html = response.content.decode()
    assert f'<link rel="canonical" href="{url}">' in html
    assert f'<link rel="alternate" hreflang="es" href="{url}">' in html
    assert meta_content(response, "property", "og:type") == "article"
    assert meta_content(response, "property", "og:url") == url
    assert meta_content(response, "property", "og:image") == f"{SITE}/static/img/social-card.png"
    assert meta_content(response, "name", "twitter:card") == "summary_large_image"
    assert meta_content(response, "name", "description") == "Lo que pasó con la alianza."
    assert meta_content(response, "name", "robots") is None


def test_author_page_is_a_profile_page(client, story, settings):
    settings.INDEX_MIN_STORIES = 1
    author = Author.objects.get(slug="ana")
    (data,) = json_ld(client.get(author.get_absolute_url()))
    assert data["@type"] == "ProfilePage"
    assert data["mainEntity"]["@type"] == "Person"
    assert data["mainEntity"]["name"] == "Ana López"
    assert data["mainEntity"]["url"] == f"{SITE}/autores/ana/"
    assert data["mainEntity"]["description"] == "Periodista de datos."


def test_desk_author_page_is_about_an_organization(client, story):
    (data,) = json_ld(client.get(reverse("articles:author", kwargs={"slug": "gf"})))
    assert data["mainEntity"]["@type"] == "Organization"


def test_organization_page_is_an_organization(client, story):
    (data,) = json_ld(client.get(reverse("articles:organization", kwargs={"slug": "inai"})))
    assert data["@type"] == "Organization"
    assert data["name"] == "Instituto Nacional de Transparencia"
    assert data["sameAs"] == ["https://home.inai.org.mx"]


def test_home_page_describes_the_site_and_its_search(client):
    (data,) = json_ld(client.get("/"))
    assert data["@type"] == "WebSite"
    assert data["potentialAction"]["target"]["urlTemplate"] == f"{SITE}/buscar/?q={{search_term}}"


def test_thin_subject_pages_are_noindex_and_full_ones_are_not(client, settings):
    settings.INDEX_MIN_STORIES = 2
    section = CategoryFactory()
    ArticleFactory(category=section)
    assert meta_content(client.get(section.get_absolute_url()), "name", "robots") == (
        "noindex, follow"
    )
    ArticleFactory(category=section)
    assert meta_content(client.get(section.get_absolute_url()), "name", "robots") is None


def test_a_subject_is_thin_by_its_whole_list_not_by_one_page(client, settings):
    # More stories needed than one page shows: the page alone cannot tell, so they are counted.
    settings.INDEX_MIN_STORIES = 4
    settings.ARTICLES_PER_PAGE = 2
    section = CategoryFactory()
    ArticleFactory.create_batch(3, category=section)
    assert meta_content(client.get(section.get_absolute_url()), "name", "robots") == (
        "noindex, follow"
    )
    ArticleFactory(category=section)
    for page in ("", "?page=2"):
        response = client.get(section.get_absolute_url() + page)
        assert meta_content(response, "name", "robots") is None, page


def test_later_list_pages_are_their_own_canonical(client, settings):
    settings.ARTICLES_PER_PAGE = 1
    ArticleFactory.create_batch(2)
    html = client.get("/?page=2").content.decode()
    assert f'<link rel="canonical" href="{SITE}/?page=2">' in html


def test_story_corrections_are_correction_comments_in_the_news_article(client, story):
    from articles.publishing import add_correction

    add_correction(article=story, text="La alianza se fundó en 2011, no en 2012.")
    (data,) = json_ld(client.get(story.get_absolute_url()))
    [correction] = data["correction"]
    assert correction["@type"] == "CorrectionComment"
    assert correction["text"] == "La alianza se fundó en 2011, no en 2012."
    assert correction["datePublished"].startswith("2024-05-10")
    assert data["dateModified"] >= correction["datePublished"][:19]
