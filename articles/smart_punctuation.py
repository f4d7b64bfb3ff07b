"""Curly quotes, dashes and ellipses: Python-Markdown's smarty, minus its cost on plain text.

Smarty runs its own inline pass over every run of text, trying each of its seventeen patterns
in turn. Every one of those patterns needs a straight quote, two dashes, three dots or a
doubled angle bracket, and most runs of text in a story have none of them, yet trying the
patterns cost as much as the rest of the Markdown conversion (about 1 ms of a 2.4 ms story).
Runs without any of those characters are handed back untouched, exactly as smarty would hand
them back after trying every pattern; the others go through smarty unchanged.
"""

import re

from markdown.extensions.smarty import SmartyExtension
from markdown.treeprocessors import InlineProcessor

# A character sequence at least one smarty pattern needs to match; without one, none can.
_EDUCABLE = re.compile(r"""['"]|--|\.\.\.|<<|>>""")
# Where smarty registers its inline pass (Python-Markdown 3.x).
_SMARTY_PRIORITY = 6


class _PlainTextSkippingProcessor(InlineProcessor):
    # InlineProcessor keeps its per-text entry point private (``__handleInline``); Python's
    # name mangling makes this the name its ``run`` calls. tests/test_smart_punctuation.py
    # fails if a new Python-Markdown renames it.
    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802, N803
        if patternIndex == 0 and not _EDUCABLE.search(data):
            return data
        return super()._InlineProcessor__handleInline(data, patternIndex)


class SmartPunctuationExtension(SmartyExtension):
    """Smarty with the same options and output, skipping text it has nothing to change in."""

    def extendMarkdown(self, md):  # noqa: N802 (Python-Markdown's API name)
        super().extendMarkdown(md)
        processor = _PlainTextSkippingProcessor(md)
        processor.inlinePatterns = self.inlinePatterns
        md.treeprocessors.register(processor, "smarty", _SMARTY_PRIORITY)
