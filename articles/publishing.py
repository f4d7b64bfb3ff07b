"""Every change of a story's state goes through these functions.

``TRANSITIONS`` is the whole workflow: which state may go to which, and the permission it takes.
Admin buttons and actions, views, management commands and the importer call these functions;
nothing else assigns ``Article.status``. Whether a reader can see a story is decided at query
time by ``ArticleQuerySet.published()``, so a story published for a future time (scheduled) or
under embargo appears on its own.

``user=None`` means the system itself (a management command, the importer): no permission check.
"""

from datetime import datetime

import reversion
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import images, previews, story_checks, story_states
from .models import Article, ArticleTransition, Correction

Status = Article.Status
# Problems (``story_checks``) that hold a story's publication until they are fixed or an
# editor publishes anyway with a reason. A headline, body, section and byline are not
# negotiable (``missing_for_publication``).
HOLDING_PROBLEMS = ("alt_text", "dek", "link_no_destination", "link_nowhere", "image_broken")

# (from, to) -> the permission it takes. Publishing a published story again reschedules it.
TRANSITIONS = {
    (Status.DRAFT, Status.IN_REVIEW): "articles.submit_article",
    (Status.IN_REVIEW, Status.DRAFT): "articles.submit_article",
    (Status.DRAFT, Status.PUBLISHED): "articles.publish_article",
    (Status.IN_REVIEW, Status.PUBLISHED): "articles.publish_article",
    (Status.PUBLISHED, Status.PUBLISHED): "articles.publish_article",
    (Status.UNPUBLISHED, Status.PUBLISHED): "articles.publish_article",
    (Status.PUBLISHED, Status.UNPUBLISHED): "articles.unpublish_article",
    (Status.UNPUBLISHED, Status.DRAFT): "articles.publish_article",
}

# States in which a story's own authors may still edit it without "edit any story".
AUTHOR_EDITABLE = {Status.DRAFT, Status.IN_REVIEW}


def is_author(user, article: Article) -> bool:
    """True when ``user`` signs the story (through their author profile)."""
    return bool(
        article.pk
        and user.is_authenticated
        and article.bylines.filter(author__user_id=user.pk).exists()
    )


def can_edit(user, article: Article) -> bool:
    """Editors edit every story; reporters only their own drafts and stories in review."""
    if user.has_perm("articles.edit_any_article"):
        return True
    return (
        user.has_perm("articles.change_article")
        and article.status in AUTHOR_EDITABLE
        and is_author(user, article)
    )


def can_preview(user, article: Article) -> bool:
    """Editors and the story's own authors may see any version of it before readers do."""
    return user.is_authenticated and (
        user.has_perm("articles.edit_any_article") or is_author(user, article)
    )


def allowed_transitions(user, article: Article) -> list[str]:
    """The states this user may move this story to now (for the buttons on its page)."""
    if not can_edit(user, article):
        return []
    return [
        to_status
        for (from_status, to_status), permission in TRANSITIONS.items()
        if from_status == article.status and user.has_perm(permission)
    ]


def check_transition(*, article: Article, user, to_status: str) -> None:
    """Refuse a move the workflow does not allow, or that this user may not make."""
    permission = TRANSITIONS.get((article.status, to_status))
    if permission is None:
        raise ValidationError(
            _("A story cannot go from “%(from)s” to “%(to)s”.")
            % {"from": Status(article.status).label, "to": Status(to_status).label}
        )
    if user is not None and not (user.has_perm(permission) and can_edit(user, article)):
        raise PermissionDenied(_("You may not make this change to this story."))


def missing_for_publication(
    article: Article,
    *,
    has_section: bool | None = None,
    has_byline: bool | None = None,
    with_alt_text: bool = True,
) -> list[str]:
    """What a story still lacks before it may be published (empty when it is ready).

    ``has_section`` and ``has_byline`` answer for a story whose section and byline are about to
    be written in bulk (the importer); left as None, the story itself is asked.
    ``with_alt_text=False`` leaves alt text to ``held_by`` (an editor may override it).
    """
    missing = []
    if not article.headline.strip():
        missing.append(_("a headline"))
    if not article.body.strip():
        missing.append(_("a body"))
    has_section, has_byline = story_checks.has_section_and_byline(
        article, has_section=has_section, has_byline=has_byline
    )
    if not has_section:
        missing.append(_("a section"))
    if not has_byline:
        missing.append(_("a byline"))
    if with_alt_text:
        missing.extend(images.missing_alt_text(article))
    return missing


