"""Preview links: signed, expiring, revocable addresses that show a story's current draft.

The address carries the link's random token signed with the site's key, so a guessed or edited
address fails before the database is asked; the stored ``PreviewLink`` makes it revocable.
"""

import secrets
from datetime import datetime, timedelta

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Article, PreviewLink

SALT = "articles.preview-link"
# A shared link shows the story while it is being written or is public. Unpublishing revokes
# every link for good (``publishing.unpublish_article``); this check is the second wall, for a
# story whose state changed some other way. A deleted story takes its links with it (cascade).
PREVIEWABLE = {Article.Status.DRAFT, Article.Status.IN_REVIEW, Article.Status.PUBLISHED}
DEFAULT_LIFETIME = timedelta(days=3)
MAX_LIFETIME = timedelta(days=30)


class PreviewLinkGone(Exception):
    """The link existed but expired or was revoked."""


def signed_token(link: PreviewLink) -> str:
    """The token as it appears in the shared address."""
    return signing.Signer(salt=SALT).sign(link.token)


@transaction.atomic
def create_preview_link(
    *, article: Article, user, expires_at: datetime | None = None
) -> PreviewLink:
    """Make a link to send to a source or a lawyer; it expires on its own."""
    if user is not None and not user.has_perm("articles.share_preview"):
        raise PermissionDenied(_("You may not share previews."))
    now = timezone.now()
    expires_at = min(expires_at or now + DEFAULT_LIFETIME, now + MAX_LIFETIME)
    if expires_at <= now:
        expires_at = now + DEFAULT_LIFETIME
    return PreviewLink.objects.create(
        article=article, token=secrets.token_urlsafe(24), created_by=user, expires_at=expires_at
    )


@transaction.atomic
def revoke_preview_link(*, link: PreviewLink, user) -> PreviewLink:
    """Stop a link from working, now and for good."""
    if user is not None and not user.has_perm("articles.share_preview"):
        raise PermissionDenied(_("You may not revoke previews."))
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return link


def revoke_all_links(article: Article) -> int:
    """Stop every link to this story, now and for good (when it is unpublished)."""
    return PreviewLink.objects.filter(article=article, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def article_for_token(signed: str) -> Article:
    """The story a shared address shows; ``PreviewLink.DoesNotExist`` for a bad address (or a
    deleted story) and ``PreviewLinkGone`` for an expired or revoked one, or one whose story
    is not ``PREVIEWABLE`` (unpublished)."""
    try:
        token = signing.Signer(salt=SALT).unsign(signed)
    except signing.BadSignature:
        raise PreviewLink.DoesNotExist from None
    link = PreviewLink.objects.select_related("article").get(token=token)
    if not link.is_usable or link.article.status not in PREVIEWABLE:
        raise PreviewLinkGone
    return Article.objects.for_detail().get(pk=link.article_id)


def article_at_version(article: Article, version) -> Article:
    """The story as a revision kept it (words and metadata), for previewing that revision."""
    snapshot = version._object_version.object
    snapshot.pk = article.pk
    # Revisions keep the Markdown, not the HTML derived from it (revisions.DERIVED_FIELDS).
    snapshot.render_body()
    # The byline, tags and organizations shown are the story's current ones, as prefetched.
    snapshot._prefetched_objects_cache = getattr(article, "_prefetched_objects_cache", {})
    for name in ("prefetched_bylines", "prefetched_tags", "prefetched_organizations"):
        if name in article.__dict__:
            snapshot.__dict__[name] = article.__dict__[name]
    return snapshot
