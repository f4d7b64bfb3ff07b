"""Every change of a story's publication state goes through these functions.

Admin actions, views, management commands and the importer call them; nothing else assigns
``Article.status``. Whether a reader can see a story is decided at query time by
``ArticleQuerySet.published()``, so a story published for a future time appears on its own.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import images
from .models import Article


def missing_for_publication(article: Article) -> list[str]:
    """What a story still lacks before it may be published (empty when it is ready)."""
    missing = []
    if not article.headline.strip():
        missing.append(_("a headline"))
    if not article.body.strip():
        missing.append(_("a body"))
    if not article.category_id:
        missing.append(_("a section"))
    if article.pk is None or not article.bylines.exists():
        missing.append(_("a byline"))
    missing.extend(images.missing_alt_text(article))
    return missing


@transaction.atomic
def publish_article(*, article: Article, user=None, at: datetime | None = None) -> Article:
    """Publish a story now, or at ``at`` (a future time schedules it).

    A story that was published before keeps its original publication time unless ``at`` is
    given, so republishing after a correction does not move it to the top of the home page.
    """
    missing = missing_for_publication(article)
    if missing:
        raise ValidationError(
            _("“%(headline)s” cannot be published without %(missing)s.")
            % {"headline": article.headline or _("Untitled"), "missing": ", ".join(missing)}
        )
    if at is not None:
        article.published_at = at
    elif article.published_at is None:
        article.published_at = timezone.now()
    article.status = Article.Status.PUBLISHED
    article.save(update_fields=["status", "published_at", "updated_at"])
    return article


@transaction.atomic
def unpublish_article(*, article: Article, user=None) -> Article:
    """Take a story off the public site; it keeps its publication time for the record."""
    article.status = Article.Status.UNPUBLISHED
    article.save(update_fields=["status", "updated_at"])
    return article
