"""The story page from pieces stored with its read-model row (``story_fragments``), so an
uncached page renders only what is not the story's own around them.

Two pieces, rendered by the page's own templates when the row is written:

* ``story_page`` (JSON): what the blocks ``title``, ``meta``, ``extra_head`` and ``story`` of
  ``articles/article_detail.html`` print for the story (its ``<head>`` lines, JSON-LD
  included, and its ``<article>``, share links included), and its **outline**, what the page
  still works out per request: the columns of its address, its section, the ids its related
  stories are chosen by, and the cache tags the page records for it. One piece, so the read
  takes it out of the row's stored JSON once.
* ``related_item``: what the ``related_item`` macro prints for the story in another story's
  related or "More from" list, picture included.

Neither prints anything a reader or the moment changes: addresses are built on ``SITE_URL``
at the site's root, dates are written in the site's language and time zone (as every piece is:
``story_fragments.render_pieces``), the "Updated" rule compares two stored times. The menu,
the search form, the related stories' choice (``RelatedWindow``) and the request's own path
render live around them.

Both are read by prepared statements compiled once per process (``compiled_statements``),
each piece through ``story_fragments.stored_piece`` with the stamp ``story_fragments`` lets the
request print: a page read in another language, time zone or script prefix than the site's
renders the story itself, and so does a page whose row (or a listed story's row) lacks current
pieces.
"""

import functools
import json
from pathlib import Path
from typing import NamedTuple

from django.db import router
from django.db.models import Case, F, JSONField, Value, When
from django.template import engines
from django.utils import timezone
from markupsafe import Markup

from . import compiled_statements, page_tags, story_fragments, tag_versions
from .context_processors import site
from .models import Article, StoryPage
from .sharing import share_links
from .story_page_reads import image_from, outline_from, story_from_row

STORY_PAGE = "story_page"
RELATED_ITEM = "related_item"
DETAIL_TEMPLATE = "articles/article_detail.html"
RELATED_ITEM_TEMPLATE = "articles/includes/related_item.html"
# The blocks of DETAIL_TEMPLATE stored: all it prints of the story itself.
STORED_BLOCKS = ("title", "meta", "extra_head", "story")
# Compiled into the reads in place of each request's slug and moment: no story has them.
_STAND_IN_SLUG = "\x00slug"
# Besides the templates: the code that shapes what the pieces print.
_SOURCES = [
    "story_page_pieces.py",
    "metadata.py",
    "structured_data.py",
    "sharing.py",
    "canonical.py",
    "images/__init__.py",
    "models/stories.py",
    "story_page_reads.py",
    "urls.py",
    "context_processors.py",
]


class StoryForPage(NamedTuple):
    """A published story as its page needs it: ``stored`` (safe HTML by block name) with
    ``article`` made from the story's ``outline`` (as stored), or ``stored`` and ``outline``
    None and the whole story to render."""

    article: Article
    stored: dict[str, Markup] | None
    outline: dict | None = None


def register_pieces() -> None:
    """Store the story page's pieces with every row written (from ``ArticlesConfig.ready()``)."""
    sources = _source_paths()
    story_fragments.register(STORY_PAGE, _story_page, sources=sources)
    story_fragments.register(
        RELATED_ITEM, _related_item, sources=sources, column=story_fragments.SMALL
    )


def story_for_page(slug: str) -> StoryForPage | None:
    """The published story with this slug (None if readers may not see one), in one query, a
    prepared statement by the unique slug: its stored blocks and outline when its row has
    current pieces, else the story itself (``story_from_row``). Records the page's cache tags."""
    using = router.db_for_read(StoryPage)
    statement = _story_statement(using, story_fragments.stamp_to_read())
    found = compiled_statements.run(statement, {"slug": slug, "now": timezone.now()})
    if not found:
        return None
    ((article_id, piece, story, picture),) = found
    # Its own page prints what its teasers do not: the body, the corrections.
    page_tags.shows(page_tags.story_text(article_id))
    if piece is None and story is None:
        # Current stamp, no piece: story_fragments writes all pieces or none, so only a row
        # written by hand gets here; render it like any other.
        story, picture = (
            StoryPage.objects.using(using).values_list("story", "lead_image").get(pk=article_id)
        )
    if story is not None:
        article = story_from_row(_json(story), _json(picture), using)
        page_tags.shows_stories([article])
        return StoryForPage(article, None)
    piece = json.loads(piece)
    outline = piece["outline"]
    page_tags.shows(*outline["page_tags"])
    stored = {name: Markup(piece["blocks"][name]) for name in STORED_BLOCKS}
    return StoryForPage(outline_from(outline, using), stored, outline)


def story_from_outline(outline: dict) -> Article:
    """The story as its page works it out around its stored blocks, from the ``outline`` a
    ``StoryForPage`` gave (read from the database the page reads)."""
    return outline_from(outline, router.db_for_read(StoryPage))


class ListedStory(NamedTuple):
    """A story of a related or "More from" list, printed from its stored item."""

    pk: int
    stored_item: Markup


