"""Pieces of pages rendered once, when a story's read-model row is written, so that a list, a
feed or a story page prints them instead of rendering the story again on every request (the
same way Markdown is rendered on save).

A piece (a list's teaser, a feed's item, ...) is registered by name with the function that
renders it from the story as its page reads it (``story_page_reads.story_from_row``) and the
source files that shape it; ``story_pages`` sends ``pages_ready`` with every row it writes and
``fill_fragments`` renders each registered piece into the row's ``fragments``, under the active
site language and time zone.

Each row also keeps the **stamp** of what its pieces were rendered with: a hash of the public
templates, the translations, the source files the pieces name and the settings they print
(site address and name, language, time zone). A reader takes a piece only from a row with
the current stamp (``current_stamp()``, computed once per process) and renders the story itself
from any other, so a deploy that changes a template is never served old markup; ``manage.py
write_story_pages`` renders every row again.

Also stored, under ``TAGS_KEY``: the cache tags a page printing the story's teaser carries
(the story, its section, byline people and tags), so a page built from pieces records the same
tags as one that rendered them (``page_tags.shows``).
"""

import copy
import hashlib
import logging
from collections.abc import Callable
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils import translation

from . import page_tags
from .story_page_reads import story_from_row
from .story_pages import pages_ready

logger = logging.getLogger(__name__)

# A piece's name cannot be this: the row's tags are kept under it.
TAGS_KEY = "page_tags"
# Raise to render every row's pieces again when a piece's output changes for a reason the
# stamp's sources do not show.
VERSION = 1

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


def register(name: str, renderer: Callable, *, sources=()) -> None:
    """Render ``renderer(story)`` (a string) into every row under ``name``; ``sources``: the
    files (beyond the templates) whose change changes its output."""
    if name == TAGS_KEY:
        raise ValueError(f"{TAGS_KEY!r} is reserved")
    RENDERERS[name] = renderer
    _SOURCES.extend(Path(source) for source in sources)
    current_stamp.cache_clear()


@cache
def current_stamp() -> str:
    """The stamp of what pieces are rendered with now (see the module's docstring)."""
    digest = hashlib.sha256(f"{VERSION} {sorted(RENDERERS)}".encode())
    for name in _SETTINGS:
        digest.update(f"\0{name}={getattr(settings, name, '')}".encode())
    for source in sorted(set(_SOURCES)):
        files = sorted(source.rglob("*")) if source.is_dir() else [source]
        for path in files:
            # A file named as a source counts whatever it is (a picture printed by its hash).
            if path.is_file() and (
                path == source or path.suffix in (".html", ".xml", ".txt", ".py", ".po")
            ):
                name = path.relative_to(_ROOT) if path.is_relative_to(_ROOT) else path.name
                digest.update(f"\0{name}\0".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def fill_fragments(sender, pages, using, **kwargs) -> None:
    """Render every registered piece into these rows (``story_pages.pages_ready``). A piece
    that fails to render leaves the row without pieces (readers render the story) and is
    logged: a template's fault never stops an editor's save."""
    if not RENDERERS:
        return
    stamp = current_stamp()
    with translation.override(settings.LANGUAGE_CODE):
        for page in pages:
            try:
                story = story_from_row(
                    copy.deepcopy(page.story), copy.deepcopy(page.lead_image), using
                )
                fragments = {name: render(story) for name, render in RENDERERS.items()}
                fragments[TAGS_KEY] = sorted(teaser_tags(story))
            except Exception:
                logger.exception("Could not render the pieces of story %s", page.article_id)
                page.fragments, page.rendered_with = {}, ""
                continue
            page.fragments, page.rendered_with = fragments, stamp


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
