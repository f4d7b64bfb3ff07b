"""Markdown to safe HTML: the only path by which an editor's text reaches a reader.

Stories are rendered once, when they are saved (``Article.save``), never per request. Raw HTML
is allowed in Markdown, but everything goes through an nh3 allow-list afterwards: no script, no
event handlers, no style, no ``javascript:`` or ``data:`` URLs.
"""

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

import markdown
import nh3
from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _
from markdown.extensions.toc import slugify as toc_slugify

from . import render_worker
from .markdown_guard import MarkdownRefused, check_markdown
from .smart_punctuation import SmartPunctuationExtension

__all__ = ["MarkdownRefused", "check_markdown", "render_markdown", "sanitize_html"]

MARKDOWN_EXTENSIONS = [
    "markdown.extensions.tables",
    "markdown.extensions.footnotes",
    "markdown.extensions.attr_list",
    "markdown.extensions.fenced_code",
    "markdown.extensions.sane_lists",
    "markdown.extensions.abbr",
    "markdown.extensions.def_list",
    # Every heading gets an id (a reader can link to it); a paragraph of just ``[TOC]`` (what
    # the Jekyll import makes of kramdown's ``{:toc}``) becomes a list of links to them.
    "markdown.extensions.toc",
]
# The ids the public pages give their own elements (the skip link's target, the story's
# tags, share and correction boxes...): a heading called "Main" must not take one.
# ``tests/test_rendering.py`` reads them from a rendered story page.
PAGE_ELEMENT_IDS = frozenset(
    {
        "main",
        "story-tags",
        "story-corrections",
        "story-organizations",
        "share-title",
        "share-address",
        "more-in-section",
        "more-in-section-title",
        "related-stories-title",
        "site-search-q",
        "front-rail-title",
    }
)
# A correction's own anchor (``correccion-12``) is one too.
_PAGE_ELEMENT_ID_PATTERN = re.compile(r"correccion-\d+")


def heading_id(text: str, separator: str) -> str:
    """A heading's id: Python-Markdown's slug of its text (letters, digits and hyphens, so no
    colon: footnotes' ``fn:1`` and ``fnref:1`` are never taken), kept clear of the page's own
    ids. The toc extension numbers repeated ones."""
    slug = toc_slugify(text, separator)
    taken = slug in PAGE_ELEMENT_IDS or _PAGE_ELEMENT_ID_PATTERN.fullmatch(slug)
    return f"{slug}{separator}1" if taken else slug


