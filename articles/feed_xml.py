"""RSS 2.0 and Atom 1.0 documents, written as text.

Django's feed generator builds each document through a SAX writer, one Python call per element
and attribute: for a 20-story feed that was most of a request's time, more than its queries.
Here a feed is a handful of string joins: its head, then one piece per story (``rss_item``,
``atom_entry``, also stored with the story's read-model row, ``feed_items``). Two rules keep
it well-formed: every value is escaped (``_text``, ``_attribute``), and every piece loses the
characters XML 1.0 cannot carry (``_xml_1_0``; escaping never adds one, so once per piece is
enough).
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr

# Control characters other than tab and newlines, lone surrogates and the two non-characters:
# an XML 1.0 parser rejects the whole document if any reaches it.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

RSS_CONTENT_TYPE = "application/rss+xml; charset=utf-8"
ATOM_CONTENT_TYPE = "application/atom+xml; charset=utf-8"


@dataclass(frozen=True)
class Channel:
    """What a feed says about itself."""

    title: str
    link: str  # the page the feed follows
    feed_url: str  # the feed's own address
    description: str
    language: str
    updated: datetime


@dataclass(frozen=True)
class Entry:
    """One story in a feed. ``authors`` holds (name, page address) pairs in byline order."""

    title: str
    link: str
    guid: str
    summary: str
    content_html: str
    published: datetime
    updated: datetime
    authors: list[tuple[str, str]]
    categories: list[str]


def _text(value: str) -> str:
    return escape(value)


def _attribute(value: str) -> str:
    return quoteattr(value)


def _xml_1_0(parts: list[str]) -> str:
    return _NOT_XML.sub("", "".join(parts))


def _rfc822(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC))


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def rss(channel: Channel, items: list[str]) -> str:
    """An RSS 2.0 document with these items (each written by ``rss_item``)."""
    head = _xml_1_0(
        [
            '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"'
            ' xmlns:atom="http://www.w3.org/2005/Atom"'
            ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
            ' xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>',
            f"<title>{_text(channel.title)}</title><link>{_text(channel.link)}</link>",
            f"<description>{_text(channel.description)}</description>",
            f'<atom:link href={_attribute(channel.feed_url)} rel="self"/>',
            f"<language>{_text(channel.language)}</language>",
            f"<lastBuildDate>{_rfc822(channel.updated)}</lastBuildDate>",
        ]
    )
    return "".join([head, *items, "</channel></rss>"])


def rss_item(entry: Entry) -> str:
    """One story as an RSS 2.0 ``<item>``: every author as ``dc:creator``, the full story as
    ``content:encoded``, the item's last change as ``atom:updated`` (RSS has no element of its
    own for it), a GUID that is not a link (it survives address changes). Stored as written
    (``feed_items``), so it is complete on its own, unfit characters already gone."""
    parts = [f"<item><title>{_text(entry.title)}</title><link>{_text(entry.link)}</link>"]
    if entry.summary:
        parts.append(f"<description>{_text(entry.summary)}</description>")
    parts.append(
        f"<pubDate>{_rfc822(entry.published)}</pubDate>"
        f"<atom:updated>{_rfc3339(entry.updated)}</atom:updated>"
        f'<guid isPermaLink="false">{_text(entry.guid)}</guid>'
    )
    parts.extend(f"<category>{_text(term)}</category>" for term in entry.categories)
    parts.extend(f"<dc:creator>{_text(name)}</dc:creator>" for name, _page in entry.authors)
    parts.append(f"<content:encoded>{_text(entry.content_html)}</content:encoded></item>")
    return _xml_1_0(parts)


def atom(channel: Channel, entries: list[str]) -> str:
    """An Atom 1.0 document with these entries (each written by ``atom_entry``)."""
    head = _xml_1_0(
        [
            '<?xml version="1.0" encoding="utf-8"?>\n',
            f'<feed xml:lang={_attribute(channel.language)} xmlns="http://www.w3.org/2005/Atom">',
            f"<title>{_text(channel.title)}</title>",
            f'<link href={_attribute(channel.link)} rel="alternate"/>',
            f'<link href={_attribute(channel.feed_url)} rel="self"/>',
            f"<id>{_text(channel.link)}</id><updated>{_rfc3339(channel.updated)}</updated>",
            f"<subtitle>{_text(channel.description)}</subtitle>",
        ]
    )
    return "".join([head, *entries, "</feed>"])


def atom_entry(entry: Entry) -> str:
    """One story as an Atom 1.0 ``<entry>``: one ``<author>`` per byline entry, the full story
    as content. Complete on its own, as ``rss_item``."""
    parts = [
        f"<entry><title>{_text(entry.title)}</title>"
        f'<link href={_attribute(entry.link)} rel="alternate"/>'
        f"<published>{_rfc3339(entry.published)}</published>"
        f"<updated>{_rfc3339(entry.updated)}</updated><id>{_text(entry.guid)}</id>"
    ]
    if entry.summary:
        parts.append(f'<summary type="html">{_text(entry.summary)}</summary>')
    parts.extend(f"<category term={_attribute(term)}/>" for term in entry.categories)
    parts.extend(
        f"<author><name>{_text(name)}</name><uri>{_text(page)}</uri></author>"
        for name, page in entry.authors
    )
    parts.append(f'<content type="html">{_text(entry.content_html)}</content></entry>')
    return _xml_1_0(parts)
