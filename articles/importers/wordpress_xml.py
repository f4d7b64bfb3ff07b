"""Reading a WordPress export (WXR) safely, one item at a time.

The file is parsed by expat through ``defusedxml``: a document type declaration is refused
outright (WordPress never writes one), so no entity can expand into a bomb or read a local
file, and nothing is fetched from the network. Elements are dropped from the tree as soon as
they are read, so memory stays flat however large the export. Every way a file can be wrong
(empty, not XML, truncated, not a WordPress export) raises ``WxrError`` with a message for
the person running the import, and the line where parsing stopped when there is one.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from django.utils.translation import gettext as _

_PREFIXES = (
    ("wordpress.org/export/", "/excerpt/", "excerpt"),
    ("wordpress.org/export/", "", "wp"),
    ("purl.org/rss/1.0/modules/content", "", "content"),
    ("purl.org/dc/elements", "", "dc"),
)


class WxrError(Exception):
    """The file cannot be imported at all; nothing was written."""


@dataclass
class WxrAuthor:
    """A ``<wp:author>``: the login ties the person to the export, the display name is shown."""

    login: str
    display_name: str


@dataclass
class WxrTerm:
    """A ``<wp:category>`` or ``<wp:tag>`` declared in the channel."""

    kind: str  # "category" or "post_tag"
    slug: str
    name: str
    parent: str = ""


@dataclass
class WxrItem:
    """An ``<item>``: a post, page, attachment, menu item or custom post type."""

    post_id: str
    post_type: str
    title: str = ""
    link: str = ""
    creator: str = ""
    content: str = ""
    excerpt: str = ""
    post_date: str = ""
    post_date_gmt: str = ""
    post_name: str = ""
    status: str = ""
    parent: str = ""
    password: str = ""
    attachment_url: str = ""
    # (domain, nicename, name) of each <category> in the order the export lists them.
    terms: list[tuple[str, str, str]] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    comments: int = 0


@dataclass
class WxrChannel:
    """What the channel says about the site, known once the whole file has been read."""

    title: str = ""
    link: str = ""
    base_site_url: str = ""
    base_blog_url: str = ""
    language: str = ""
    wxr_version: str = ""


def _name(tag: str) -> str:
    """``{http://wordpress.org/export/1.2/}post_id`` → ``wp:post_id`` (any export version)."""
    if not tag.startswith("{"):
        return tag
    uri, _sep, local = tag[1:].partition("}")
    for marker, detail, prefix in _PREFIXES:
        if marker in uri and detail in uri:
            return f"{prefix}:{local}"
    return f"{uri}:{local}"


def _text(element) -> str:
    return (element.text or "").strip()


def _item(element) -> WxrItem:
    item = WxrItem(post_id="", post_type="")
    simple = {
        "title": "title",
        "link": "link",
        "dc:creator": "creator",
        "content:encoded": "content",
        "excerpt:encoded": "excerpt",
        "wp:post_id": "post_id",
        "wp:post_type": "post_type",
        "wp:post_date": "post_date",
        "wp:post_date_gmt": "post_date_gmt",
        "wp:post_name": "post_name",
        "wp:status": "status",
        "wp:post_parent": "parent",
        "wp:post_password": "password",
        "wp:attachment_url": "attachment_url",
    }
    for child in element:
        name = _name(child.tag)
        if name in simple:
            # Bodies keep their own whitespace (line breaks are paragraphs in WordPress).
            value = child.text or ""
            setattr(item, simple[name], value if name.endswith(":encoded") else value.strip())
        elif name == "category":
            item.terms.append(
                (child.get("domain", ""), (child.get("nicename") or "").strip(), _text(child))
            )
        elif name == "wp:postmeta":
            key = value = ""
            for part in child:
                if _name(part.tag) == "wp:meta_key":
                    key = _text(part)
                elif _name(part.tag) == "wp:meta_value":
                    value = part.text or ""
            if key:
                item.meta[key] = value
        elif name == "wp:comment":
            item.comments += 1
    return item


def _author(element) -> WxrAuthor:
    values = {_name(child.tag): _text(child) for child in element}
    login = values.get("wp:author_login", "")
    return WxrAuthor(login=login, display_name=values.get("wp:author_display_name") or login)


def _term(element, kind: str) -> WxrTerm:
    values = {_name(child.tag): _text(child) for child in element}
    if kind == "category":
        return WxrTerm(
            kind="category",
            slug=values.get("wp:category_nicename", ""),
            name=values.get("wp:cat_name", ""),
            parent=values.get("wp:category_parent", ""),
        )
    return WxrTerm(
        kind="post_tag", slug=values.get("wp:tag_slug", ""), name=values.get("wp:tag_name", "")
    )


_CHANNEL_FIELDS = {
    "title": "title",
    "link": "link",
    "wp:base_site_url": "base_site_url",
    "wp:base_blog_url": "base_blog_url",
    "language": "language",
    "wp:wxr_version": "wxr_version",
}


def read_wxr(path: Path) -> Iterator[WxrAuthor | WxrTerm | WxrItem | WxrChannel]:
    """Authors, terms and items in file order, then the channel; ``WxrError`` if the file is bad.

    A caller that must not write half an import reads the whole file once first (``scan``).
    """
    path = Path(path)
    try:
        if path.stat().st_size == 0:
            raise WxrError(_("%(file)s is empty (0 bytes).") % {"file": path.name})
        with path.open("rb") as handle:
            yield from _read(handle, path.name)
    except OSError as error:
        raise WxrError(
            _("%(file)s cannot be read: %(reason)s") % {"file": path.name, "reason": error}
        ) from error


def _read(handle, file_name: str):
    channel = WxrChannel()
    channel_element = None
    depth = 0
    try:
        events = iterparse(handle, events=("start", "end"), forbid_dtd=True)
        for event, element in events:
            if event == "start":
                depth += 1
                if depth == 1 and element.tag != "rss":
                    raise WxrError(_not_wxr(file_name, f"<{_name(element.tag)}>"))
                if depth == 2 and element.tag == "channel":
                    channel_element = element
                continue
            depth -= 1
            if depth != 2 or channel_element is None:
                continue
            name = _name(element.tag)
            if name == "item":
                yield _item(element)
            elif name == "wp:author":
                yield _author(element)
            elif name == "wp:category":
                yield _term(element, "category")
            elif name == "wp:tag":
                yield _term(element, "post_tag")
            elif name in _CHANNEL_FIELDS:
                setattr(channel, _CHANNEL_FIELDS[name], _text(element))
            # Read and done with: the channel keeps no child, so memory does not grow.
            channel_element.remove(element)
    except ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        message = str(error).split(":")[0]
        reason = message
        if message == "no element found" or message.startswith("unclosed"):
            reason = _("%(reason)s: the file ends too early (truncated?)") % {"reason": message}
        raise WxrError(
            _("%(file)s is not well-formed XML at line %(line)s, column %(column)s: %(reason)s.")
            % {"file": file_name, "line": line, "column": column, "reason": reason}
        ) from error
    except DefusedXmlException as error:
        raise WxrError(
            _(
                "%(file)s declares a document type or entities (%(detail)s). WordPress exports "
                "never do; the file was refused so that nothing in it can expand or read files."
            )
            % {"file": file_name, "detail": type(error).__name__}
        ) from error
    if not channel.wxr_version:
        raise WxrError(_not_wxr(file_name, _("an RSS feed without <wp:wxr_version>")))
    yield channel


def _not_wxr(file_name: str, found: str) -> str:
    return _(
        "%(file)s is not a WordPress export (WXR): found %(found)s. Export it from "
        "WordPress with Tools → Export."
    ) % {"file": file_name, "found": found}
