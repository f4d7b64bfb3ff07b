"""The teasers list pages print, stored with their stories (``story_fragments``) so that an
uncached list, front or section block prints them instead of building each story and
rendering it again.

Each piece is rendered by the very include the live page uses, with the context the page
includes it with (``PIECES``): the list's teaser (``article_teaser.html``: lazy picture), the
first one of a list without a front (eager picture), their variant on a section's page
(``hide_section``), the lead and secondary places of a front as the newest stories fill them,
a front rail's story (``front_rail_story.html``) and a section block's story
(``section_block_story.html``). What depends on the page is never stored: a place an editor
filled (their headline, picture and crop) is rendered from the story's model instance, built
from its row (``story_page_reads.story_from_row``).

A list reads its stories' pieces in the query that chooses them (``with_pieces``), a front its
places' and a home page its section blocks' by id (``stored_pieces``), only from rows rendered
with the current stamp; any other story is rendered the live way, from its row's ``story``
(one more query, only then). A piece carries the cache tags its row keeps, so the page records
what it would have recorded rendering the story (``page_tags``).
"""

import json
from functools import partial
from pathlib import Path
from types import SimpleNamespace
from typing import NamedTuple

from django.db import connections
from django.db.models import QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.template import engines
from markupsafe import Markup

from . import page_tags, story_fragments
from .models import Article, FrontSlot, StoryPage
from .story_page_reads import story_from_row

# The pieces' names in a row's ``fragments``.
TEASER = "list_teaser"
EAGER_TEASER = "list_teaser_eager"
SECTION_TEASER = "section_list_teaser"
SECTION_BLOCK_STORY = "section_block_story"
FRONT_LEAD = "front_lead"
FRONT_SECONDARY = "front_secondary"
SECTION_FRONT_LEAD = "section_front_lead"
SECTION_FRONT_SECONDARY = "section_front_secondary"
RAIL_STORY = "front_rail_story"

TEASER_TEMPLATE = "articles/includes/article_teaser.html"
SECTION_BLOCK_STORY_TEMPLATE = "articles/includes/section_block_story.html"
RAIL_STORY_TEMPLATE = "articles/includes/front_rail_story.html"


class StoredPiece(NamedTuple):
    """A story as a list prints it, from its row: the templates print ``fragment`` as it is."""

    pk: int
    fragment: Markup


def _newest_place(story) -> SimpleNamespace:
    """A front's place as the newest stories fill it (``front_pages.teasers``): the story's
    own headline and picture, whole."""
    return SimpleNamespace(
        article=story, headline=story.headline, image=story.lead_image, crop=FrontSlot.Crop.WIDE
    )


# Each piece: its template and the context a page includes it with.
PIECES = {
    TEASER: (TEASER_TEMPLATE, lambda story: {"article": story}),
    EAGER_TEASER: (TEASER_TEMPLATE, lambda story: {"article": story, "eager": True}),
    SECTION_TEASER: (TEASER_TEMPLATE, lambda story: {"article": story, "hide_section": True}),
    SECTION_BLOCK_STORY: (SECTION_BLOCK_STORY_TEMPLATE, lambda story: {"story": story}),
    FRONT_LEAD: (
        TEASER_TEMPLATE,
        lambda story: {"article": story, "place": _newest_place(story), "role": "lead"},
    ),
    FRONT_SECONDARY: (
        TEASER_TEMPLATE,
        lambda story: {"article": story, "place": _newest_place(story), "role": "secondary"},
    ),
    SECTION_FRONT_LEAD: (
        TEASER_TEMPLATE,
        lambda story: {
            "article": story,
            "place": _newest_place(story),
            "role": "lead",
            "hide_section": True,
        },
    ),
    SECTION_FRONT_SECONDARY: (
        TEASER_TEMPLATE,
        lambda story: {
            "article": story,
            "place": _newest_place(story),
            "role": "secondary",
            "hide_section": True,
        },
    ),
    RAIL_STORY: (RAIL_STORY_TEMPLATE, lambda story: {"latest": story}),
}


def register_pieces() -> None:
    """Render the list pieces into every story page row (from ``ArticlesConfig.ready()``)."""
    # The context each piece is rendered with shapes it: this file is one of its sources.
    for name, (template_name, context) in PIECES.items():
        story_fragments.register(
            name, partial(_render, template_name, context), sources=[Path(__file__)]
        )


