"""Markdown to safe HTML: the only path by which an editor's text reaches a reader.

Stories are rendered once, when they are saved (``Article.save``), never per request. Raw HTML
is allowed in Markdown, but everything goes through an nh3 allow-list afterwards: no script, no
event handlers, no style, no ``javascript:`` or ``data:`` URLs.
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

import markdown
import nh3
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _

MARKDOWN_EXTENSIONS = [
    "markdown.extensions.tables",
    "markdown.extensions.footnotes",
    "markdown.extensions.attr_list",
    "markdown.extensions.fenced_code",
    "markdown.extensions.smarty",
    "markdown.extensions.sane_lists",
    "markdown.extensions.abbr",
    "markdown.extensions.def_list",
]
MARKDOWN_EXTENSION_CONFIGS = {
    "markdown.extensions.smarty": {
        # Spanish quotes: « » would surprise editors who typed "…"; keep curly double quotes.
        "smart_angled_quotes": False,
    },
    "markdown.extensions.footnotes": {"BACKLINK_TITLE": ""},
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


def looks_like_link_target(href: str) -> bool:
    """True when ``href`` could be a link: an absolute URL, a path, a fragment or a query."""
    href = href.strip()
    if not href or any(ch.isspace() for ch in href):
        return False
    if _SCHEME.match(href):
        return urlsplit(href).scheme.lower() in ALLOWED_URL_SCHEMES
    return href.startswith(("/", "#", "?", "./", "../"))


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    # A link whose target is not an address (a typo like "(cultura ecologica)") would send
    # readers to a broken page: keep the words, drop the link.
    if attribute == "href" and not looks_like_link_target(value):
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


def markdown_to_unsafe_html(text: str) -> str:
    """Markdown to HTML *before* sanitizing; only for inspecting links, never for output."""
    renderer = markdown.Markdown(
        extensions=MARKDOWN_EXTENSIONS,
        extension_configs=MARKDOWN_EXTENSION_CONFIGS,
        output_format="html",
    )
    return renderer.convert(text or "")


def sanitize_html(html: str) -> str:
    """Clean an HTML fragment with the allow-list (also used for any HTML that is not Markdown)."""
    html = _NAMED_ANCHOR.sub(r"<a id=\1", html)
    return _REL_WITHOUT_HREF.sub(r"<a\1\2>", _cleaner.clean(html))


def render_markdown(text: str) -> str:
    """Render an editor's Markdown to sanitized HTML, ready for a reader's page or a feed."""
    return sanitize_html(markdown_to_unsafe_html(text))


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


def extract_links(html: str) -> list[tuple[str, str]]:
    """Every ``(href, link text)`` pair in an HTML fragment, in order."""
    collector = _LinkCollector()
    collector.feed(html)
    collector.close()
    return [link for link in collector.links if link[0]]


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

    def __str__(self):
        return f"“{self.text}” → “{self.href}”: {self.message}"


# Paths served outside the URLconf (uploads and static files) are fine to link to.
_SERVED_PREFIXES = ("/media/", "/static/")


def find_link_warnings(text: str) -> list[LinkWarning]:
    """Links an editor should look at: targets that are not addresses, or paths leading nowhere."""
    warnings = []
    for href, link_text in extract_links(markdown_to_unsafe_html(text)):
        href = href.strip()
        if not looks_like_link_target(href):
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
                    )
                )
    return warnings