MARKDOWN_EXTENSION_CONFIGS = {
    "markdown.extensions.footnotes": {"BACKLINK_TITLE": ""},
    "markdown.extensions.toc": {"slugify": heading_id, "toc_class": "toc"},
}

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd",
    "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "picture", "pre", "q",
    "s", "samp", "small", "source", "span", "strong", "sub", "summary", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var", "wbr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang", "dir"},
    "a": {"href", "hreflang"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "col": {"span"},
    "colgroup": {"span"},
    "del": {"cite", "datetime"},
    "img": {"src", "alt", "width", "height", "loading", "srcset", "sizes"},
    "ins": {"cite", "datetime"},
    "ol": {"start", "reversed"},
    "q": {"cite"},
    "source": {"srcset", "sizes", "type", "media", "width", "height"},
    "td": {"colspan", "rowspan", "headers", "align"},
    "th": {"colspan", "rowspan", "headers", "scope", "align"},
    "time": {"datetime"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}

# An anchor that is a web address, an e-mail, a phone number, a path on this site or a fragment.
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
# Jekyll-era named anchors (<a name="x">) are obsolete HTML; an id does the same job.
_NAMED_ANCHOR = re.compile(r"<a\s+name=(\"[^\"]*\"|'[^']*')", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
# nh3 adds rel to every <a>; on an anchor without href (a dropped link, a named anchor) it is
# invalid HTML, so it comes off again.
_REL_WITHOUT_HREF = re.compile(r'<a((?:(?!href=)[^>])*?) rel="noopener"((?:(?!href=)[^>])*)>')
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
# An <img> as nh3 writes it: every attribute double-quoted, quotes inside escaped.
_IMG_TAG = re.compile(r'<img((?:\s+[^\s=>]+(?:="[^"]*")?)*)\s*/?>')
_LIBRARY_IMAGE_SRC = re.compile(r"^image:(\d+)$")
# A body placing library images (``![alt](image:42)``) renders with the database's help.
LIBRARY_IMAGE_MARK = "image:"


def looks_like_link_target(href: str) -> bool:
    """True when ``href`` could be a link: an absolute URL, a path, a fragment or a query."""
    href = href.strip()
    if not href or any(ch.isspace() for ch in href):
        return False
    if _SCHEME.match(href):
        return urlsplit(href).scheme.lower() in ALLOWED_URL_SCHEMES
    return href.startswith(("/", "#", "?", "./", "../"))


def is_image_address(src: str) -> bool:
    """True when an image may load from ``src``: a web address or a path, never ``data:`` etc."""
    src = src.strip()
    if not src:
        return False
    return not _SCHEME.match(src) or urlsplit(src).scheme.lower() in {"http", "https"}


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    # A link whose target is not an address (a typo like "(cultura ecologica)") would send
    # readers to a broken page: keep the words, drop the link.
    if attribute == "href" and not looks_like_link_target(value):
        return None
    # nh3 checks the schemes of src and href but not of srcset candidates.
    if attribute == "srcset" and not all(
        is_image_address(candidate.split()[0])
        for candidate in value.split(",")
        if candidate.strip()
    ):
        return None
    return value


_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags={"script", "style"},
    attributes=ALLOWED_ATTRIBUTES,
    attribute_filter=_keep_attribute,
    url_schemes=ALLOWED_URL_SCHEMES,
    link_rel="noopener",
    strip_comments=True,
)


# Building a Markdown instance (loading every extension) costs more than converting a story, so
# each thread keeps one per flavour and resets it between documents.
_thread_renderers = threading.local()


def _renderer(*, library_images: bool) -> markdown.Markdown:
    key = "site" if library_images else "unsafe"
    renderer = getattr(_thread_renderers, key, None)
    if renderer is None:
        # Smarty, made fast on plain text. Spanish quotes: « » would surprise editors who
        # typed "…"; keep curly double quotes.
        extensions = [*MARKDOWN_EXTENSIONS, SmartPunctuationExtension(smart_angled_quotes=False)]
        if library_images:
            # Imported here: the media library needs the models, which need this module.
            from .images.markdown import LibraryImageExtension

            extensions.append(LibraryImageExtension())
        renderer = markdown.Markdown(
            extensions=extensions,
            extension_configs=MARKDOWN_EXTENSION_CONFIGS,
            output_format="html",
        )
        setattr(_thread_renderers, key, renderer)
    return renderer.reset()


def _markdown_to_html(text: str) -> str:
    """Markdown to HTML before sanitizing, without library images: what the worker runs."""
    return _renderer(library_images=False).convert(text)


def _convert(text: str, *, library_images: bool) -> str:
    text = text or ""
    check_markdown(text)
    seconds = settings.MARKDOWN_RENDER_SECONDS
    try:
        # The worker proves the text renders in time, and its HTML is the result unless the
        # text places library images: those need the database, so that render is made here,
        # once the text is known to render in time. 0 turns the limit off.
        html = render_worker.call_within(seconds, _markdown_to_html, text) if seconds > 0 else None
        if html is None or (library_images and LIBRARY_IMAGE_MARK in text):
            html = _renderer(library_images=library_images).convert(text)
    except (render_worker.TimeUp, RecursionError) as error:
        raise MarkdownRefused(
            _("The body is too complex to render; simplify its lists, tables or brackets."),
            code="too_complex",
        ) from error
    except render_worker.WorkerFailed as error:
        raise MarkdownRefused(
            _("The text could not be checked just now; save again in a moment."),
            code="unchecked",
        ) from error
    return html


# The checks of one body (its links, then its images) each ask for it, and a body just
# rendered for readers was made from it: render it once. The last few are kept.
RECENT_RENDERS = 4
_recent_unsafe_html: OrderedDict[str, str] = OrderedDict()
_recent_lock = threading.Lock()


def markdown_to_unsafe_html(text: str) -> str:
    """Markdown to HTML *before* sanitizing; only for inspecting links, never for output."""
    with _recent_lock:
        html = _recent_unsafe_html.get(text)
    if html is None:
        html = _convert(text, library_images=False)
        remember_unsafe_html(text, html)
    return html


def remember_unsafe_html(text: str, html: str) -> None:
    """Note ``markdown_to_unsafe_html(text)``, made elsewhere (by ``render_markdown`` or in
    another process), so checking the body's links and images does not render it again."""
    with _recent_lock:
        _recent_unsafe_html[text] = html
        _recent_unsafe_html.move_to_end(text)
        while len(_recent_unsafe_html) > RECENT_RENDERS:
            _recent_unsafe_html.popitem(last=False)


def sanitize_html(html: str) -> str:
    """Clean an HTML fragment with the allow-list (also used for any HTML that is not Markdown)."""
    html = _NAMED_ANCHOR.sub(r"<a id=\1", html)
    html = _REL_WITHOUT_HREF.sub(r"<a\1\2>", _cleaner.clean(html))
    return _IMG_TAG.sub(_finish_img, html)


def _finish_img(match: re.Match) -> str:
    attributes = match.group(1)
    # An image whose address was removed (a data: URL) would only show a broken icon.
    if not re.search(r'\ssrc="[^"]', attributes):
        return ""
    # Screen readers read out the file name of an image without alt; empty alt is better.
    if not re.search(r"\salt=", attributes):
        return f'<img{attributes} alt="">'
    return match.group(0)


def render_markdown(text: str) -> str:
    """Render an editor's Markdown to sanitized HTML, ready for a reader's page or a feed.

    Library images (``![alt](image:42)``) become responsive pictures here, at save time.
    Raises ``MarkdownRefused`` (a ``ValidationError``) for a body that cannot render safely.
    """
    html = _convert(text, library_images=True)
    if LIBRARY_IMAGE_MARK not in (text or ""):
        # The same HTML ``markdown_to_unsafe_html`` makes: the checks that follow a save
        # (to-dos, link warnings) need no second render.
        remember_unsafe_html(text or "", html)
    return sanitize_html(html)


def count_words(html: str) -> int:
    """Count the words a reader sees in an HTML fragment."""
    return len(_WORD.findall(_TAG.sub(" ", html)))


def normalize_domain(value: str) -> str:
    """Reduce a URL or host to a bare lower-case domain without "www." ("Fundar.org.mx")."""
    value = value.strip().lower()
    if "//" in value:
        value = urlsplit(value).hostname or ""
    else:
        value = value.split("/", 1)[0].split(":", 1)[0]
    value = value.rstrip(".")
    return value.removeprefix("www.")


def domain_and_parents(host: str) -> list[str]:
    """A host and every parent domain of it with at least two labels (a.b.org → a.b.org, b.org)."""
    labels = normalize_domain(host).split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


class _LinkCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self._open: list[list[str]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._open.append([dict(attrs).get("href") or "", ""])

    def handle_data(self, data):
        for link in self._open:
            link[1] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._open:
            href, text = self._open.pop()
            self.links.append((href, text.strip()))


def extract_links(html: str, *, keep_empty: bool = False) -> list[tuple[str, str]]:
    """Every ``(href, link text)`` pair in an HTML fragment, in order (``keep_empty``: also
    links with no target at all, which readers see as dead text)."""
    collector = _LinkCollector()
    collector.feed(html)
    collector.close()
    return [link for link in collector.links if keep_empty or link[0]]


def linked_hosts(html: str) -> set[str]:
    """The web hosts an HTML fragment links to (http and https links only)."""
    hosts = set()
    for href, _text in extract_links(html):
        parts = urlsplit(href.strip())
        if parts.scheme in {"http", "https"} and parts.hostname:
            hosts.add(normalize_domain(parts.hostname))
    return hosts


@dataclass(frozen=True)
class LinkWarning:
    """A suspicious link in a story body, explained for the editor."""

    href: str
    text: str
    message: str
    # What is wrong, for code that counts problems (``story_checks``): ``no_destination``,
    # ``nowhere`` (a path of this site that answers nothing), ``image``, ``image_alt``.
    kind: str = "no_destination"

    def __str__(self):
        return f"“{self.text}” → “{self.href}”: {self.message}"


# Paths served outside the URLconf (uploads and static files) are fine to link to.
_SERVED_PREFIXES = ("/media/", "/static/")


def find_link_warnings(text: str) -> list[LinkWarning]:
    """Links an editor should look at: targets that are not addresses, or paths leading nowhere."""
    warnings = []
    for href, link_text in extract_links(markdown_to_unsafe_html(text), keep_empty=True):
        href = href.strip()
        if not href:
            message = _("this link has no destination; readers will see plain text")
            warnings.append(LinkWarning(href, link_text, str(message)))
        elif not looks_like_link_target(href):
            if _SCHEME.match(href) and not any(ch.isspace() for ch in href):
                message = _("this kind of link is not allowed and was removed")
            else:
                message = _("the target is not a web address; readers will see plain text")
            warnings.append(LinkWarning(href, link_text, str(message)))
        elif href.startswith("/") and not href.startswith(_SERVED_PREFIXES + ("//",)):
            try:
                resolve(urlsplit(href).path)
            except Resolver404:
                warnings.append(
                    LinkWarning(
                        href,
                        link_text,
                        str(
                            _(
                                "this address does not exist on this site (a link from the old site?)"
                            )
                        ),
                        kind="nowhere",
                    )
                )
    return warnings


def library_image_id(src: str | None) -> int | None:
    """The library id in an editor's ``image:42`` reference, or None for any other address."""
    match = _LIBRARY_IMAGE_SRC.match((src or "").strip())
    return int(match.group(1)) if match else None


class _ImageCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.images: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            attributes = dict(attrs)
            self.images.append((attributes.get("src") or "", attributes.get("alt")))


def images_in_html(html: str) -> list[tuple[str, str | None]]:
    """Every ``<img>`` in an HTML fragment, as ``(src, alt)`` in order (alt None if absent)."""
    collector = _ImageCollector()
    collector.feed(html)
    collector.close()
    return collector.images


def body_images(text: str) -> list[tuple[str, str | None]]:
    """Every image an editor placed in Markdown, as ``(src, alt)`` in order (alt None if absent)."""
    if "![" not in text and "<img" not in text.lower():
        return []  # most stories: no second Markdown pass needed
    return images_in_html(markdown_to_unsafe_html(text))


def find_image_warnings(text: str) -> list[LinkWarning]:
    """Images an editor should look at: unknown library ids, missing alt text, bad addresses."""
    from .images import library_images

    placed = body_images(text)
    found = library_images({library_image_id(src) for src, _alt in placed} - {None})
    warnings = []
    for src, alt in placed:
        library_id = library_image_id(src)
        described = bool((alt or "").strip())
        if library_id is not None:
            image = found.get(library_id)
            if image is None:
                message = _("there is no image %(id)s in the library; readers will see nothing")
            elif not described and not image.alt.strip():
                message = _("image %(id)s has no alt text: add it in the library or in [ ]")
            else:
                continue
            kind = "image" if image is None else "image_alt"
            warnings.append(
                LinkWarning(src, alt or "", str(message % {"id": library_id}), kind=kind)
            )
        elif not is_image_address(src):
            message = _("this image address is not allowed; the image was removed")
            warnings.append(LinkWarning(src, alt or "", str(message), kind="image"))
        elif not described:
            message = _("this image has no alt text: describe it between the [ ]")
            warnings.append(LinkWarning(src, "", str(message), kind="image_alt"))
    return warnings


def find_body_warnings(text: str) -> list[LinkWarning]:
    """Everything in a body an editor should look at before publishing: links, then images."""
    return find_link_warnings(text) + find_image_warnings(text)
