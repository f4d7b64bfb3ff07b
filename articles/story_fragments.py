"""Pieces of pages rendered once, when a story's read-model row is written, so that a list, a
feed or a story page prints them instead of rendering the story again on every request (the
same way Markdown is rendered on save).

A piece (a list's teaser, a feed's item, ...) is registered by name with the function that
renders it from the story as its page reads it (``story_page_reads.story_from_row``) and the
source files that shape it; ``story_pages`` sends ``pages_ready`` with every row it writes,
``fill_fragments`` marks the row pending and, once the change commits, ``render_pending``
renders each registered piece into the row's ``fragments`` in the site's language and time
zone at the script prefix "/": once per story and transaction, however many times the
transaction rewrote the row.

Each row also keeps the **stamp** of what its pieces were rendered with: a hash of the public
templates, the translations, the static files (pieces print their hashed addresses), the
source files the pieces name and the settings they print (site address and name, language,
time zone). A reader takes a piece only from a row with
the current stamp (``current_stamp()``, computed once per process) and renders the story itself
from any other, so a deploy that changes a template is never served old markup; ``manage.py
write_story_pages`` renders every row again.

Also stored, under ``TAGS_KEY``: the cache tags a page printing the story's teaser carries
(the story, its section, byline people and tags), so a page built from pieces records the same
tags as one that rendered them (``page_tags.shows``).

This module is also the one place that says which stored piece a request may print and how it
is read: pieces are rendered in the site's language and time zone at the script prefix "/"
(``render_pieces``), so a request read otherwise prints none (``stamp_to_read()`` is None for
it); ``stored_piece`` is a piece of a row as a query reads it, NULL unless the row has that
stamp, and ``stored_for_story`` the same about each story of an outer query (a list's, a
feed's). Lists (``list_fragments``), feeds (``feed_items``) and the story page
(``story_page_pieces``) read their pieces through them.
"""

import contextlib
import copy
import hashlib
import logging
import uuid
from collections.abc import Callable
from functools import cache, partial
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Case, JSONField, TextField, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.urls import get_script_prefix, set_script_prefix
from django.utils import timezone, translation

from . import compiled_statements, page_tags
from .models import Article, StoryPage
from .story_page_reads import story_from_row
from .story_pages import BATCH, pages_ready

logger = logging.getLogger(__name__)

# A piece's name cannot be this: the row's tags are kept under it.
TAGS_KEY = "page_tags"
# Raise to render every row's pieces again when a piece's output changes for a reason the
# stamp's sources do not show.
VERSION = 1
# A row written by a change not yet committed carries a token with this prefix in place of a
# stamp: never the current stamp, so readers render its story live until its pieces are in.
PENDING_PREFIX = "pending-"

_ROOT = Path(__file__).resolve().parent.parent
# What shapes every piece: the public templates and their helpers, and the translations.
_SOURCES = [
    _ROOT / "jinja2",
    _ROOT / "locale",
    Path(__file__).with_name("template_helpers.py"),
    Path(__file__).with_name("jinja2_env.py"),
]
# The settings pieces print.
_SETTINGS = ("SITE_URL", "SITE_NAME", "SITE_TAGLINE", "LANGUAGE_CODE", "TIME_ZONE", "MEDIA_URL")

RENDERERS: dict[str, Callable] = {}
# The row's columns that keep pieces, and which keeps each piece (the tags go with the small):
# PostgreSQL unpacks a whole JSON value to take one key out of it (see ``StoryPage``).
PIECE_COLUMNS = StoryPage.PIECE_COLUMNS
LARGE, SMALL, FEED = PIECE_COLUMNS
COLUMNS: dict[str, str] = {TAGS_KEY: SMALL}


def register(name: str, renderer: Callable, *, sources=(), column=LARGE) -> None:
    """Render ``renderer(story)`` (a string) into every row under ``name``; ``sources``: the
    files (beyond the templates) whose change changes its output; ``column``: the row's JSON
    column it is kept in, ``SMALL`` for the small pieces lists print, ``FEED`` for feed items
    (see ``StoryPage``)."""
    if name == TAGS_KEY:
        raise ValueError(f"{TAGS_KEY!r} is reserved")
    if column not in PIECE_COLUMNS:
        raise ValueError(f"no column {column!r} keeps pieces")
    RENDERERS[name] = renderer
    COLUMNS[name] = column
    _SOURCES.extend(Path(source) for source in sources)
    current_stamp.cache_clear()


