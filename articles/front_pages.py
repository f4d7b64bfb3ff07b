"""What the fronts show: the places editors chose, filled up by the newest stories, the
section blocks of the home page and the breaking-news banner.

Decided at read time: a place whose story readers may not see (``published()``, the one rule)
or whose pin has ended is filled by the newest stories, with no job to run. Every read here
takes a fixed number of queries, whatever the number of places, sections and images.
"""

from dataclasses import dataclass

from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from . import page_tags, tag_versions
from .models import Article, BreakingNews, Category, FrontSlot, Image
from .models.fronts import FRONT_PLACES
from .related_stories import RELATED_WINDOW

# Stories in the home page's "Latest" column and in each section block.
LATEST_STORIES = 6
SECTION_BLOCK_STORIES = 3


@dataclass
class Teaser:
    """A story as a front shows it: the headline and picture may be the front's own."""

    article: Article
    headline: str
    image: Image | None
    crop: str


def front_places(page_stories, *, section: Category | None = None, now=None) -> list[Teaser]:
    """The lead and secondary stories of the home page (``section`` None) or a section's
    page: the places an editor filled, in order, and the newest of ``page_stories`` (already
    read, newest first) in the others."""
    now = now or timezone.now()
    page_tags.shows(page_tags.front(section.pk if section else None))
    slots = _current_slots(section, now)
    stories = {story.pk: story for story in page_stories}
    missing = [slot.article_id for slot in slots if slot.article_id not in stories]
    if missing:
        # The publishing rule decides here: a story readers may not see is simply not found.
        chosen = Article.objects.published(at=now).for_listing().filter(pk__in=missing)
        stories.update((story.pk, story) for story in chosen)
    places: list[Teaser | None] = [None] * FRONT_PLACES
    placed = set()
    for slot in slots:
        story = stories.get(slot.article_id)
        if story is None or story.pk in placed or places[slot.position - 1] is not None:
            continue
        places[slot.position - 1] = Teaser(
            story, slot.headline or story.headline, slot.image or story.lead_image, slot.crop
        )
        placed.add(story.pk)
    newest = (story for story in page_stories if story.pk not in placed)
    for index, place in enumerate(places):
        if place is None:
            story = next(newest, None)
            if story is not None:
                places[index] = Teaser(story, story.headline, story.lead_image, "wide")
    return [place for place in places if place is not None]


def _current_slots(section: Category | None, now) -> list[FrontSlot]:
    """The places of this front whose pin has not ended, in order (one query, and one more
    for the renditions of the pictures chosen for the front, if any)."""
    page = {"front__section": section} if section else {"front__section__isnull": True}
    return list(
        FrontSlot.objects.filter(**page, position__lte=FRONT_PLACES)
        .filter(Q(pinned_until__isnull=True) | Q(pinned_until__gt=now))
        .select_related("image")
        .prefetch_related("image__renditions")
        .order_by("position")
    )


def section_blocks(sections: list[Category], *, leave_out=()) -> list[tuple[Category, list]]:
    """The newest ``SECTION_BLOCK_STORIES`` stories of each section, in the sections' order,
    among the newest ``RELATED_WINDOW`` published stories and leaving out the ids given (the
    stories the front already leads with). One read for all sections."""
    newest = (
        Article.objects.published().shown_in_lists().newest_first().values("pk")[:RELATED_WINDOW]
    )
    ranked = (
        Article.objects.published()
        .filter(pk__in=newest, category__isnull=False)
        .exclude(pk__in=list(leave_out))
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=F("category_id"),
                order_by=[F("published_at").desc(), F("id").desc()],
            )
        )
    )
    ids = [pk for pk, rank in ranked.values_list("pk", "rank") if rank <= SECTION_BLOCK_STORIES]
    by_section: dict[int, list] = {}
    for story in Article.objects.published().for_listing().filter(pk__in=ids).newest_first():
        by_section.setdefault(story.category_id, []).append(story)
    return [(section, by_section[section.pk]) for section in sections if section.pk in by_section]


def breaking_news(now=None) -> BreakingNews | None:
    """The banner that is on, for a story readers may see, if it has not expired. Read once
    per change readers can see; its expiry is checked on every page, and stored pages never
    outlive it (``ArticleQuerySet.next_publication_time``). Every page carries the site's tag,
    which a banner change moves on, and a page showing a banner its story's tag (the banner
    goes when the story is unpublished)."""
    banner = tag_versions.remember("breaking-news", [tag_versions.COUNTER], _read_breaking_news)
    now = now or timezone.now()
    if banner is None or (banner.expires_at is not None and banner.expires_at <= now):
        return None
    page_tags.shows(page_tags.story(banner.article_id))
    return banner


def _read_breaking_news() -> BreakingNews | None:
    now = timezone.now()
    return (
        BreakingNews.objects.filter(active=True, article__in=Article.objects.published(at=now))
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .select_related("article__category")
        .only(
            "label",
            "expires_at",
            "article__headline",
            "article__slug",
            "article__published_at",
            "article__category__slug",
        )
        .first()
    )
