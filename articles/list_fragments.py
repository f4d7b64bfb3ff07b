"""The teasers list pages print and the stories of the home page's section blocks, stored
with their stories (``story_fragments``) so that an uncached list prints them instead of
building each story and rendering it again.

Three pieces, each rendered by the very include the live page uses: the list's teaser
(``article_teaser.html`` as ``article_list.html`` includes it: no place, lazy picture), its
variant on a section's page (``hide_section``), and a section block's story
(``section_block_story.html``). What depends on the page is never stored: the front's places
(an editor's headline, picture and crop), the rail of the latest stories and the eager first
teaser of a list without a front are rendered from model instances, built from the stories'
rows (``story_page_reads.story_from_row``).

A page reads its stories' pieces in the query that chooses them (``with_pieces``), only from
rows rendered with the current stamp; any other story is printed the live way, from its row's
``story`` (one more query, only then). A piece carries the cache tags its row keeps, so the
page records what it would have recorded rendering the story (``page_tags``).
"""

from functools import partial
from pathlib import Path
from typing import NamedTuple

from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.fields.json import KT
from django.template import engines
from markupsafe import Markup

from . import page_tags, story_fragments
from .models import Article, StoryPage
from .story_page_reads import story_from_row

# The pieces' names in a row's ``fragments``.
TEASER = "list_teaser"
SECTION_TEASER = "section_list_teaser"
SECTION_BLOCK_STORY = "section_block_story"

TEASER_TEMPLATE = "articles/includes/article_teaser.html"
SECTION_BLOCK_STORY_TEMPLATE = "articles/includes/section_block_story.html"


class StoredPiece(NamedTuple):
    """A story as a list prints it, from its row: the templates print ``fragment`` as it is."""

    pk: int
    fragment: Markup


def register_pieces() -> None:
    """Render the list pieces into every story page row (from ``ArticlesConfig.ready()``)."""
    # The context each piece is rendered with shapes it: this file is one of its sources.
    sources = [Path(__file__)]
    story_fragments.register(
        TEASER, partial(_render, TEASER_TEMPLATE, "article", {}), sources=sources
    )
    story_fragments.register(
        SECTION_TEASER,
        partial(_render, TEASER_TEMPLATE, "article", {"hide_section": True}),
        sources=sources,
    )
    story_fragments.register(
        SECTION_BLOCK_STORY,
        partial(_render, SECTION_BLOCK_STORY_TEMPLATE, "story", {}),
        sources=sources,
    )


def _render(template_name: str, name: str, context: dict, story) -> str:
    """The include as a page includes it for ``story`` (named ``name`` in its context)."""
    return engines["jinja2"].get_template(template_name).render({name: story, **context})


def with_pieces(stories: QuerySet, piece: str) -> QuerySet:
    """``stories`` (a filtered, ordered query of ``Article``) read as (id, stored piece, its
    cache tags) rows; the piece and tags are None where the row is missing or was rendered
    with another stamp."""
    fresh = StoryPage.objects.filter(
        article_id=OuterRef("pk"), rendered_with=story_fragments.current_stamp()
    )
    return stories.values_list("pk").annotate(
        piece=Subquery(fresh.values(text=KT(f"fragments__{piece}"))),
        piece_tags=Subquery(fresh.values(f"fragments__{story_fragments.TAGS_KEY}")),
    )


def printed(rows, *, live=()) -> list:
    """The stories of these ``with_pieces`` rows as a page prints them, in order: a
    ``StoredPiece`` where the row has a fresh piece, else (and for the ids in ``live``, which
    the page renders itself) the ``Article``. Records the page's tags for all of them."""
    live = set(live)
    rendered = stories_by_id([pk for pk, piece, _tags in rows if piece is None or pk in live])
    items = []
    for pk, piece, tags in rows:
        if pk in rendered:
            items.append(rendered[pk])
        elif piece is not None:
            page_tags.shows(*tags)
            items.append(StoredPiece(pk, Markup(piece)))
    return items


def stored_pieces(ids, piece: str) -> dict:
    """The stories with these ids (chosen among those readers may see) as a page prints
    them, by id: the stored ``piece`` where it is fresh, else the ``Article``. One query, and
    one more for the stories without a fresh piece."""
    rows = StoryPage.objects.filter(
        article_id__in=list(ids), rendered_with=story_fragments.current_stamp()
    ).values_list("article_id", KT(f"fragments__{piece}"), f"fragments__{story_fragments.TAGS_KEY}")
    found = {pk: (pk, piece, tags) for pk, piece, tags in rows}
    in_order = [found.get(pk, (pk, None, None)) for pk in ids]
    return {item.pk: item for item in printed(in_order)}


def stories_by_id(ids) -> dict:
    """The stories with these ids as model instances with everything a teaser prints, by id,
    built from their rows (one query), and recorded as shown. A story without a row (it is
    written in the change's own transaction: only a story unpublished meanwhile) is read
    through ``for_listing()`` if readers may still see it."""
    if not ids:
        return {}
    rows = StoryPage.objects.filter(article_id__in=list(ids)).values_list(
        "article_id", "story", "lead_image"
    )
    stories = {pk: story_from_row(story, picture, rows.db) for pk, story, picture in rows}
    for story in stories.values():
        page_tags.shows(*story_fragments.teaser_tags(story))
    missing = [pk for pk in ids if pk not in stories]
    if missing:
        unwritten = Article.objects.published().for_listing().filter(pk__in=missing)
        stories.update((story.pk, story) for story in unwritten)
    return stories
