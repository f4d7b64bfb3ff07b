"""Issue 22, items 2–4: the role table (``articles.roles.ROLE_TABLE``) checked cell by cell
against the running admin, and docs/workflow.md checked to show that same table."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from taggit.models import Tag

from articles import roles
from articles.models import Article, Category, Image
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ImageFactory,
    ReporterFactory,
    UserFactory,
)
from tests.workflow_helpers import change_url, form_data

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parent.parent / "docs"
STORY_LIST = reverse("admin:articles_article_changelist")


def person_in(role):
    """A staff user in ``role`` who signs stories (an author profile of their own)."""
    user = UserFactory(is_staff=True, roles=[role])
    AuthorFactory(user=user)
    client = Client()
    client.force_login(user)
    return user, client


def colleague():
    """Another reporter, who signs stories and uploads pictures."""
    return ReporterFactory()


def found_in_list_and_search(client, story, word):
    """Listed, counted and found by a word of its text; a story half-visible fails the test."""
    plain = client.get(STORY_LIST).context["cl"]
    searched = client.get(STORY_LIST, {"q": word}).context["cl"]
    in_list = story in plain.result_list
    in_search = story in searched.result_list
    counted = (searched.result_count, plain.full_result_count) == (
        int(in_search),
        plain.root_queryset.count(),
    )
    assert in_list == in_search and counted
    return in_list


def edited(client, story):
    page = client.get(change_url(story))
    if page.status_code != 200 or "adminform" not in page.context:
        return False
    data = form_data(page)
    data["headline"] = "Titular cambiado"
    client.post(change_url(story), data)
    story.refresh_from_db()
    return story.headline == "Titular cambiado"


def moved(client, story, to_status):
    client.post(reverse("admin:articles_article_transition", args=[story.pk]), {"to": to_status})
    story.refresh_from_db()
    return story.status == to_status


def image_changed(client, image):
    url = reverse("admin:articles_image_change", args=[image.pk])
    client.post(url, {"alt": "Texto alternativo nuevo", "focal_x": 0.5, "focal_y": 0.5})
    image.refresh_from_db()
    return image.alt == "Texto alternativo nuevo"


def story_saved_with_tags(user, client, tags):
    story = ArticleFactory(draft=True, authors=[user.author_profile])
    data = form_data(client.get(change_url(story)))
    data["tags"] = tags
    client.post(change_url(story), data)
    return sorted(story.tags.names()) == sorted(name.strip() for name in tags.split(","))


def check_own_draft_found(user, client):
    story = ArticleFactory(
        draft=True, body="Zanahorias del mercado.", authors=[user.author_profile]
    )
    return found_in_list_and_search(client, story, "zanahorias")


def check_own_draft_edit(user, client):
    return edited(client, ArticleFactory(draft=True, authors=[user.author_profile]))


def check_own_draft_publish(user, client):
    story = ArticleFactory(draft=True, authors=[user.author_profile])
    return moved(client, story, Article.Status.PUBLISHED)


def check_own_published_edit(user, client):
    return edited(client, ArticleFactory(authors=[user.author_profile]))


def check_colleagues_draft_found(user, client):
    story = ArticleFactory(
        draft=True, body="Zanahorias del mercado.", authors=[colleague().author_profile]
    )
    return found_in_list_and_search(client, story, "zanahorias")


def check_colleagues_draft_open(user, client):
    story = ArticleFactory(draft=True, authors=[colleague().author_profile])
    return client.get(change_url(story)).status_code == 200


def check_colleagues_draft_edit(user, client):
    return edited(client, ArticleFactory(draft=True, authors=[colleague().author_profile]))


def check_published_found(user, client):
    story = ArticleFactory(body="Zanahorias del mercado.", authors=[colleague().author_profile])
    return found_in_list_and_search(client, story, "zanahorias")


def check_published_unpublish(user, client):
    return moved(client, ArticleFactory(), Article.Status.UNPUBLISHED)


def check_own_unused_image_change(user, client):
    return image_changed(client, ImageFactory(user=user))


def check_own_published_image_change(user, client):
    image = ImageFactory(user=user)
    ArticleFactory(lead_image=image)
    return image_changed(client, image)


def check_colleagues_image_change(user, client):
    return image_changed(client, ImageFactory(user=colleague()))


def check_image_delete(user, client):
    image = ImageFactory(user=user)
    client.post(reverse("admin:articles_image_delete", args=[image.pk]), {"post": "yes"})
    return not Image.objects.filter(pk=image.pk).exists()


def check_existing_tag(user, client):
    Tag.objects.create(name="agua", slug="agua")
    return story_saved_with_tags(user, client, "agua")


def check_new_tag(user, client):
    return story_saved_with_tags(user, client, "agua, etiqueta inventada")


def check_section_create(user, client):
    client.post(
        reverse("admin:articles_category_add"), {"name": "Salud", "slug": "salud", "position": 0}
    )
    return Category.objects.filter(slug="salud").exists()


def check_give_a_role(user, client):
    reporter = colleague()
    page = client.get(reverse("admin:auth_user_change", args=[reporter.pk]))
    if page.status_code != 200:
        return False
    data = {
        name: value
        for name, value in form_data_of_user(page).items()
        if name not in {"password", "last_login", "date_joined"}
    }
    data["groups"] = [Group.objects.get(name=roles.EDITOR).pk]
    client.post(reverse("admin:auth_user_change", args=[reporter.pk]), data)
    return reporter.groups.filter(name=roles.EDITOR).exists()


def form_data_of_user(page):
    form = page.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        data[name] = [str(item) for item in value] if isinstance(value, list | tuple) else value
    data["date_joined_0"], data["date_joined_1"] = "2026-01-01", "10:00:00"
    return data


CHECKS = {
    ("own draft", "find in the story list and its search"): check_own_draft_found,
    ("own draft", "edit"): check_own_draft_edit,
    ("own draft", "publish"): check_own_draft_publish,
    ("own published story", "edit"): check_own_published_edit,
    ("colleague's draft", "find in the story list and its search"): check_colleagues_draft_found,
    ("colleague's draft", "open"): check_colleagues_draft_open,
    ("colleague's draft", "edit"): check_colleagues_draft_edit,
    ("published story", "find in the story list and its search"): check_published_found,
    ("published story", "unpublish"): check_published_unpublish,
    ("own image not on a published story", "change"): check_own_unused_image_change,
    ("own image on a published story", "change"): check_own_published_image_change,
    ("colleague's image", "change"): check_colleagues_image_change,
    ("image", "delete"): check_image_delete,
    ("existing tag", "put on a story"): check_existing_tag,
    ("new tag", "create by typing it on a story"): check_new_tag,
    ("section", "create"): check_section_create,
    ("person's account", "give a role"): check_give_a_role,
}

CELLS = [
    pytest.param(subject, action, role, role in allowed, id=f"{role}: {action} ({subject})")
    for subject, action, allowed in roles.ROLE_TABLE
    for role in roles.ROLES
]


def test_every_row_of_the_table_has_a_check():
    assert {(subject, action) for subject, action, _ in roles.ROLE_TABLE} == set(CHECKS)


@pytest.mark.parametrize(("subject", "action", "role", "allowed"), CELLS)
def test_role_table_cell(subject, action, role, allowed):
    user, client = person_in(role)

    assert CHECKS[subject, action](user, client) is allowed


@pytest.mark.parametrize("doc", ["workflow.md", "security.md"])
def test_the_docs_show_the_role_table_of_the_code(doc):
    page = (DOCS / doc).read_text()
    start = page.index("<!-- role-table -->\n") + len("<!-- role-table -->\n")
    end = page.index("<!-- /role-table -->")

    assert page[start:end] == roles.markdown_table()


def test_a_reporter_typing_unknown_tags_gets_an_error_naming_them(reporter):
    Tag.objects.create(name="agua", slug="agua")
    story = ArticleFactory(draft=True, authors=[reporter.author_profile])
    client = Client()
    client.force_login(reporter)
    data = form_data(client.get(change_url(story)))
    data["tags"] = "Agua, sequía, Presas"

    response = client.post(change_url(story), data)

    (error,) = response.context["adminform"].form.errors["tags"]
    assert "“Presas”, “sequía”" in error
    assert "“Agua”" not in error
    assert not Tag.objects.filter(name__in=["sequía", "Presas"]).exists()
    assert response.context["adminform"].form["tags"].value() == "Agua, sequía, Presas"


def test_a_picture_in_the_body_of_a_published_story_is_an_editors_to_change(reporter):
    image = ImageFactory(user=reporter)
    other = ImageFactory(user=reporter)
    ArticleFactory(body=f"Texto.\n\n![Foto](image:{image.pk})\n")
    # A number that only starts like it is another picture.
    ArticleFactory(body=f"![Foto](image:{other.pk}0)")
    client = Client()
    client.force_login(reporter)

    assert image_changed(client, image) is False
    assert image_changed(client, other) is True