def check_publishable(
    article: Article,
    *,
    has_section: bool | None = None,
    has_byline: bool | None = None,
    with_alt_text: bool = True,
) -> None:
    """Refuse to publish a story that lacks something (see ``missing_for_publication``)."""
    missing = missing_for_publication(
        article, has_section=has_section, has_byline=has_byline, with_alt_text=with_alt_text
    )
    if missing:
        raise ValidationError(
            _("“%(headline)s” cannot be published without %(missing)s.")
            % {"headline": article.headline or _("Untitled"), "missing": ", ".join(missing)}
        )


class PublicationHeld(ValidationError):
    """The story has problems that hold its publication (``held_by``)."""

    def __init__(self, article: Article, problems: list[story_checks.Problem]):
        self.problems = problems
        super().__init__(
            _(
                "“%(headline)s” is held before publishing: %(problems)s. Fix it, or an editor "
                "may publish it anyway, giving the reason."
            )
            % {
                "headline": article.headline or _("Untitled"),
                "problems": "; ".join(problem.label for problem in problems),
            },
            code="held",
        )


def held_by(article: Article) -> list[story_checks.Problem]:
    """The problems that hold this story's publication (empty when nothing does)."""
    return [
        problem
        for problem in story_checks.editorial_problems(article)
        if problem.code in HOLDING_PROBLEMS
    ]


def may_publish_anyway(user) -> bool:
    """Editors may publish a story held by its problems, giving a reason; reporters may not."""
    return user.has_perm("articles.publish_anyway")


def _move(
    *,
    article: Article,
    user,
    to_status: str,
    note: str,
    fields: list[str],
    override_reason: str = "",
) -> Article:
    """Save the new state, keep a revision and write the audit row (with the times it set)."""
    from_status = article.status
    article.status = to_status
    to_label = story_states.story_state(article)
    comment = f"{Status(from_status).label} → {to_label}"
    if override_reason:
        comment += " · " + _("published anyway: %(reason)s") % {"reason": override_reason}
    with reversion.create_revision():
        article.save(update_fields=["status", "updated_at", *fields])
        if user is not None:
            reversion.set_user(user)
        reversion.set_comment(comment[:500])
    ArticleTransition.objects.create(
        article=article,
        user=user,
        from_status=from_status,
        to_status=to_status,
        note=note,
        publish_at=article.published_at if to_status == Status.PUBLISHED else None,
        embargoed_until=article.embargoed_until if to_status == Status.PUBLISHED else None,
        override_reason=override_reason,
    )
    return article


@transaction.atomic
def submit_for_review(*, article: Article, user=None, note: str = "") -> Article:
    """Send a draft to the editors."""
    check_transition(article=article, user=user, to_status=Status.IN_REVIEW)
    return _move(article=article, user=user, to_status=Status.IN_REVIEW, note=note, fields=[])


@transaction.atomic
def return_to_draft(*, article: Article, user=None, note: str = "") -> Article:
    """Send a story back to its authors (from review, or after it was unpublished)."""
    check_transition(article=article, user=user, to_status=Status.DRAFT)
    return _move(article=article, user=user, to_status=Status.DRAFT, note=note, fields=[])


