"""What the fronts show: the places editors chose, filled up by the newest stories, the
section blocks of the home page and the breaking-news banner.

Decided at read time: a place whose story readers may not see (``published()``, the one rule)
or whose pin has ended is filled by the newest stories, with no job to run. Every read here
takes a fixed number of queries, whatever the number of places, sections and images.
"""

from dataclasses import dataclass
from itertools import islice
from typing import NamedTuple

from django.db.models import Q
from django.utils import timezone

from . import list_fragments, page_tags, tag_versions
from .models import Article, BreakingNews, Category, FrontSlot, Image
from .models.fronts import FRONT_PLACES
from .querysets import seconds_until_next_publication
from .related_stories import RELATED_WINDOW

# Stories in the home page's "Latest" column and in each section block.
LATEST_STORIES = 6
SECTION_BLOCK_STORIES = 3


class Place(NamedTuple):
    """A place of a front: the story's id, the editor's slot (None where the newest stories
    fill it) and the story, where it is not one of the page's."""

    story_id: int
    slot: FrontSlot | None
    story: Article | None


@dataclass
class Teaser:
    """A story as a front shows it: the headline and picture may be the front's own."""

    article: Article
    headline: str
    image: Image | None
    crop: str

    @property
    def pk(self):
        """The story's id, as for a place printed from its stored piece."""
        return self.article.pk


def front_places(page_ids, *, section: Category | None = None, now=None) -> list[Place]:
    """The lead and secondary places of the home page (``section`` None) or a section's
    page: the places an editor filled, in order, and the newest of ``page_ids`` (the ids of
    the page's stories, newest first) in the others. A chosen story that is not on the page
    comes with its model instance (read only if readers may see it); the page prints the
    others (``teaser``)."""
    now = now or timezone.now()
    page_tags.shows(page_tags.front(section.pk if section else None))
    slots = _current_slots(section, now)
    on_page = set(page_ids)
    outside = {}
    missing = [slot.article_id for slot in slots if slot.article_id not in on_page]
    if missing:
        # The publishing rule decides here: a story readers may not see is simply not found.
        chosen = Article.objects.published(at=now).for_listing().filter(pk__in=missing)
        outside = {story.pk: story for story in chosen}
    places: list[Place | None] = [None] * FRONT_PLACES
    placed = set()
    for slot in slots:
        story_id = slot.article_id
        visible = story_id in on_page or story_id in outside
        if not visible or story_id in placed or places[slot.position - 1] is not None:
            continue
        places[slot.position - 1] = Place(story_id, slot, outside.get(story_id))
        placed.add(story_id)
    newest = (story_id for story_id in page_ids if story_id not in placed)
    for index, place in enumerate(places):
        if place is None:
            story_id = next(newest, None)
            if story_id is not None:
                places[index] = Place(story_id, None, None)
    return [place for place in places if place is not None]


def teaser(place: Place, story: Article) -> Teaser:
    """A place as the front prints it, around its story (``place.story`` or the page's)."""
    if place.slot is None:
        return Teaser(story, story.headline, story.lead_image, FrontSlot.Crop.WIDE)
    slot = place.slot
    return Teaser(story, slot.headline or story.headline, slot.image or story.lead_image, slot.crop)


def _current_slots(section: Category | None, now) -> list[FrontSlot]:
    """The places of this front whose pin has not ended, in order: the front's places (and
    the renditions of the pictures chosen for them) are read once per change readers see."""
    using = FrontSlot.objects.all().db
    slots = tag_versions.remember(
        f"front-slots:{using}:{section.pk if section else 'home'}",
        [tag_versions.COUNTER],
        lambda: _read_slots(section, using),
    )
    return [slot for slot in slots if slot.pinned_until is None or slot.pinned_until > now]


def _read_slots(section: Category | None, using: str) -> list[FrontSlot]:
    page = {"front__section": section} if section else {"front__section__isnull": True}
    return list(
        FrontSlot.objects.using(using)
        .filter(**page, position__lte=FRONT_PLACES)
        .select_related("image")
        .prefetch_related("image__renditions")
        .order_by("position")
    )


def section_block_choice(sections: list[Category], *, leave_out=()) -> list[tuple[Category, list]]:
    """The ids of the newest ``SECTION_BLOCK_STORIES`` stories of each section, in the
    sections' order, among the newest ``RELATED_WINDOW`` published stories lists carry and
    leaving out the ids given (the stories the front already leads with): chosen among those
    newest stories, kept until a change readers see (no query). A section with none is left
    out."""
    leave_out = set(leave_out)
    # Read where this request reads (a replica, if it may), as the related stories are.
    newest = _newest_listed_by_section(Article.objects.all().db)
    chosen = (
        (
            section,
            list(
                islice(
                    (pk for pk in newest.get(section.pk, ()) if pk not in leave_out),
                    SECTION_BLOCK_STORIES,
                )
            ),
        )
        for section in sections
    )
    return [(section, ids) for section, ids in chosen if ids]


def printed_section_blocks(blocks, pieces) -> list[tuple[Category, list]]:
    """The blocks ``section_block_choice`` chose as the page prints them: each story's
    stored piece where ``pieces`` (``list_fragments.stored_pieces`` of
    ``SECTION_BLOCK_STORY``) holds it, else its model instance."""
    printed = list_fragments.printed_by_id(
        [story_id for _section, ids in blocks for story_id in ids],
        list_fragments.SECTION_BLOCK_STORY,
        pieces,
    )
    # A story unpublished since it was chosen is simply not printed.
    shown = [(section, [printed[pk] for pk in ids if pk in printed]) for section, ids in blocks]
    return [(section, stories) for section, stories in shown if stories]


def _newest_listed_by_section(using: str) -> dict[int, tuple[int, ...]]:
    """The ids of the newest ``RELATED_WINDOW`` published stories lists carry, newest first,
    by section: read once per change readers see, and never kept past the next scheduled
    story, which may enter them. (The related-stories window cannot stand in: it holds the
    stories lists leave out too, so it may hold fewer of those lists carry.)"""

    def read():
        by_section: dict[int, list[int]] = {}
        rows = (
            Article.objects.using(using)
            .published()
            .shown_in_lists()
            .newest_first()
            .values_list("pk", "category_id")[:RELATED_WINDOW]
        )
        for pk, section_id in rows:
            if section_id is not None:
                by_section.setdefault(section_id, []).append(pk)
        return {section_id: tuple(ids) for section_id, ids in by_section.items()}

    return tag_versions.remember(
        f"newest-listed:{using}",
        [tag_versions.COUNTER],
        read,
        lifetime=lambda: seconds_until_next_publication(using),
    )


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
