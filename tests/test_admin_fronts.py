"""Fronts and the breaking-news banner in the admin (articles/admin/fronts.py): editors arrange
them, every change to a front is a revision that can be restored."""

import pytest
from django.urls import reverse
from reversion.models import Version

from articles.models import BreakingNews, Front
from tests.factories import ArticleFactory, CategoryFactory

pytestmark = pytest.mark.django_db


def front_form(section="", **slots):
    """The admin form of a front with its places: ``slots`` maps position to story id."""
    data = {
        "section": section,
        "slots-TOTAL_FORMS": str(len(slots)),
        "slots-INITIAL_FORMS": "0",
        "slots-MIN_NUM_FORMS": "0",
        "slots-MAX_NUM_FORMS": "1000",
    }
    for index, (position, story_id) in enumerate(slots.items()):
        data.update(
            {
                f"slots-{index}-position": position.lstrip("p"),
                f"slots-{index}-article": story_id,
                f"slots-{index}-crop": "wide",
            }
        )
    return data


def test_an_editor_arranges_the_home_front_and_the_change_is_a_revision(client, editor):
    story = ArticleFactory(headline="Elegida por la mesa")
    client.force_login(editor)

    response = client.post(reverse("admin:articles_front_add"), front_form(p1=story.pk))

    assert response.status_code == 302, response.content.decode()[:2000]
    front = Front.objects.get()
    assert [slot.article for slot in front.slots.all()] == [story]
    [version] = Version.objects.get_for_object(front)
    assert version.revision.user == editor
    assert "Elegida por la mesa" in client.get("/").content.decode()


def test_a_front_is_restored_from_its_history(editor_client):
    first, second = ArticleFactory(), ArticleFactory()
    editor_client.post(reverse("admin:articles_front_add"), front_form(p1=first.pk))
    front = Front.objects.get()
    slot = front.slots.get()
    change = front_form(p1=second.pk)
    change.update({"slots-INITIAL_FORMS": "1", "slots-0-id": slot.pk, "slots-0-front": front.pk})
    editor_client.post(reverse("admin:articles_front_change", args=[front.pk]), change)
    assert front.slots.get().article == second

    oldest = Version.objects.get_for_object(front).order_by("pk").first()
    url = reverse("admin:articles_front_revision", args=[front.pk, oldest.pk])
    response = editor_client.post(url, front_form(p1=first.pk) | {
        "slots-INITIAL_FORMS": "1", "slots-0-id": slot.pk, "slots-0-front": front.pk
    })  # fmt: skip

    assert response.status_code == 302
    assert front.slots.get().article == first


def test_a_page_has_one_front_only(editor_client):
    section = CategoryFactory()
    editor_client.post(reverse("admin:articles_front_add"), front_form(section=section.pk))

    response = editor_client.post(
        reverse("admin:articles_front_add"), front_form(section=section.pk)
    )

    assert response.status_code == 200
    assert "Esta página ya tiene una portada." in response.content.decode()
    assert Front.objects.count() == 1


def test_an_editor_switches_the_banner_on_and_off(client, editor):
    story = ArticleFactory(headline="Sismo de magnitud 7")
    client.force_login(editor)

    client.post(reverse("admin:articles_breakingnews_add"), {"article": story.pk, "active": "on"})
    banner = BreakingNews.objects.get()
    assert banner.created_by == editor
    assert "Sismo de magnitud 7" in client.get("/organizaciones/").content.decode()
    client.logout()
    assert 'class="breaking"' in client.get("/").content.decode()

    client.force_login(editor)
    client.post(
        reverse("admin:articles_breakingnews_changelist"),
        {"action": "switch_off", "_selected_action": [banner.pk]},
    )
    client.logout()
    assert 'class="breaking"' not in client.get("/").content.decode()


def test_a_second_banner_cannot_be_on_at_the_same_time(editor_client):
    BreakingNews.objects.create(article=ArticleFactory())

    response = editor_client.post(
        reverse("admin:articles_breakingnews_add"), {"article": ArticleFactory().pk, "active": "on"}
    )

    assert response.status_code == 200
    assert "Ya hay otra franja activa" in response.content.decode()