@transaction.atomic
def publish_article(
    *,
    article: Article,
    user=None,
    at: datetime | None = None,
    embargoed_until: datetime | None = None,
    note: str = "",
    override_reason: str = "",
) -> Article:
    """Publish a story now, or at ``at`` (a future time schedules it), optionally under embargo.

    A story that was published before keeps its original publication time unless ``at`` is
    given, so republishing after a correction does not move it to the top of the home page.
    Someone publishing a story with problems (``held_by``) is refused with ``PublicationHeld``
    unless they are an editor and give ``override_reason``, which the audit row and the
    revision keep.
    """
    check_transition(article=article, user=user, to_status=Status.PUBLISHED)
    # A double click or a retried request changes nothing and records nothing a second time.
    if (
        article.status == Status.PUBLISHED
        and at is None
        and embargoed_until == article.embargoed_until
    ):
        return article
    # The system (commands, the importer) publishes by the old rule; people are held by the
    # desk's checks, which an editor may override.
    check_publishable(article, with_alt_text=user is None)
    override_reason = override_reason.strip()[:500]
    problems = held_by(article) if user is not None else []
    if problems and not override_reason:
        raise PublicationHeld(article, problems)
    if problems and not may_publish_anyway(user):
        raise PermissionDenied(_("Only an editor may publish a story with problems."))
    if not problems:
        override_reason = ""
    if at is not None:
        article.published_at = at
    elif article.published_at is None:
        article.published_at = timezone.now()
    article.embargoed_until = embargoed_until
    return _move(
        article=article,
        user=user,
        to_status=Status.PUBLISHED,
        note=note,
        fields=["published_at", "embargoed_until"],
        override_reason=override_reason,
    )


def publish_unsaved(*, article: Article, has_section: bool, has_byline: bool, user=None) -> None:
    """Make a story that is not saved yet a published one, with ``publish_article``'s checks.

    For bulk writers (the importer's batches): they write the story already published, with
    its section and byline (``has_section``, ``has_byline`` say they will), then call
    ``record_publications`` for the audit rows.
    """
    check_transition(article=article, user=user, to_status=Status.PUBLISHED)
    check_publishable(article, has_section=has_section, has_byline=has_byline)
    article.published_at = article.published_at or timezone.now()
    article.embargoed_until = None
    article.status = Status.PUBLISHED


def record_publications(*, articles: list[Article], user=None, note: str = "") -> None:
    """The audit rows of stories written already published (see ``publish_unsaved``)."""
    ArticleTransition.objects.bulk_create(
        ArticleTransition(
            article=article,
            user=user,
            from_status=Status.DRAFT,
            to_status=Status.PUBLISHED,
            note=note,
            publish_at=article.published_at,
        )
        for article in articles
    )


@transaction.atomic
def unpublish_article(*, article: Article, user=None, note: str = "") -> Article:
    """Take a story off the public site; it keeps its publication time for the record, and
    every preview link to it stops working for good."""
    check_transition(article=article, user=user, to_status=Status.UNPUBLISHED)
    previews.revoke_all_links(article)
    return _move(article=article, user=user, to_status=Status.UNPUBLISHED, note=note, fields=[])


def move_to(
    *, article: Article, user, to_status: str, at: datetime | None = None, note=""
) -> Article:
    """Run the transition to ``to_status`` (what the buttons on the story's page post)."""
    if to_status == Status.PUBLISHED:
        return publish_article(article=article, user=user, at=at, note=note)
    change = {
        Status.IN_REVIEW: submit_for_review,
        Status.DRAFT: return_to_draft,
        Status.UNPUBLISHED: unpublish_article,
    }.get(to_status)
    if change is None:
        raise ValidationError(_("Unknown state."))
    return change(article=article, user=user, note=note)


@transaction.atomic
def add_correction(
    *,
    article: Article,
    user=None,
    text: str,
    kind: str = Correction.Kind.CORRECTION,
    supersedes: Correction | None = None,
) -> Correction:
    """Append a correction to a published story (optionally replacing an earlier one)."""
    if user is not None and not user.has_perm("articles.append_correction"):
        raise PermissionDenied(_("You may not correct stories."))
    if not article.is_published:
        raise ValidationError(_("Only a story readers can see takes corrections."))
    if not text.strip():
        raise ValidationError(_("A correction needs its text."))
    if supersedes is not None and (
        supersedes.article_id != article.pk or supersedes.superseded_by_id
    ):
        raise ValidationError(_("That correction belongs to another story or was replaced."))
    correction = Correction.objects.create(
        article=article, kind=kind, text=text.strip(), created_by=user
    )
    if supersedes is not None:
        supersedes.superseded_by = correction
        supersedes.save(update_fields=["superseded_by"])
    # The story's "last modified" (page metadata, feeds) moves with the correction.
    with reversion.create_revision():
        article.save(update_fields=["updated_at"])
        if user is not None:
            reversion.set_user(user)
        reversion.set_comment(_("Correction added"))
    return correction
