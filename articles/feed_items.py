"""A feed's items: each story's RSS ``<item>`` and Atom ``<entry>``, written once when its
read-model row is (``story_fragments``), and printed from the row by every feed that carries
the story.

A feed reads its newest stories with their stored items in one query, through
``story_fragments.stored_for_story`` (which decides which stored piece a request may print); a
story whose row was written with another stamp (a template, a translation, this code or the
site address changed since) or has no row yet is written live, from ``for_feed()``, by the
same functions, and so is every story of a request read in another language, time zone or
script prefix than the items were written in. The stored item of a story is what the live
path writes for it: both are built from the same model instances (``story_from_row`` gives
what ``for_feed()`` does) as every reader allowed to print them reads them.
"""

import functools
import json
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connections, router
from django.db.models import DateTimeField
from django.db.models.expressions import RawSQL
from django.template.defaultfilters import linebreaksbr
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from . import canonical, compiled_statements, feed_xml, page_tags, story_fragments
from .canonical import absolute_url, absolutize_links
from .models import Article, Correction
from .page_relations import time_from_database
from .querysets import UPDATED_FOR_READERS, shows_subject_list

# The stored pieces: the RSS item and the Atom entry (with the authors' page addresses, which
# RSS has no place for).
RSS_ITEM, ATOM_ENTRY = "feed_rss_item", "feed_atom_entry"

