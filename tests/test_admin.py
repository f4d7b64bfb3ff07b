"""The editor admin: every page opens, stories are written and published through it."""

import json
import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article, Byline, Category
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CategoryFactory,
    OrganizationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PREVIEW_URL = "admin:articles_article_preview"
TAG_AUTOCOMPLETE_URL = "admin:articles_article_tag_autocomplete"


def message_texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def byline_management(total, initial=0):
    return {
        "bylines-TOTAL_FORMS": str(total),
        "bylines-INITIAL_FORMS": str(initial),
        "bylines-MIN_NUM_FORMS": "0",
        "bylines-MAX_NUM_FORMS": "1000",
    }


def change_form_data(article, **changes):
    """The change form's POST data for a saved story, as the browser would send it."""
    data = {
        "headline": article.headline,
        "slug": article.slug,
        "dek": article.dek,
        "body": article.body,
        "summary": article.summary,
        "status": article.status,
        "published_at_0": article.published_at.strftime("%Y-%m-%d") if article.published_at else "",
        "published_at_1": article.published_at.strftime("%H:%M:%S") if article.published_at else "",
        "revised_at_0": article.revised_at.strftime("%Y-%m-%d") if article.revised_at else "",
        "revised_at_1": article.revised_at.strftime("%H:%M:%S") if article.revised_at else "",
        "category": article.category_id or "",
        "tags": ", ".join(tag.name for tag in article.tags.all()),
        "organizations": [organization.pk for organization in article.organizations.all()],
        **byline_management(article.bylines.count(), initial=article.bylines.count()),
    }
    # A browser sends a ticked checkbox and leaves an unticked one out.
    data.update({flag: "on" for flag in ("listed", "in_sitemaps") if getattr(article, flag)})
    for index, byline in enumerate(article.bylines.order_by("position")):
        data[f"bylines-{index}-id"] = byline.pk
        data[f"bylines-{index}-article"] = article.pk
        data[f"bylines-{index}-author"] = byline.author_id
        data[f"bylines-{index}-position"] = byline.position
        data[f"bylines-{index}-role"] = byline.role
    data.update(changes)
    return data


def make_subjects():
    """One of each model the admin edits, with a story that involves all of them."""
    author = AuthorFactory()
    organization = OrganizationFactory()
    article = ArticleFactory(authors=[author], tags=["datos"], organizations=[organization])
    return {
        "article": article,
        "author": author,
        "category": article.category,
        "organization": organization,
        "tag": Tag.objects.get(name="datos"),
    }


ADMIN_PAGES = [
    ("article", "articles_article"),
    ("author", "articles_author"),
    ("category", "articles_category"),
    ("organization", "articles_organization"),
    ("tag", "taggit_tag"),
]


@pytest.mark.parametrize(("subject", "url_name"), ADMIN_PAGES)
def test_add_page_opens(editor_client, subject, url_name):
    response = editor_client.get(reverse(f"admin:{url_name}_add"))

    assert response.status_code == 200


@pytest.mark.parametrize(("subject", "url_name"), ADMIN_PAGES)
def test_change_page_opens(editor_client, subject, url_name):
    obj = make_subjects()[subject]

    response = editor_client.get(reverse(f"admin:{url_name}_change", args=[obj.pk]))

    assert response.status_code == 200


@pytest.mark.parametrize(("subject", "url_name"), ADMIN_PAGES)
def test_changelist_opens(editor_client, subject, url_name):
    make_subjects()

    response = editor_client.get(reverse(f"admin:{url_name}_changelist"))

    assert response.status_code == 200