@cache
def current_stamp() -> str:
    """The stamp of what pieces are rendered with now (see the module's docstring)."""
    digest = hashlib.sha256(f"{VERSION} {sorted(RENDERERS)}".encode())
    for name in _SETTINGS:
        digest.update(f"\0{name}={getattr(settings, name, '')}".encode())
    # Whether static addresses carry the files' hashes (production) or not (DEBUG).
    digest.update(f"\0static={settings.STORAGES['staticfiles']['BACKEND']}".encode())
    # Pieces print static files' addresses, which carry a hash of each file in production
    # (ManifestStaticFilesStorage): every file under the static folders counts.
    every_file = {Path(folder) for folder in settings.STATICFILES_DIRS}
    for source in sorted(set(_SOURCES) | every_file):
        files = sorted(source.rglob("*")) if source.is_dir() else [source]
        for path in files:
            # A file named as a source counts whatever it is (a picture printed by its hash).
            if path.is_file() and (
                source in every_file
                or path == source
                or path.suffix in (".html", ".xml", ".txt", ".py", ".po")
            ):
                name = path.relative_to(_ROOT) if path.is_relative_to(_ROOT) else path.name
                digest.update(f"\0{name}\0".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def fill_fragments(sender, pages, using, **kwargs) -> None:
    """Leave these rows' pieces to be rendered once their transaction commits
    (``story_pages.pages_ready``): each row is written without pieces and with a pending
    token, so readers render the story live until ``render_pending`` fills it.

    Why not render here: one editor's save rewrites its story's row once for each thing it
    changes (the story, then its bylines, tags and organizations, each a signal), so the
    pieces, most of a row's cost, were rendered several times for one save; after the commit
    they are rendered once, from the row as it ended up.
    """
    if not RENDERERS or not pages:
        return
    token = f"{PENDING_PREFIX}{uuid.uuid4().hex}"
    for page in pages:
        for column in PIECE_COLUMNS:
            setattr(page, column, {})
        page.rendered_with = token
    ids = [page.article_id for page in pages]
    # Robust: the change is committed by then, and a piece's fault must not turn the editor's
    # saved change into an error page (render_pending logs it).
    transaction.on_commit(partial(render_pending, ids, token, using), using=using, robust=True)


def render_pending(story_ids, token: str, using=DEFAULT_DB_ALIAS) -> int:
    """Render the pieces of these stories' rows that still carry ``token`` (a row rewritten
    since by another change carries that change's token, and that change renders it); the
    number of rows filled. A piece that fails to render leaves its row without pieces (readers
    render the story) and is logged."""
    stamp, filled = current_stamp(), 0
    for start in range(0, len(story_ids), BATCH):
        pending = StoryPage.objects.using(using).filter(
            article_id__in=story_ids[start : start + BATCH], rendered_with=token
        )
        rendered = []
        for page in pending.only("article_id", "story", "lead_image"):
            try:
                pieces = render_pieces(page, using)
            except Exception:
                logger.exception("Could not render the pieces of story %s", page.article_id)
                continue
            for column in PIECE_COLUMNS:
                setattr(page, column, {k: v for k, v in pieces.items() if COLUMNS[k] == column})
            page.rendered_with = stamp
            rendered.append(page)
        # Only rows still carrying the token: one rewritten meanwhile is not overwritten with
        # pieces of what it showed before.
        filled += pending.bulk_update(rendered, [*PIECE_COLUMNS, "rendered_with"])
    return filled


def render_every_pending(using=DEFAULT_DB_ALIAS) -> int:
    """Render the pieces of every row still pending (``manage.py write_story_pages
    --pending``): rows a process wrote and committed but stopped before rendering; the number
    of rows filled."""
    pending = StoryPage.objects.using(using).filter(rendered_with__startswith=PENDING_PREFIX)
    by_token: dict[str, list[int]] = {}
    for story_id, token in pending.values_list("article_id", "rendered_with"):
        by_token.setdefault(token, []).append(story_id)
    return sum(render_pending(ids, token, using) for token, ids in by_token.items())


def render_pieces(page, using) -> dict:
    """Every registered piece of this row's story, and the tags a list printing it carries,
    rendered as every reader allowed to print them reads them (``stamp_to_read``), whichever
    request or command writes the row."""
    story = story_from_row(copy.deepcopy(page.story), copy.deepcopy(page.lead_image), using)
    with _as_pieces_are_read():
        fragments = {name: render(story) for name, render in RENDERERS.items()}
    fragments[TAGS_KEY] = sorted(teaser_tags(story))
    return fragments


@contextlib.contextmanager
def _as_pieces_are_read():
    """In the site's language and time zone, at the site's root: what ``stamp_to_read``
    checks a request against."""
    prefix = get_script_prefix()
    set_script_prefix("/")
    try:
        with translation.override(settings.LANGUAGE_CODE), timezone.override(settings.TIME_ZONE):
            yield
    finally:
        set_script_prefix(prefix)


def stamp_to_read() -> str | None:
    """The stamp of the pieces this request may print; None when it is not read as the pieces
    were rendered (another language, time zone or script prefix): it renders every story."""
    as_rendered = (
        translation.get_language() == settings.LANGUAGE_CODE
        and timezone.get_current_timezone_name() == settings.TIME_ZONE
        and get_script_prefix() == "/"
    )
    return current_stamp() if as_rendered else None


def stored_piece(name: str, stamp: str | None, *, as_json=False) -> Case:
    """The piece ``name`` of a ``StoryPage`` row if the row's stamp is ``stamp``, else NULL
    (always NULL for no stamp): as text, or decoded from its JSON with ``as_json`` (the tags
    under ``TAGS_KEY``)."""
    # Only the short stamp column decides: taking a piece out of the row's stored JSON unpacks
    # all of it, which is done only for a row whose piece is read.
    transform, field = (KeyTransform, JSONField()) if as_json else (KeyTextTransform, TextField())
    return Case(
        When(rendered_with=stamp, then=transform(name, COLUMNS[name])),
        default=Value(None),
        output_field=field,
    )


def stored_for_story(name: str, stamp: str | None, using: str, *, as_json=False):
    """``stored_piece`` of the row of each story of an outer query of ``Article`` (a list's, a
    feed's): a subquery, NULL where the story has no row. With no stamp, NULL without one."""
    field = JSONField() if as_json else TextField()
    if stamp is None:
        return Value(None, output_field=field)
    return RawSQL(*_stored_for_story_sql(name, stamp, using, as_json), output_field=field)


def rows_by_id(using: str, count: int, *columns) -> compiled_statements.Statement:
    """A statement reading ``count`` stories' rows by id (run it with
    ``compiled_statements.ids(...)``): each row's story id and these ``columns`` (pieces from
    ``stored_piece``, say). Compile it once per process: its callers keep it by their key."""
    stand_ins = compiled_statements.id_stand_ins(count)
    rows = (
        StoryPage.objects.using(using)
        .filter(article_id__in=stand_ins.values())
        .values_list("article_id", *columns)
    )
    return compiled_statements.compile_query(rows, stand_ins)


@cache
def _stored_for_story_sql(name: str, stamp: str, using: str, as_json: bool) -> tuple[str, tuple]:
    return compiled_statements.about_each_row(
        Article,
        using,
        lambda story: (
            StoryPage.objects.using(using)
            .filter(article_id=story)
            .values(piece=stored_piece(name, stamp, as_json=as_json))
        ),
    )


def teaser_tags(story) -> set[str]:
    """The tags a page listing this story carries for it: the story, its section, its byline
    people and its tags (what ``for_listing()`` reads and records)."""
    tags = {page_tags.story(story.pk)}
    if story.category_id is not None:
        tags.add(page_tags.subject("section", story.category_id))
    tags.update(page_tags.subject("author", byline.author_id) for byline in story.ordered_bylines)
    tags.update(page_tags.subject("tag", tag.pk) for tag in story.tag_list)
    return tags


def connect_receivers() -> None:
    """Render the pieces of every row the read model writes (from ``ArticlesConfig.ready()``)."""
    pages_ready.connect(fill_fragments, dispatch_uid="story_fragments")
