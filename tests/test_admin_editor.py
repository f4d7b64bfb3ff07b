"""The writing surface's server side: the body's widget and the JSON views its dialogs call."""

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article, Image
from tests.factories import (
    ArticleFactory,
    ImageFactory,
    OrganizationFactory,
    ReporterFactory,
    UserFactory,
    image_upload,
)

pytestmark = pytest.mark.django_db

IMAGES_URL = "admin:articles_article_editor_images"
UPLOAD_URL = "admin:articles_article_editor_upload"
LINKS_URL = "admin:articles_article_editor_links"


def permissions(*codenames):
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(content_type__app_label="articles", codename__in=codenames)


def test_body_is_the_plain_textarea_inside_the_surface_markup(editor_client):
    response = editor_client.get(reverse("admin:articles_article_add"))

    page = response.content.decode()
    assert '<textarea name="body"' in page
    # Toolbar, preview and status wait for the script: without it only the textarea shows.
    assert 'class="story-editor-toolbar" role="toolbar"' in page
    toolbar = page[page.index('class="story-editor-toolbar"') :].split(">", 1)[0]
    assert toolbar.endswith("hidden")
    assert "editor/story-editor.js" in page
    assert "articles/admin/bylines.js" in page


def test_image_search_finds_by_description_and_by_number(editor_client):
    wanted = ImageFactory(alt="Marcha en el Zócalo")
    ImageFactory(alt="Conferencia de prensa")

    by_words = editor_client.get(reverse(IMAGES_URL), {"q": "zócalo"}).json()["results"]
    by_number = editor_client.get(reverse(IMAGES_URL), {"q": str(wanted.pk)}).json()["results"]

    assert [found["id"] for found in by_words] == [wanted.pk]
    assert [found["id"] for found in by_number] == [wanted.pk]
    assert by_words[0]["alt"] == "Marcha en el Zócalo"
    assert by_words[0]["thumbnail"].endswith((".jpg", ".png"))


@pytest.mark.parametrize("count", [1, 8])
def test_image_search_reads_a_constant_number_of_queries(
    editor_client, django_assert_max_num_queries, count
):
    for _ in range(count):
        ImageFactory(size=(40, 30))

    with django_assert_max_num_queries(6):
        results = editor_client.get(reverse(IMAGES_URL)).json()["results"]

    assert len(results) == count
    assert all(result["thumbnail"] for result in results)


def test_image_search_refuses_staff_without_story_permissions(client):
    client.force_login(UserFactory(is_staff=True))

    assert client.get(reverse(IMAGES_URL)).status_code == 403


def test_upload_stores_the_cleaned_image_with_its_alt_text(client, roles):
    reporter = ReporterFactory()
    client.force_login(reporter)

    response = client.post(
        reverse(UPLOAD_URL),
        {"file": image_upload("foto.png", image_format="PNG"), "alt": "  Una  marcha \n"},
    )

    assert response.status_code == 201
    image = Image.objects.get(pk=response.json()["id"])
    assert image.alt == "Una marcha"
    assert image.uploaded_by == reporter
    assert image.original_filename == "foto.png"
    assert response.json()["thumbnail"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"alt": "Una foto"}, "Elige un archivo de imagen."),
        ({"file": "PNG", "alt": " "}, "Describe la imagen"),
        ({"file": "HTML", "alt": "Una foto"}, "JPEG, PNG"),
    ],
)
def test_upload_without_a_file_an_alt_text_or_an_image_is_a_json_400(editor_client, data, message):
    files = {
        "PNG": image_upload("a.png", image_format="PNG"),
        "HTML": image_upload("a.png", content=b"<html><script>alert(1)</script></html>"),
    }
    if "file" in data:
        data = {**data, "file": files[data["file"]]}

    response = editor_client.post(reverse(UPLOAD_URL), data)

    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not Image.objects.exists()


def test_upload_refuses_get_and_users_who_may_not_add_images(client, editor_client):
    assert editor_client.get(reverse(UPLOAD_URL)).status_code == 405
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(*permissions("add_article", "change_article", "view_image"))
    client.force_login(viewer)

    response = client.post(reverse(UPLOAD_URL), {"file": image_upload(), "alt": "Una foto"})

    assert response.status_code == 403
    assert not Image.objects.exists()


def test_upload_needs_the_csrf_token():
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = browser.post(reverse(UPLOAD_URL), {"file": image_upload(), "alt": "Una foto"})

    assert response.status_code == 403
    assert not Image.objects.exists()


def test_link_search_finds_published_stories_and_organizations(editor_client):
    story = ArticleFactory(headline="El presupuesto de transparencia")
    ArticleFactory(headline="Transparencia en borrador", draft=True)
    with_site = OrganizationFactory(name="Instituto de Transparencia", acronym="INAI")
    without_site = OrganizationFactory(name="Colectivo Transparente", website="")

    answer = editor_client.get(reverse(LINKS_URL), {"q": "transparen"}).json()

    assert answer["stories"] == [
        {
            "title": "El presupuesto de transparencia",
            "url": story.get_absolute_url(),
            "detail": answer["stories"][0]["detail"],
        }
    ]
    assert answer["stories"][0]["detail"]
    assert [(found["title"], found["url"]) for found in answer["organizations"]] == [
        ("Colectivo Transparente", without_site.get_absolute_url()),
        ("Instituto de Transparencia", with_site.website),
    ]
    assert (
        editor_client.get(reverse(LINKS_URL), {"q": "inai"}).json()["organizations"][0]["url"]
        == with_site.website
    )


@pytest.mark.parametrize("count", [1, 8])
def test_link_search_reads_a_constant_number_of_queries(
    editor_client, django_assert_max_num_queries, count
):
    ArticleFactory.create_batch(count, headline="Elecciones locales")
    OrganizationFactory.create_batch(count, name="Consejo electoral")

    with django_assert_max_num_queries(6):
        answer = editor_client.get(reverse(LINKS_URL), {"q": "elec"}).json()

    assert len(answer["stories"]) == len(answer["organizations"]) == count


def test_link_search_of_nothing_answers_nothing_and_refuses_outsiders(editor_client, client):
    ArticleFactory(headline="Algo")

    assert editor_client.get(reverse(LINKS_URL), {"q": "  "}).json() == {
        "stories": [],
        "organizations": [],
    }
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse(LINKS_URL), {"q": "algo"}).status_code == 403


def test_a_story_written_with_the_surface_saves_its_markdown(editor_client, section):
    image = ImageFactory(alt="Una marcha")
    body = f"Texto **nuevo**.\n\n![Una marcha](image:{image.pk})"

    response = editor_client.post(
        reverse("admin:articles_article_add"),
        {
            "headline": "Una historia",
            "slug": "una-historia",
            "dek": "",
            "body": body,
            "category": section.pk,
            "bylines-TOTAL_FORMS": "0",
            "bylines-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    story = Article.objects.get(slug="una-historia")
    assert story.body == body
    assert "<figure" in story.body_html