def listed_items(*lists) -> list[list]:
    """Each list of stories a page lists beside its story (``RelatedCandidate``s of the
    related stories' window) with every story as its stored list item (``ListedStory``), or,
    where its row has no current one, as a model instance with its lead image and renditions
    to render one.

    The items read are kept in this process's memory, each until its story's ``story:`` tag
    moves on (what a list prints of a story changed; a correction or a new body does not move
    it) or a section changes: a page reads, in one query, only the rows of stories no page
    listed since, or all of its stories' rows if one of the items it would print moved on.
    """
    candidates = [candidate for listed in lists for candidate in listed]
    if not candidates:
        return [[] for _listed in lists]
    using = router.db_for_read(StoryPage)
    stamp = story_fragments.stamp_to_read()
    known = _remembered_items(using, stamp)
    held = [candidate.id for candidate in candidates if candidate.id in known]
    if held and not _still_current(known, held):
        held = []
    found = {pk: known[pk] for pk in held}
    missing = [candidate.id for candidate in candidates if candidate.id not in found]
    if missing:
        read_after = tag_versions.shared_versions()[tag_versions.COUNTER]
        statement = _related_statement(using, stamp, len(missing))
        rows = compiled_statements.run(statement, compiled_statements.ids(missing))
        for pk, item, picture in rows:
            found[pk] = (item and Markup(item), picture, read_after)
            if item is not None:  # a row being rendered again is asked for again
                known[pk] = found[pk]
    return [[_listed(candidate, found, using) for candidate in listed] for listed in lists]


def _remembered_items(using: str, stamp: str | None) -> dict:
    """Story id -> (stored item, lead image's JSON, change number it was read after), kept
    per process until a section changes (an item prints its section's name)."""
    return tag_versions.remember(
        f"related-items:{using}:{stamp}", [page_tags.SITE, page_tags.SECTIONS], dict
    )


def _still_current(known: dict, story_ids: list) -> bool:
    """Whether none of these stories' ``story:`` tags moved on since its item was read (no
    question if nothing changed since; then this process's mirror of the changes answers on
    PostgreSQL, else one indexed read)."""
    oldest = min(known[pk][2] for pk in story_ids)
    if oldest >= tag_versions.shared_versions()[tag_versions.COUNTER]:
        return True  # read after the last change: nothing to ask
    return tag_versions.fresh_as_of([page_tags.story(pk) for pk in story_ids], oldest) is not None


def _listed(candidate, found: dict, using: str):
    item, picture, _read_after = found.get(candidate.id, (None, None, None))
    if item is not None:
        return ListedStory(candidate.id, item)
    (story,) = Article.objects.using(using).from_window([candidate])
    if story.lead_image_id and picture is not None:
        story.lead_image = image_from(_json(picture), using)
    return story


@functools.lru_cache(maxsize=16)
def _story_statement(using: str, stamp: str | None) -> compiled_statements.Statement:
    """The story page's read: a published story's row by slug (see ``story_for_page``)."""
    visible = (
        Article.objects.using(using)
        .published(at=compiled_statements.STAND_IN_MOMENT)
        .filter(slug=_STAND_IN_SLUG)
    )
    rows = (
        StoryPage.objects.using(using)
        .filter(article__in=visible.values("pk"))
        .values_list(
            "article_id",
            story_fragments.stored_piece(STORY_PAGE, stamp),
            _unless_current(stamp, "story"),
            _unless_current(stamp, "lead_image"),
        )
    )
    stand_ins = {"slug": _STAND_IN_SLUG, "now": compiled_statements.STAND_IN_MOMENT}
    return compiled_statements.compile_query(rows[:1], stand_ins)


@functools.lru_cache(maxsize=64)
def _related_statement(using: str, stamp: str | None, count: int):
    """The read of ``count`` listed stories' rows by id (see ``listed_items``)."""
    return story_fragments.rows_by_id(
        using,
        count,
        story_fragments.stored_piece(RELATED_ITEM, stamp),
        _unless_current(stamp, "lead_image"),
    )


def _unless_current(stamp: str | None, column: str):
    """A JSON column from a row without current pieces only: that story is rendered."""
    return Case(
        When(rendered_with=stamp, then=Value(None)), default=F(column), output_field=JSONField()
    )


def _json(value):
    """A JSON column as the database driver gives it (text, or decoded by some drivers)."""
    return json.loads(value) if isinstance(value, str) else value


def _story_page(story) -> str:
    """The story's blocks of its page and its outline (see the module's docstring), as JSON."""
    template = engines["jinja2"].env.get_template(DETAIL_TEMPLATE)
    context = {**site(None), "article": story, "object": story, "share_links": share_links(story)}
    blocks = {
        name: "".join(template.blocks[name](template.new_context(context)))
        for name in STORED_BLOCKS
    }
    return json.dumps({"blocks": blocks, "outline": _outline(story)})


def _related_item(story) -> str:
    """The story as an item of another story's related or "More from" list."""
    module = engines["jinja2"].env.get_template(RELATED_ITEM_TEMPLATE).module
    return str(module.related_item(story))


def _outline(story) -> dict:
    """What the page works out per request (see ``story_page_reads.outline_from``); its cache
    tags are those the whole story's page records for it (``shows_stories``)."""
    token = page_tags.start_page()
    page_tags.shows_stories([story])
    tags = page_tags.end_page(token) - {page_tags.SITE}
    section = story.category if story.category_id is not None else None
    return {
        "fields": {
            "id": story.pk,
            "slug": story.slug,
            "published_at": story.published_at.isoformat(),
            "category_id": story.category_id,
        },
        "section": section and {"id": section.pk, "name": section.name, "slug": section.slug},
        "tags": [tag.pk for tag in story.tag_list],
        "organizations": [organization.pk for organization in story.organization_list],
        "page_tags": sorted(tags),
    }


def _source_paths() -> list[Path]:
    # Static files (the JSON-LD's logo and card, by their hashed names) count for every piece
    # (``story_fragments.current_stamp``).
    here = Path(__file__).resolve().parent
    return [here / name for name in _SOURCES]
