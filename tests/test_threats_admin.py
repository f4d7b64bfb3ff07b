"""Threat catalogue entries about the admin: user management (58) and what admin views and
bulk actions reveal to someone who may not act (59). See docs/security.md."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse
from django.utils.translation import ngettext

from articles import roles
from articles.models import Article
from tests.factories import ArticleFactory, EditorFactory, ReporterFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def user_form(user, **changes):
    """The user change form's POST data, as the browser would send it (ticked boxes only)."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "groups": [group.pk for group in user.groups.all()],
        "user_permissions": [permission.pk for permission in user.user_permissions.all()],
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
    }
    if user.is_staff:
        data["is_staff"] = "on"
    if user.is_superuser:
        data["is_superuser"] = "on"
    data.update(changes)
    return data


@pytest.mark.threat(58)
def test_t58_editors_and_reporters_hold_no_user_management_permission(db):
    for role in (roles.REPORTER, roles.EDITOR):
        labels = Group.objects.get(name=role).permissions.values_list(
            "content_type__app_label", flat=True
        )
        assert "auth" not in set(labels), role


@pytest.mark.threat(58)
def test_t58_an_editor_cannot_open_users_or_make_themselves_superuser(db):
    editor = EditorFactory()
    client = logged_in(editor)

    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    response = client.post(
        reverse("admin:auth_user_change", args=[editor.pk]), user_form(editor, is_superuser="on")
    )

    assert response.status_code == 403
    editor.refresh_from_db()
    assert not editor.is_superuser


@pytest.mark.threat(58)
def test_t58_the_admin_role_gives_roles_but_cannot_make_a_superuser(db):
    admin = UserFactory(is_staff=True, roles=[roles.ADMIN])
    reporter = ReporterFactory()
    client = logged_in(admin)

    # Managing people is the role's job: a reporter becomes an editor.
    response = client.post(
        reverse("admin:auth_user_change", args=[reporter.pk]),
        user_form(reporter, groups=[Group.objects.get(name=roles.EDITOR).pk]),
    )
    assert response.status_code == 302
    assert list(reporter.groups.values_list("name", flat=True)) == [roles.EDITOR]

    # Making itself a superuser, or handing itself every permission, is not.
    client.post(
        reverse("admin:auth_user_change", args=[admin.pk]),
        user_form(
            admin,
            is_superuser="on",
            user_permissions=list(Permission.objects.values_list("pk", flat=True)),
        ),
    )
    admin.refresh_from_db()
    assert not admin.is_superuser
    assert not admin.user_permissions.exists()


@pytest.mark.threat(58)
def test_t58_the_admin_role_cannot_touch_a_superusers_account_or_password(db):
    boss = UserFactory(is_staff=True, is_superuser=True, username="direccion")
    client = logged_in(UserFactory(is_staff=True, roles=[roles.ADMIN]))

    password_change = client.post(
        reverse("admin:auth_user_password_change", args=[boss.pk]),
        {"password1": "una clave nueva larga", "password2": "una clave nueva larga"},
    )
    demotion = client.post(
        reverse("admin:auth_user_change", args=[boss.pk]), user_form(boss, is_active="")
    )

    assert password_change.status_code == demotion.status_code == 403
    boss.refresh_from_db()
    assert boss.check_password(PASSWORD)
    assert boss.is_active and boss.is_superuser


@pytest.mark.threat(59)
def test_t59_a_reporter_cannot_read_someone_elses_draft_in_the_admin(reporter):
    draft = ArticleFactory(draft=True, body="Lo que dijo la fuente anónima.")
    own = ArticleFactory(draft=True, authors=[reporter.author_profile])
    published = ArticleFactory()
    client = logged_in(reporter)

    refused = client.get(reverse("admin:articles_article_change", args=[draft.pk]))

    assert refused.status_code == 403
    assert "fuente anónima" not in refused.content.decode()
    for story in (own, published):
        page = client.get(reverse("admin:articles_article_change", args=[story.pk]))
        assert page.status_code == 200


def publish_selected(client, *stories):
    """Post the list's bulk publish action; the messages shown after it."""
    response = client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish_selected", "_selected_action": [story.pk for story in stories]},
        follow=True,
    )
    assert response.status_code == 200
    return [str(message) for message in response.context["messages"]]


@pytest.mark.threat(59)
def test_t59_a_bulk_action_refuses_before_it_names_a_story(db):
    # A desk that may publish, but not edit everyone's stories (a role an admin could build).
    desk = Group.objects.create(name="Mesa de cierre")
    desk.permissions.set(
        Permission.objects.filter(
            content_type__app_label="articles",
            codename__in=["view_article", "change_article", "publish_article"],
        )
    )
    someone_elses = ArticleFactory(in_review=True, headline="Titular reservado", authors=[])
    client = logged_in(UserFactory(is_staff=True, roles=["Mesa de cierre"]))

    shown = publish_selected(client, someone_elses)

    # Publishing would fail ("“Titular reservado” cannot be published without a byline"), but
    # the permission check comes first, so the story is counted, never named.
    assert not any("Titular reservado" in message for message in shown)
    refusal = ngettext(
        "%(count)d story was left as it was: you may not change it.",
        "%(count)d stories were left as they were: you may not change them.",
        1,
    )
    assert refusal % {"count": 1} in shown
    someone_elses.refresh_from_db()
    assert someone_elses.status == Article.Status.IN_REVIEW


@pytest.mark.threat(59)
def test_t59_a_reporter_posting_the_publish_action_changes_and_names_nothing(reporter):
    draft = ArticleFactory(draft=True, headline="Titular reservado", authors=[])

    shown = publish_selected(logged_in(reporter), draft)

    assert not any("Titular reservado" in message for message in shown)
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT
