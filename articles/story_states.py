"""What a story's state means to a reader, in the newsroom's words and time zone: Borrador,
En revisión, Programada (with its time), Publicada, Retirada.

Derived for display from the stored status and times; whether readers see a story is still
decided once, by ``ArticleQuerySet.published()`` (``Article.is_published`` agrees with it).
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import Article

Status = Article.Status


def newsroom_zone() -> ZoneInfo:
    """The zone editors read and type times in (``settings.TIME_ZONE``)."""
    return ZoneInfo(settings.TIME_ZONE)


def newsroom_time(moment: datetime) -> str:
    """A moment as the whole admin writes it, in the newsroom's zone."""
    return date_format(timezone.localtime(moment, newsroom_zone()), "DATETIME_FORMAT")


def state_label(status: str, *, published_at=None, embargoed_until=None, now=None) -> str:
    """The state a reader would see for these values, with the time a waiting story appears."""
    now = now or timezone.now()
    if status != Status.PUBLISHED or published_at is None:
        return str(Status(status).label)
    if published_at > now:
        return _("Scheduled for %(when)s") % {"when": newsroom_time(published_at)}
    if embargoed_until is not None and embargoed_until > now:
        return _("Under embargo until %(when)s") % {"when": newsroom_time(embargoed_until)}
    return str(Status.PUBLISHED.label)


def story_state(article: Article, *, now=None) -> str:
    """``state_label`` for a story as it is now."""
    return state_label(
        article.status,
        published_at=article.published_at,
        embargoed_until=article.embargoed_until,
        now=now,
    )