# Bidi embeddings, overrides and isolates, and the direction marks (Unicode's list of
# "bidi controls"). Zero-width joiners stay: emoji and several scripts need them.
BIDI_CONTROLS = dict.fromkeys(
    map(ord, "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)


def without_bidi_controls(text: str) -> str:
    """``text`` without the invisible characters that turn the direction of what follows.

    In a feed reader a title sits in a line with other text, and an unclosed right-to-left
    override (U+202E) would reverse that too. Pages keep the headline as written: there it is
    its own block, which ends the override.
    """
    return text.translate(BIDI_CONTROLS)


def story_guid(article) -> str:
    """A tag URI for the story: it does not change when the slug or section does, so readers
    never see a corrected story twice."""
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return f"tag:{host},{article.created_at:%Y-%m-%d}:story-{article.pk}"


def corrections_html(corrections: list) -> str:
    """A story's current corrections as the story page shows them, for the top of a feed item:
    a reader who only follows the feed must learn what was corrected, and when."""
    if not corrections:
        return ""
    items = format_html_join(
        "",
        "<li><strong>{}</strong> ({}): {}</li>",
        (
            (
                correction.get_kind_display(),
                date_format(timezone.localtime(correction.published_at), "DATETIME_FORMAT"),
                linebreaksbr(correction.text, autoescape=True),
            )
            for correction in corrections
        ),
    )
    return format_html(
        "<aside><p><strong>{}</strong></p><ul>{}</ul></aside>",
        _("Corrections and updates"),
        items,
    )


def feed_entry(story, *, author_pages: bool) -> feed_xml.Entry:
    """The feed entry of a story (from ``for_feed()`` or ``story_from_row``, which read its
    bylines, tags and corrections): a corrected story's item starts with its corrections and
    is dated by the newest of its edit, its publication and its corrections.
    Authors' page addresses only with ``author_pages`` (Atom has a place for them, RSS does
    not)."""
    return feed_xml.Entry(
        title=without_bidi_controls(story.headline),
        link=absolute_url(story.get_absolute_url()),
        guid=story_guid(story),
        summary=story.dek or story.summary,
        content_html=corrections_html(story.current_corrections)
        + absolutize_links(story.body_html),
        published=story.published_at,
        updated=max(
            [story.updated_for_readers]
            + [correction.published_at for correction in story.current_corrections]
        ),
        authors=[
            (
                byline.author.name,
                absolute_url(byline.author.get_absolute_url()) if author_pages else "",
            )
            for byline in story.ordered_bylines
        ],
        categories=([story.category.name] if story.category_id else [])
        + [tag.name for tag in story.tag_list],
    )


def rss_item(story) -> str:
    """The story's RSS ``<item>``."""
    return feed_xml.rss_item(feed_entry(story, author_pages=False))


def atom_entry(story) -> str:
    """The story's Atom ``<entry>``."""
    return feed_xml.atom_entry(feed_entry(story, author_pages=True))


def register_fragments() -> None:
    """Store every story's items with its row (from ``ArticlesConfig.ready()``). What writes
    them beyond the templates and translations: this module, the XML writer, the links'
    absolutizer and the models whose addresses, dates and labels an item prints."""
    models = Path(__file__).with_name("models")
    sources = [
        Path(__file__),
        Path(feed_xml.__file__),
        Path(canonical.__file__),
        models / "stories.py",
        models / "workflow.py",
    ]
    story_fragments.register(RSS_ITEM, rss_item, sources=sources, column=story_fragments.FEED)
    story_fragments.register(ATOM_ENTRY, atom_entry, sources=sources, column=story_fragments.FEED)


def newest_items(stories, *, atom: bool) -> tuple[list[str], datetime | None]:
    """The items of the newest ``FEED_ITEMS`` of ``stories`` (a query of the stories a feed may
    carry), newest first, as Atom entries or RSS items, and the newest of their last changes
    (None without stories).

    One query reads the stories with their last changes and, from each fresh row, the stored
    item and the row's cache tags; the stories without a fresh item are read with
    ``for_feed()`` (two queries more, only then) and written live. Stored items were written
    as every reader allowed to print them reads them: a request in another language, time
    zone or script prefix writes them all live (``story_fragments.stamp_to_read``).
    """
    newest = _newest(stories, atom, story_fragments.stamp_to_read())
    return _items(list(newest), atom=atom)


def newest_planned_items(feed, subject, *, atom: bool) -> tuple[list[str], datetime | None]:
    """``newest_items`` for a feed whose stories are found the same way whatever its subject
    and moment (the site's newest, a section's: ``feed.get_articles(subject, at=...)``): the
    query is built and compiled once per process (``compiled_statements``) with stand-ins for
    the subject's id and the moment, and run as a prepared statement."""
    using = router.db_for_read(Article)
    stamp = story_fragments.stamp_to_read()
    statement = _planned_statement(type(feed), atom, stamp, using, settings.FEED_ITEMS)
    values = {"now": timezone.now()}
    if subject is not None:
        shows_subject_list(subject)
        values["subject"] = subject.pk
    connection = connections[using]
    rows = [
        (
            pk,
            time_from_database(updated, connection),
            time_from_database(corrected, connection),
            item,
            json.loads(tags) if isinstance(tags, str) else tags,
        )
        for pk, updated, corrected, item, tags in compiled_statements.run(statement, values)
    ]
    return _items(rows, atom=atom)


def _newest(stories, atom: bool, stamp: str | None):
    """The newest ``FEED_ITEMS`` of ``stories``: id, last edit, newest current correction,
    stored item and the row's cache tags."""
    using = stories.db
    item = story_fragments.stored_for_story(ATOM_ENTRY if atom else RSS_ITEM, stamp, using)
    tags = story_fragments.stored_for_story(story_fragments.TAGS_KEY, stamp, using, as_json=True)
    newest_correction = RawSQL(*_newest_correction_sql(using), output_field=DateTimeField())
    return stories.newest_first().values_list(
        "pk", UPDATED_FOR_READERS, newest_correction, item, tags
    )[: settings.FEED_ITEMS]


@functools.lru_cache(maxsize=64)
def _planned_statement(feed_class, atom: bool, stamp: str | None, using: str, _count: int):
    """A feed's newest stories compiled (see ``newest_planned_items``); ``_count``, the number
    of items, only keys it: the query prints it as its limit."""
    model = getattr(feed_class, "subject_model", None)
    moment = compiled_statements.STAND_IN_MOMENT
    stand_ins = {"now": moment}
    subject = None
    if model is not None:
        stand_ins["subject"] = compiled_statements.STAND_IN_ID
        subject = model(pk=compiled_statements.STAND_IN_ID)
    return compiled_statements.compile_built(
        lambda: _newest(feed_class().get_articles(subject, at=moment).using(using), atom, stamp),
        stand_ins,
    )


def _items(rows, *, atom: bool) -> tuple[list[str], datetime | None]:
    """The items of these rows (``_newest``'s columns), and the newest of their last changes."""
    live = _written_live([pk for pk, *_dates, item, _tags in rows if item is None], atom=atom)
    items = []
    for pk, *_dates, item, tags in rows:
        # An item prints its story's body and corrections, which its lists' teasers do not.
        page_tags.shows(page_tags.story_text(pk))
        if item is None:
            items.append(live[pk])
        else:
            items.append(item)
            page_tags.shows(*tags)
    # As ``feed_entry`` dates an item: its last edit or its newest current correction.
    moments = [
        moment for _pk, *dates, _item, _tags in rows for moment in dates if moment is not None
    ]
    return items, max(moments, default=None)


@functools.cache
def _newest_correction_sql(using: str) -> tuple[str, tuple]:
    """When the story's newest current correction was published (NULL without one), about
    each story of a feed's query, built once per process."""
    return compiled_statements.about_each_row(
        Article,
        using,
        lambda story: (
            Correction.objects.filter(article_id=story, superseded_by=None)
            .order_by("-published_at")
            .values("published_at")[:1]
        ),
    )


def _written_live(story_ids: list, *, atom: bool) -> dict:
    """Story id -> item for these stories, written from ``for_feed()`` (which records their
    cache tags)."""
    if not story_ids:
        return {}
    write = feed_xml.atom_entry if atom else feed_xml.rss_item
    return {
        story.pk: write(feed_entry(story, author_pages=atom))
        for story in Article.objects.filter(pk__in=story_ids).for_feed()
    }
