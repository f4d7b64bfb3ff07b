"""The newsroom's desk, the admin's start page: what waits for this person now.

One query per list, each a page-shaped read of the newest few, so the page costs the same at
ten stories or a hundred thousand. Reporters see their own unpublished stories only, as
everywhere else in the admin (``publishing.can_preview``); what readers can see is for everyone.
"""

from dataclasses import dataclass
from datetime import datetime, time

from django.db.models import Q
from django.utils import timezone

from . import story_states
from .models import Article, Correction

SHOWN = 8
# What a line on the desk prints of a story.
DESK_COLUMNS = ("headline", "status", "published_at", "embargoed_until", "updated_at", "todos")


@dataclass
class DeskLine:
    """A story on the desk: its id, headline, state in readers' words and its to-dos count."""

    story: Article
    state: str
    todos: int


@dataclass
class Desk:
    """The lists of the start page, each newest first and at most ``SHOWN`` long."""

    my_drafts: list[DeskLine]
    awaiting_review: list[DeskLine] | None  # None: this person does not review
    scheduled: list[DeskLine]
    published_today: list[DeskLine]
    corrections: list[Correction]
    with_todos: list[DeskLine]


def _lines(stories, now) -> list[DeskLine]:
    return [
        DeskLine(
            story=story,
            state=story_states.story_state(story, now=now),
            todos=sum(item.get("count", 1) for item in story.todos or []),
        )
        for story in stories.only(*DESK_COLUMNS)[:SHOWN]
    ]


def start_of_today(now: datetime) -> datetime:
    """Midnight at the newsroom, today."""
    zone = story_states.newsroom_zone()
    return datetime.combine(timezone.localtime(now, zone).date(), time.min, tzinfo=zone)


def desk_for(user, *, now: datetime | None = None) -> Desk:
    """What ``user`` finds on the admin's start page."""
    now = now or timezone.now()
    stories = Article.objects.all()
    own = stories.filter(bylines__author__user=user) if user.is_authenticated else stories.none()
    reviews = user.has_perm("articles.publish_article")
    # Editors see the whole newsroom's unpublished work; reporters only theirs.
    unpublished = stories if user.has_perm("articles.edit_any_article") else own
    waiting = Q(published_at__gt=now) | Q(embargoed_until__gt=now)
    return Desk(
        my_drafts=_lines(
            own.filter(status__in=[Article.Status.DRAFT, Article.Status.IN_REVIEW]).order_by(
                "-updated_at"
            ),
            now,
        ),
        awaiting_review=(
            _lines(stories.filter(status=Article.Status.IN_REVIEW).order_by("updated_at"), now)
            if reviews
            else None
        ),
        scheduled=_lines(
            unpublished.filter(waiting, status=Article.Status.PUBLISHED).order_by("published_at"),
            now,
        ),
        published_today=_lines(
            stories.published(at=now)
            .filter(published_at__gte=start_of_today(now))
            .order_by("-published_at"),
            now,
        ),
        corrections=list(
            Correction.objects.select_related("article")
            .only("kind", "text", "published_at", "article__headline")
            .order_by("-published_at")[:SHOWN]
        ),
        with_todos=_lines(unpublished.exclude(todos=[]).order_by("-updated_at"), now),
    )