def _render(template_name: str, context, story) -> str:
    """The include as a page includes it for ``story``."""
    return engines["jinja2"].get_template(template_name).render(context(story))


# Pieces are read with SQL of their own: through the ORM (a subquery and a JSON key for each),
# building the page's query took 2.5 ms of CPU against 1.0 ms without the pieces, and reading
# a front's pieces by id 1.0 ms against 0.14 ms (PostgreSQL, 5,000 stories).


def _key(connection, column: str) -> str:
    """SQL reading the key given as the next parameter of the JSON ``column`` as text (a
    piece's markup; the JSON of a list)."""
    if connection.vendor == "postgresql":
        return f"{column} ->> %s"
    return f"json_extract({column}, '$.' || %s)"


def _rows_sql(connection) -> tuple[str, str, str]:
    """The quoted names of the read model's table, its story column and its pieces' key."""
    quote = connection.ops.quote_name
    table = quote(StoryPage._meta.db_table)
    return (
        table,
        f"{table}.{quote('article_id')}",
        _key(connection, f"{table}.{quote('fragments')}"),
    )


def with_pieces(stories: QuerySet, piece: str) -> QuerySet:
    """``stories`` (a filtered, ordered query of ``Article``) read as (id, stored piece, the
    JSON of its cache tags) rows; the piece and tags are None where the row is missing or was
    rendered with another stamp."""
    connection = connections[stories.db]
    table, story_column, key = _rows_sql(connection)
    stories_id = (
        f"{connection.ops.quote_name(Article._meta.db_table)}.{connection.ops.quote_name('id')}"
    )
    fresh = (
        f"(SELECT {key} FROM {table} WHERE {story_column} = {stories_id}"
        f" AND {table}.{connection.ops.quote_name('rendered_with')} = %s)"
    )
    stamp = story_fragments.current_stamp()
    return stories.values_list("pk").annotate(
        piece=RawSQL(fresh, [piece, stamp], output_field=TextField()),
        piece_tags=RawSQL(fresh, [story_fragments.TAGS_KEY, stamp], output_field=TextField()),
    )


def printed(rows, *, live=()) -> list:
    """The stories of these ``with_pieces`` rows as a page prints them, in order: a
    ``StoredPiece`` where the row has a fresh piece, else (and for the ids in ``live``, which
    the page renders itself) the ``Article``. Records the page's tags for all of them."""
    live = set(live)
    rendered = stories_by_id(
        [pk for pk, piece, tags in rows if piece is None or tags is None or pk in live]
    )
    items = []
    for pk, piece, tags in rows:
        if pk in rendered:
            items.append(rendered[pk])
        elif piece is not None:
            page_tags.shows(*json.loads(tags))
            items.append(StoredPiece(pk, Markup(piece)))
    return items


def stored_pieces(ids, names) -> dict[int, dict[str, Markup]]:
    """The fresh pieces called ``names`` of the stories with these ids, by id (a story
    without all of them fresh is left out), recorded as shown: one query."""
    ids = list(ids)
    if not ids:
        return {}
    connection = connections[StoryPage.objects.all().db]
    table, story_column, key = _rows_sql(connection)
    columns = ", ".join([key] * (len(names) + 1))
    placeholders = ", ".join(["%s"] * len(ids))
    sql = (
        f"SELECT {story_column}, {columns} FROM {table}"
        f" WHERE {table}.{connection.ops.quote_name('rendered_with')} = %s"
        f" AND {story_column} IN ({placeholders})"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [story_fragments.TAGS_KEY, *names, story_fragments.current_stamp(), *ids]
        )
        rows = cursor.fetchall()
    pieces = {}
    for pk, tags, *texts in rows:
        if tags is not None and None not in texts:
            page_tags.shows(*json.loads(tags))
            pieces[pk] = {name: Markup(text) for name, text in zip(names, texts, strict=True)}
    return pieces


def printed_by_id(ids, name: str) -> dict:
    """The stories with these ids (chosen among those readers may see) as a page prints
    them, by id: the stored piece ``name`` where it is fresh, else the ``Article``. One
    query, and one more for the stories without a fresh piece."""
    pieces = stored_pieces(ids, [name])
    printed = {pk: StoredPiece(pk, found[name]) for pk, found in pieces.items()}
    printed.update(stories_by_id([pk for pk in ids if pk not in pieces]))
    return printed


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
