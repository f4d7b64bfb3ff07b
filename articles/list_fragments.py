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

A list reads its stories' pieces in the query that chooses them (``with_pieces``, a subquery
about each story: ``story_fragments.stored_for_story``), a front its places' and a home page
its section blocks' by id (``stored_pieces``, a statement compiled once per process:
``compiled_statements``, each piece a ``story_fragments.stored_piece``), only from rows
rendered with the stamp the request may print (``story_fragments.stamp_to_read``: none for a
request in another language, time zone or script prefix than the pieces were rendered in);
any other story is rendered the live way, from its row's ``story`` (one more query, only
then). A piece carries the cache tags its row keeps, so the page records what it would have
recorded rendering the story (``page_tags``).
"""

import json
from functools import lru_cache, partial
from pathlib import Path
from types import SimpleNamespace
from typing import NamedTuple

from django.db import router
from django.db.models import IntegerField, QuerySet, TextField, Value
from django.template import engines
from markupsafe import Markup

from . import compiled_statements, page_tags, story_fragments
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
            name,
            partial(_render, template_name, context),
            sources=[Path(__file__)],
            column=story_fragments.SMALL,
        )


def _render(template_name: str, context, story) -> str:
    """The include as a page includes it for ``story``."""
    return engines["jinja2"].get_template(template_name).render(context(story))


def with_pieces(stories: QuerySet, piece: str) -> QuerySet:
    """``stories`` (a filtered, ordered query of ``Article``) read as (id, stored piece, its
    cache tags) rows; the piece and tags are None where the row is missing, was rendered with
    another stamp or the request may print no piece (``story_fragments.stamp_to_read``)."""
    stamp, using = story_fragments.stamp_to_read(), stories.db
    return stories.values_list("pk").annotate(
        piece=story_fragments.stored_for_story(piece, stamp, using),
        piece_tags=story_fragments.stored_for_story(
            story_fragments.TAGS_KEY, stamp, using, as_json=True
        ),
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
            page_tags.shows(*tags)
            items.append(StoredPiece(pk, Markup(piece)))
    return items


def stored_pieces(ids, names) -> dict[int, dict[str, Markup]]:
    """The fresh pieces called ``names`` of the stories with these ids, by id (a story
    without all of them fresh is left out), recorded as shown: one query, none when the
    request may print no piece (``story_fragments.stamp_to_read``)."""
    return stored_pieces_of((ids, names))[0]


def stored_pieces_of(*asked) -> list[dict[int, dict[str, Markup]]]:
    """``stored_pieces(ids, names)`` for each ``(ids, names)`` asked, in one query: a front
    prints its places', its rail's and its section blocks' pieces, each set of stories its
    own pieces. A story asked for twice is read twice."""
    asked = [(list(dict.fromkeys(ids)), tuple(names)) for ids, names in asked]
    found: list[dict[int, dict[str, Markup]]] = [{} for _asked in asked]
    reads = [(index, ids, names) for index, (ids, names) in enumerate(asked) if ids]
    stamp = story_fragments.stamp_to_read()
    if not reads or stamp is None:
        return found
    shape = tuple((len(ids), names) for _index, ids, names in reads)
    statement = _pieces_statement(router.db_for_read(StoryPage), stamp, shape)
    values = {
        f"{read}:{slot}": pk
        for read, (_index, ids, _names) in enumerate(reads)
        for slot, pk in compiled_statements.ids(ids).items()
    }
    for pk, read, tags, *texts in compiled_statements.run(statement, values):
        index, _ids, names = reads[read]
        texts = texts[: len(names)]  # the rest pads a read of fewer pieces than another
        if tags is not None and None not in texts:
            page_tags.shows(*json.loads(tags))
            found[index][pk] = {name: Markup(text) for name, text in zip(names, texts, strict=True)}
    return found


@lru_cache(maxsize=64)
def _pieces_statement(using: str, stamp: str, shape: tuple):
    """The read of ``stored_pieces_of``: for each (number of stories, names of pieces) of
    ``shape``, those stories' rows by id (their id, the read's number, tags, pieces), as one
    statement."""
    width = max(len(names) for _count, names in shape)
    return compiled_statements.union_all(
        [
            story_fragments.rows_by_id(
                using,
                count,
                Value(read, output_field=IntegerField()),
                *(
                    story_fragments.stored_piece(name, stamp)
                    for name in (story_fragments.TAGS_KEY, *names)
                ),
                *[Value(None, output_field=TextField())] * (width - len(names)),
            )
            for read, (count, names) in enumerate(shape)
        ]
    )


def printed_by_id(ids, name: str, pieces: dict[int, dict[str, Markup]]) -> dict:
    """The stories with these ids (chosen among those readers may see) as a page prints
    them, by id: their piece ``name`` where ``pieces`` (``stored_pieces``) holds it, else the
    ``Article`` (one query, for those only)."""
    printed = {pk: StoredPiece(pk, pieces[pk][name]) for pk in ids if pk in pieces}
    printed.update(stories_by_id([pk for pk in ids if pk not in printed]))
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