@pytest.mark.parametrize("subject", ["author", "category", "organization", "tag"])
def test_subject_page_lists_its_stories_and_links_to_all_of_them(editor_client, subject):
    subjects = make_subjects()
    story = subjects["article"]
    model = subjects[subject]._meta
    change_url = reverse(
        f"admin:{model.app_label}_{model.model_name}_change", args=[subjects[subject].pk]
    )
    unrelated = ArticleFactory(headline="Una historia sin relación")

    page = editor_client.get(change_url).content.decode()
    story_admin_url = reverse("admin:articles_article_change", args=[story.pk])
    assert f'href="{story_admin_url}"' in page
    assert unrelated.headline not in page

    all_stories_url = page.split('<p><a href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    listing = editor_client.get(all_stories_url)
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [story]


def test_subject_page_shows_at_most_twenty_latest_stories(editor_client):
    section = CategoryFactory()
    ArticleFactory.create_batch(22, category=section)

    response = editor_client.get(reverse("admin:articles_category_change", args=[section.pk]))

    page = response.content.decode()
    assert len(re.findall(r'href="/admin/articles/article/\d+/change/"', page)) == 20
    assert "?category__id__exact=" in page
    assert "22" in page


def test_story_created_through_the_form_keeps_byline_order_tags_and_organizations(
    editor_client, section
):
    first, second = AuthorFactory(name="Zoe Ruiz"), AuthorFactory(name="Ana Díaz")
    chosen = OrganizationFactory()
    linked = OrganizationFactory(domains=["fundar.org.mx"])
    data = {
        "headline": "Una historia nueva",
        "slug": "una-historia-nueva",
        "dek": "Lo que pasó.",
        "body": "Según [Fundar](https://www.fundar.org.mx/informe), el gasto creció.",
        "summary": "",
        "status": Article.Status.DRAFT,
        "published_at_0": "",
        "published_at_1": "",
        "category": section.pk,
        "tags": "gasto público, datos",
        "listed": "on",
        "in_sitemaps": "on",
        "organizations": [chosen.pk],
        **byline_management(2),
        "bylines-0-author": first.pk,
        "bylines-0-position": "0",
        "bylines-0-role": "reporting",
        "bylines-1-author": second.pk,
        "bylines-1-position": "1",
        "bylines-1-role": "data",
    }

    response = editor_client.post(reverse("admin:articles_article_add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(slug="una-historia-nueva")
    assert [(b.author, b.position, b.role) for b in article.bylines.order_by("position")] == [
        (first, 0, Byline.Role.REPORTING),
        (second, 1, Byline.Role.DATA),
    ]
    assert sorted(article.tags.names()) == ["datos", "gasto público"]
    assert set(article.organizations.all()) == {chosen, linked}
    assert article.status == Article.Status.DRAFT


def test_organization_an_editor_removed_stays_removed_when_the_link_is_unchanged(editor_client):
    linked = OrganizationFactory(domains=["fundar.org.mx"])
    article = ArticleFactory(body="Según [Fundar](https://fundar.org.mx/).")
    article.attach_linked_organizations()
    assert list(article.organizations.all()) == [linked]

    response = editor_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        change_form_data(article, organizations=[]),
    )

    assert response.status_code == 302
    assert not article.organizations.exists()


def test_saving_the_demo_story_warns_about_its_bad_links_but_saves(editor_client, demo):
    response = editor_client.post(
        reverse("admin:articles_article_change", args=[demo.pk]),
        change_form_data(demo, dek="Un dek nuevo."),
    )

    assert response.status_code == 302
    texts = message_texts(response)
    assert any("cultura ecologica" in text for text in texts)
    assert any("/user/login?destination=" in text for text in texts)
    demo.refresh_from_db()
    assert demo.dek == "Un dek nuevo."
    assert demo.status == Article.Status.PUBLISHED


def test_body_over_the_limit_is_a_form_error(editor_client, settings):
    article = ArticleFactory(body="Corto.")
    settings.ARTICLE_BODY_MAX_CHARS = 50

    response = editor_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        change_form_data(article, body="x" * 51),
    )

    assert response.status_code == 200
    assert "body" in response.context["adminform"].form.errors


def test_status_in_the_form_is_ignored_the_publish_button_publishes(editor_client):
    ready = ArticleFactory(draft=True)

    response = editor_client.post(
        reverse("admin:articles_article_change", args=[ready.pk]),
        change_form_data(ready, status=Article.Status.PUBLISHED),
    )

    assert response.status_code == 302
    ready.refresh_from_db()
    assert ready.status == Article.Status.DRAFT
    editor_client.post(
        reverse("admin:articles_article_transition", args=[ready.pk]), {"to": "published"}
    )
    ready.refresh_from_db()
    assert ready.status == Article.Status.PUBLISHED
    assert ready.published_at is not None


def test_publish_button_for_a_story_without_section_explains_and_keeps_it_draft(editor_client):
    story = ArticleFactory(draft=True, category=None, headline="Sin sección")

    response = editor_client.post(
        reverse("admin:articles_article_transition", args=[story.pk]), {"to": "published"}
    )

    assert response.status_code == 302
    story.refresh_from_db()
    assert story.status == Article.Status.DRAFT
    assert any("Sin sección" in text for text in message_texts(response))


def run_action(client, action, articles):
    return client.post(
        reverse("admin:articles_article_changelist"),
        {"action": action, "_selected_action": [article.pk for article in articles]},
    )


def test_publish_action_publishes_ready_stories_and_refuses_one_without_section(editor_client):
    ready = ArticleFactory(draft=True)
    no_section = ArticleFactory(draft=True, category=None, headline="Historia sin sección")

    response = run_action(editor_client, "publish_selected", [ready, no_section])

    assert response.status_code == 302
    ready.refresh_from_db()
    no_section.refresh_from_db()
    assert ready.status == Article.Status.PUBLISHED
    assert no_section.status == Article.Status.DRAFT
    assert any("Historia sin sección" in text for text in message_texts(response))


def test_unpublish_action_takes_stories_off_the_site(editor_client):
    stories = ArticleFactory.create_batch(2)

    response = run_action(editor_client, "unpublish_selected", stories)

    assert response.status_code == 302
    assert not Article.objects.published().exists()


def test_preview_renders_sanitized_html_and_link_warnings(editor_client):
    body = "Hola **mundo** [roto](cultura ecologica)\n\n<script>alert(1)</script>"

    response = editor_client.post(reverse(PREVIEW_URL), {"body": body})

    assert response.status_code == 200
    payload = response.json()
    assert "<strong>mundo</strong>" in payload["html"]
    assert "<script" not in payload["html"]
    assert "alert(1)" not in payload["html"]
    assert len(payload["warnings"]) == 1
    assert "cultura ecologica" in payload["warnings"][0]


def test_preview_without_a_body_is_a_json_400(editor_client):
    response = editor_client.post(reverse(PREVIEW_URL), {})

    assert response.status_code == 400
    assert "error" in json.loads(response.content)


def test_preview_of_an_oversized_body_is_a_json_400(editor_client, settings):
    settings.ARTICLE_BODY_MAX_CHARS = 10

    response = editor_client.post(reverse(PREVIEW_URL), {"body": "x" * 11})

    assert response.status_code == 400


def test_preview_refuses_get(editor_client):
    assert editor_client.get(reverse(PREVIEW_URL)).status_code == 405


def test_preview_sends_anonymous_visitors_to_the_login(client):
    response = client.post(reverse(PREVIEW_URL), {"body": "hola"})

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_preview_refuses_staff_without_story_permissions(client):
    client.force_login(UserFactory(is_staff=True))

    response = client.post(reverse(PREVIEW_URL), {"body": "hola"})

    assert response.status_code == 403


def test_tag_autocomplete_suggests_matching_names(editor_client):
    ArticleFactory(tags=["Gobierno abierto", "gobierno digital", "datos"])

    response = editor_client.get(reverse(TAG_AUTOCOMPLETE_URL), {"q": "gobierno"})

    assert response.json() == {"results": ["Gobierno abierto", "gobierno digital"]}


def test_tag_autocomplete_returns_at_most_twenty_names(editor_client):
    ArticleFactory(tags=[f"tema {n:02d}" for n in range(25)])

    response = editor_client.get(reverse(TAG_AUTOCOMPLETE_URL), {"q": "tema"})

    assert len(response.json()["results"]) == 20


def test_tag_autocomplete_without_query_suggests_nothing(editor_client):
    ArticleFactory(tags=["datos"])

    response = editor_client.get(reverse(TAG_AUTOCOMPLETE_URL))

    assert response.json() == {"results": []}


def test_tag_autocomplete_tells_anonymous_visitors_nothing(client):
    ArticleFactory(tags=["secreto"])

    response = client.get(reverse(TAG_AUTOCOMPLETE_URL), {"q": "secreto"})

    assert response.status_code == 302
    assert b"secreto" not in response.content


def test_section_named_like_an_existing_one_in_another_case_is_a_form_error(editor_client, section):
    response = editor_client.post(
        reverse("admin:articles_category_add"),
        {"name": "transparencia", "slug": "transparencia-2", "description": "", "position": "0"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert Category.objects.count() == 1


def count_changelist_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


CHANGELISTS = [
    "admin:articles_article_changelist",
    "admin:articles_author_changelist",
    "admin:articles_category_changelist",
    "admin:articles_organization_changelist",
    "admin:taggit_tag_changelist",
]


@pytest.mark.parametrize("url_name", CHANGELISTS)
def test_changelist_queries_do_not_grow_with_stories(editor_client, rich_story_factory, url_name):
    url = reverse(url_name)
    rich_story_factory()
    with_one = count_changelist_queries(editor_client, url)

    for _ in range(29):
        rich_story_factory()
    with_thirty = count_changelist_queries(editor_client, url)

    assert with_thirty == with_one
