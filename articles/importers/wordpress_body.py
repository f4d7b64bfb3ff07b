"""A WordPress post body (classic or block-editor HTML with shortcodes) as our Markdown.

Block-editor comments (``<!-- wp:... -->``) go; ``[caption]`` becomes a figure, ``[gallery]``
a run of figures, ``[embed]`` and a web address alone on its line a link marked ``.embed``
(the renderer allows no iframes); other shortcodes stay as text and are listed. Classic bodies
get WordPress's paragraphs (blank lines) first. The HTML is then converted by markdownify;
what Markdown cannot say (definition lists, merged table cells, sub/superscript, ...) stays
as sanitized HTML inside the Markdown. Images and links to the old site's uploads point at
the media library (``MediaMap``).
"""

import html
import re
from dataclasses import dataclass, field

from bs4 import BeautifulSoup
from django.utils.translation import gettext as _
from markdownify import MarkdownConverter

from ..rendering import sanitize_html
from .wordpress_media import MediaMap

_BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:.*?-->", re.DOTALL)
_CAPTION = re.compile(r"\[(?:wp_)?caption\b([^\]]*)\](.*?)\[/(?:wp_)?caption\]", re.DOTALL)
_GALLERY = re.compile(r"\[gallery\b([^\]]*)\]")
_EMBED = re.compile(r"\[embed\b[^\]]*\](.*?)\[/embed\]", re.DOTALL)
# WordPress turns a web address alone on its line into an embed (oEmbed).
_BARE_URL = re.compile(r"^[ \t]*(https?://[^\s<>\"]+)[ \t]*$", re.MULTILINE)
_SHORTCODE = re.compile(r"\[/?([a-zA-Z][\w-]*)(?=[\s\]/])[^\]\n]*\]")
_ATTRIBUTE = re.compile(r"(\w+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|(\S+))")
_BLOCK_START = re.compile(
    r"\s*<(?:p|div|h[1-6]|ul|ol|li|table|thead|tbody|tr|td|th|blockquote|pre|figure|dl|dt|dd|hr"
    r"|address|section|article|aside|form|iframe|video|audio|object|details|style|script)\b",
    re.IGNORECASE,
)
_BLOCK_TAGS = r"(?:div|ul|ol|table|blockquote|pre|figure|dl|section|article|aside|form|details)"
_BLOCK_OPEN = re.compile(rf"<{_BLOCK_TAGS}\b", re.IGNORECASE)
_BLOCK_CLOSE = re.compile(rf"</{_BLOCK_TAGS}\s*>", re.IGNORECASE)
_TOKEN = "xwpblockx{}x"
_TOKEN_PARAGRAPH = re.compile(r"xwpblockx(\d+)x")
# Tags markdownify would flatten or write in a syntax our renderer lacks: kept as HTML.
_INLINE_HTML = {"sub", "sup", "abbr", "cite", "q", "dfn", "var", "mark", "small", "u", "del",
                "s", "ins", "time"}  # fmt: skip
_BLOCK_HTML = {"dl", "details"}
_EMBEDDED = {"iframe", "video", "audio", "embed", "object"}


@dataclass
class ConvertedBody:
    """The Markdown and what the conversion could not carry over."""

    markdown: str
    shortcodes: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)


def _attributes(text: str) -> dict[str, str]:
    return {
        match.group(1).lower(): html.unescape(next(g for g in match.groups()[1:] if g is not None))
        for match in _ATTRIBUTE.finditer(text)
    }


class _Converter(MarkdownConverter):
    """markdownify with the library's images, rewritten upload links and kept HTML."""

    def __init__(self, *, media: MediaMap, body: ConvertedBody, **options):
        super().__init__(heading_style="ATX", bullets="-", **options)
        self.media = media
        self.body = body

    def convert_img(self, el, text, parent_tags):
        return self.media.image_markdown(el.get("src", ""), el.get("alt", ""), self.body)

    def convert_a(self, el, text, parent_tags):
        if el.get("href"):
            el["href"] = self.media.file_url(el["href"])
        return super().convert_a(el, text, parent_tags)

    def convert_figure(self, el, text, parent_tags):
        images = el.find_all("img")
        caption = el.find("figcaption")
        caption_text = caption.get_text(" ", strip=True) if caption else ""
        if "wp-block-embed" in el.get("class", []):
            # The block editor's embed: the address alone in a wrapper, then a caption.
            wrapper = el.find("div")
            url = wrapper.get_text(strip=True) if wrapper else ""
            embed = _embed_markdown(url, self.body)
            return f"\n\n{embed}\n\n{self.escape(caption_text, parent_tags)}\n\n"
        if len(images) == 1:
            image = images[0]
            return "\n\n" + self.media.figure_markdown(
                image.get("src", ""), image.get("alt", ""), caption_text, self.body
            )
        return text

    def convert_table(self, el, text, parent_tags):
        if el.find(["td", "th"], attrs={"colspan": True}) or el.find(
            ["td", "th"], attrs={"rowspan": True}
        ):
            return _kept_block(el)
        return super().convert_table(el, text, parent_tags)

    def process_tag(self, node, parent_tags=None):
        name = node.name
        if name in _INLINE_HTML:
            return sanitize_html(str(node))
        if name in _BLOCK_HTML:
            return _kept_block(node)
        if name in _EMBEDDED:
            source = node.get("src") or node.get("data") or ""
            source_tag = node.find("source")
            source = source or (source_tag.get("src", "") if source_tag else "")
            return "\n\n" + _embed_markdown(self.media.file_url(source), self.body) + "\n\n"
        return super().process_tag(node, parent_tags)


