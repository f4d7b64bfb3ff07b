"""Limits that keep Python-Markdown from being turned into a denial of service.

``rendering`` calls ``check_markdown`` before every conversion (a budget of size and shape that
costs milliseconds) and runs the conversion itself in a worker process with a hard time limit
(``render_worker``), which holds under threaded and async servers alike.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Python-Markdown is recursive in nesting and quadratic in bracket and emphasis runs: 400
# nested lists raise RecursionError, 20,000 ``[`` take minutes. Editors never write anything
# near these limits; an attacker (or a broken import) does.
MAX_NESTING_DEPTH = 50
MAX_BRACKET_DEPTH = 50
MAX_EMPHASIS_MARKS_PER_BLOCK = 2000
# Tables are quadratic in their rows: 2,000 rows render in 0.3 s, 8,000 in 2.7 s, 30,000 in
# about 37 s. No reader scrolls a 2,000-line table or paragraph.
MAX_LINES_PER_BLOCK = 2000
_BLOCK_SEPARATOR = re.compile(r"\n[ \t]*\n")
_LINE_NESTING = re.compile(r"^((?:[ \t]*>)*)([ \t]*)")
_BRACKETS = {"[": re.compile(r"[\[\]]"), "(": re.compile(r"[()]")}


class MarkdownRefused(ValidationError):
    """A body Markdown cannot render safely: too long, too deep, too slow, or with NUL bytes."""


def _nesting_depth(line: str) -> int:
    quotes, indent = _LINE_NESTING.match(line).groups()
    return quotes.count(">") + len(indent.expandtabs(4)) // 4


def _bracket_depth(block: str, opening: str, closing: str) -> int:
    depth = deepest = 0
    # Only the brackets themselves: a loop over every character took a tenth of a story's
    # render time.
    for char in _BRACKETS[opening].findall(block):
        if char == opening:
            depth += 1
            deepest = max(deepest, depth)
        elif char == closing and depth:
            depth -= 1
    return deepest


def check_markdown(text: str) -> None:
    """Refuse a body Markdown could not render safely, with a message an editor can act on."""
    if "\x00" in text:
        raise MarkdownRefused(_("The text contains NUL characters; remove them."), code="null")
    limit = settings.ARTICLE_BODY_MAX_CHARS
    if len(text) > limit:
        raise MarkdownRefused(
            _("The body is too long (%(length)s characters; the limit is %(limit)s)."),
            code="too_long",
            params={"length": len(text), "limit": limit},
        )
    if max(map(_nesting_depth, text.splitlines()), default=0) > MAX_NESTING_DEPTH:
        raise MarkdownRefused(
            _("Lists or quotes are nested too deeply (more than %(limit)s levels)."),
            code="too_deep",
            params={"limit": MAX_NESTING_DEPTH},
        )
    for block in _BLOCK_SEPARATOR.split(text):
        if _bracket_depth(block, "[", "]") > MAX_BRACKET_DEPTH:
            raise MarkdownRefused(
                _("A paragraph opens more than %(limit)s brackets “[” without closing them."),
                code="too_many_brackets",
                params={"limit": MAX_BRACKET_DEPTH},
            )
        if _bracket_depth(block, "(", ")") > MAX_BRACKET_DEPTH:
            raise MarkdownRefused(
                _("A paragraph opens more than %(limit)s parentheses “(” without closing them."),
                code="too_many_parentheses",
                params={"limit": MAX_BRACKET_DEPTH},
            )
        if block.count("\n") >= MAX_LINES_PER_BLOCK:
            raise MarkdownRefused(
                _(
                    "A table, list or paragraph has more than %(limit)s lines; split it or "
                    "link to the data instead."
                ),
                code="too_many_lines",
                params={"limit": MAX_LINES_PER_BLOCK},
            )
        if block.count("*") + block.count("_") > MAX_EMPHASIS_MARKS_PER_BLOCK:
            raise MarkdownRefused(
                _("A paragraph has more than %(limit)s “*” or “_” marks."),
                code="too_many_marks",
                params={"limit": MAX_EMPHASIS_MARKS_PER_BLOCK},
            )
