"""The workflow's transitions, who may make them, and the audit trail they leave."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from reversion.models import Version

from articles import publishing
from articles.models import Article, ArticlePath, ArticleTransition, Correction
from tests.factories import ArticleFactory, CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_draft(reporter):
    return ArticleFactory(draft=True, authors=[reporter.author_profile])


def test_reporter_submits_own_draft_and_the_move_is_recorded(reporter, own_draft):
    publishing.submit_for_review(article=own_draft, user=reporter, note="Lista")
    own_draft.refresh_from_db()
    assert own_draft.status == Article.Status.IN_REVIEW
    transition = ArticleTransition.objects.get(article=own_draft)
    assert (transition.user, transition.from_status, transition.to_status, transition.note) == (
        reporter,
        "draft",
        "in_review",
        "Lista",
    )


def test_reporter_cannot_submit_someone_elses_draft(reporter):
    other = ArticleFactory(draft=True)
    with pytest.raises(PermissionDenied):
        publishing.submit_for_review(article=other, user=reporter)
    other.refresh_from_db()
    assert other.status == Article.Status.DRAFT


@pytest.mark.parametrize(
    "change",
    [
        lambda article, user: publishing.publish_article(article=article, user=user),
        lambda article, user: publishing.publish_article(
            article=article, user=user, at=timezone.now() + timedelta(days=1)
        ),
        lambda article, user: publishing.unpublish_article(article=article, user=user),
    ],
    ids=["publish", "schedule", "unpublish"],
)
def test_reporter_cannot_publish_schedule_or_unpublish_even_own_story(reporter, change):
    article = ArticleFactory(in_review=True, authors=[reporter.author_profile])
    with pytest.raises((PermissionDenied, ValidationError)):
        change(article, reporter)
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW
    assert article.published_at is None
    assert not ArticleTransition.objects.exists()


def test_editor_walks_a_story_through_every_state(editor, own_draft):
    publishing.submit_for_review(article=own_draft, user=editor)
    publishing.publish_article(article=own_draft, user=editor)
    publishing.unpublish_article(article=own_draft, user=editor)
    publishing.return_to_draft(article=own_draft, user=editor)
    moves = list(ArticleTransition.objects.order_by("id").values_list("from_status", "to_status"))
    assert moves == [
        ("draft", "in_review"),
        ("in_review", "published"),
        ("published", "unpublished"),
        ("unpublished", "draft"),
    ]


def test_a_move_the_table_does_not_allow_is_refused(editor):
    article = ArticleFactory(draft=True)
    with translation.override("en"), pytest.raises(ValidationError, match="cannot go from"):
        publishing.unpublish_article(article=article, user=editor)


def test_allowed_transitions_follow_role_and_ownership(reporter, editor, own_draft):
    assert publishing.allowed_transitions(reporter, own_draft) == ["in_review"]
    assert set(publishing.allowed_transitions(editor, own_draft)) == {"in_review", "published"}
    assert publishing.allowed_transitions(reporter, ArticleFactory(draft=True)) == []


def test_reporter_may_edit_own_drafts_but_not_published_or_others(reporter, own_draft):
    assert publishing.can_edit(reporter, own_draft)
    assert not publishing.can_edit(reporter, ArticleFactory(draft=True))
    assert not publishing.can_edit(reporter, ArticleFactory(authors=[reporter.author_profile]))


def test_embargoed_story_appears_when_the_embargo_lifts(time_machine, editor):
    time_machine.move_to("2026-05-01 12:00:00+00:00", tick=False)
    article = ArticleFactory(draft=True)
    publishing.publish_article(
        article=article, user=editor, embargoed_until=timezone.now() + timedelta(hours=2)
    )
    assert not Article.objects.published().filter(pk=article.pk).exists()
    time_machine.move_to("2026-05-01 14:00:01+00:00", tick=False)
    assert Article.objects.published().filter(pk=article.pk).exists()


def test_every_transition_keeps_a_revision_with_its_author(editor):
    article = ArticleFactory(draft=True)
    publishing.publish_article(article=article, user=editor)
    version = Version.objects.get_for_object(article).get()
    assert version.revision.user == editor
    assert version.field_dict["status"] == "published"


def test_correction_bumps_last_modified_and_can_only_be_superseded(time_machine, editor):
    time_machine.move_to("2026-05-01 12:00:00+00:00", tick=False)
    article = ArticleFactory()
    time_machine.move_to("2026-05-03 09:00:00+00:00", tick=False)
    first = publishing.add_correction(article=article, user=editor, text="Era 2015.")
    article.refresh_from_db()
    assert article.updated_at == timezone.now()
    with pytest.raises(PermissionDenied):
        first.delete()
    second = publishing.add_correction(
        article=article, user=editor, text="Era 2016.", supersedes=first
    )
    first.refresh_from_db()
    assert first.superseded_by == second
    assert Correction.objects.count() == 2


def test_reporter_cannot_add_corrections_and_drafts_take_none(reporter, editor):
    with pytest.raises(PermissionDenied):
        publishing.add_correction(article=ArticleFactory(), user=reporter, text="x")
    with pytest.raises(ValidationError):
        publishing.add_correction(article=ArticleFactory(draft=True), user=editor, text="x")
    assert not Correction.objects.exists()


def test_moving_a_published_story_keeps_its_old_address():
    article = ArticleFactory(slug="viejo")
    old_address = article.get_absolute_url().rstrip("/")
    article.slug = "nuevo"
    article.category = CategoryFactory()
    article.save()
    assert ArticlePath.objects.get(path=old_address).article == article


def test_moving_a_draft_keeps_no_address():
    article = ArticleFactory(draft=True, slug="borrador")
    article.slug = "otro"
    article.save()
    assert not ArticlePath.objects.exists()


def test_withdrawn_means_unpublished_after_publication():
    gone = ArticleFactory(unpublished=True)
    ArticleFactory(draft=True)
    ArticleFactory()
    assert list(Article.objects.withdrawn()) == [gone]


def test_old_address_of_a_moved_story_answers_301_to_the_new_one(client):
    article = ArticleFactory(slug="viejo")
    old_address = article.get_absolute_url()
    article.slug = "nuevo"
    article.save()
    response = client.get(old_address)
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()