def _kept_block(node) -> str:
    # A blank line would end the raw HTML block early in Markdown.
    kept = re.sub(r"\n\s*\n", "\n", sanitize_html(str(node)))
    return f"\n\n{kept}\n\n"


def _embed_markdown(url: str, body: ConvertedBody) -> str:
    url = url.strip()
    if not url.startswith(("http://", "https://")):
        body.warnings.append(_("an embedded player without an address was left out"))
        return ""
    return f"[{url}](<{url}>){{: .embed}}"


def _autop(text: str) -> str:
    """WordPress's paragraphs for classic bodies: blank lines separate them, a newline breaks.

    As ``wpautop`` does, lines inside block elements (tables, lists, ``<pre>``) are left alone.
    """
    out, paragraph, depth = [], [], 0

    def flush():
        if paragraph:
            out.append("<p>" + "<br>\n".join(paragraph) + "</p>")
            paragraph.clear()

    for line in text.replace("\r\n", "\n").split("\n"):
        stripped = line.strip()
        if not stripped and depth == 0:
            flush()
            continue
        if depth == 0 and not _BLOCK_START.match(line) and not _TOKEN_PARAGRAPH.fullmatch(stripped):
            paragraph.append(stripped)
            continue
        flush()
        out.append(line)
        depth = max(0, depth + len(_BLOCK_OPEN.findall(line)) - len(_BLOCK_CLOSE.findall(line)))
    flush()
    return "\n".join(out)


def convert_body(
    content: str, *, media: MediaMap, post_id: str, gallery_of: dict[str, list[str]]
) -> ConvertedBody:
    """Our Markdown for one post's ``content:encoded``; ``gallery_of`` lists attachment ids by
    the post they belong to (a ``[gallery]`` without ``ids`` shows those)."""
    body = ConvertedBody(markdown="")
    is_blocks = "<!-- wp:" in content
    text = _BLOCK_COMMENT.sub("", content)
    blocks: list[str] = []

    def keep(markdown: str) -> str:
        blocks.append(markdown)
        return "\n\n" + _TOKEN.format(len(blocks) - 1) + "\n\n"

    def caption(match):
        attributes = _attributes(match.group(1))
        inner = BeautifulSoup(match.group(2), "html.parser")
        image = inner.find("img")
        caption_text = attributes.get("caption") or inner.get_text(" ", strip=True)
        if image is None:
            return keep(html.escape(caption_text))
        return keep(
            media.figure_markdown(image.get("src", ""), image.get("alt", ""), caption_text, body)
        )

    def gallery(match):
        attributes = _attributes(match.group(1))
        ids = [i.strip() for i in attributes.get("ids", "").split(",") if i.strip()]
        ids = ids or gallery_of.get(attributes.get("id", post_id), [])
        if not ids:
            body.warnings.append(_("a [gallery] with no images was left out"))
            return ""
        return keep("\n\n".join(media.attachment_markdown(number, body) for number in ids))

    text = _CAPTION.sub(caption, text)
    text = _GALLERY.sub(gallery, text)
    text = _EMBED.sub(lambda match: keep(_embed_markdown(match.group(1), body)), text)
    if not is_blocks:
        text = _BARE_URL.sub(lambda match: keep(_embed_markdown(match.group(1), body)), text)
        text = _autop(text)
    if "[" in text:
        body.shortcodes = {
            match.group(1).lower()
            for match in _SHORTCODE.finditer(BeautifulSoup(text, "html.parser").get_text())
        }
    markdown = _Converter(media=media, body=body).convert(text)
    markdown = _TOKEN_PARAGRAPH.sub(lambda match: blocks[int(match.group(1))], markdown)
    body.markdown = re.sub(r"\n{3,}", "\n\n", markdown).strip() + "\n"
    return body


def plain_text(fragment: str) -> str:
    """Text without tags or entities (titles may carry markup: ``Title <em>With</em> Markup``)."""
    if "<" not in (fragment or "") and "&" not in (fragment or ""):
        return " ".join((fragment or "").split())  # most titles: no parser needed
    return " ".join(BeautifulSoup(fragment, "html.parser").get_text(" ").split())
