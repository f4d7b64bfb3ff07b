"""Word-level differences between two versions of a text, as HTML that wraps like prose.

Whole words are compared (``colaborar`` is never cut into ``col|aborar``), paragraph by
paragraph; long runs of unchanged paragraphs are shortened to their ends.
"""

import re
from difflib import SequenceMatcher

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .merging import split_paragraphs

# A word (letters, digits, accents), a run of spaces, or one other character.
TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
# Unchanged paragraphs kept on each side of a change.
CONTEXT = 1


def _words(before: str, after: str) -> str:
    """One paragraph's changes, word by word (escaped)."""
    old, new = TOKEN.findall(before), TOKEN.findall(after)
    out = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append(escape("".join(old[i1:i2])))
            continue
        if i2 > i1:
            out.append(f"<del>{escape(''.join(old[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{escape(''.join(new[j1:j2]))}</ins>")
    return "".join(out)


def word_diff(before: str, after: str) -> SafeString:
    """The changes from ``before`` to ``after`` as paragraphs with ``<del>`` and ``<ins>``."""
    old, new = split_paragraphs(before), split_paragraphs(after)
    blocks = []
    opcodes = SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            same = [escape(paragraph) for paragraph in old[i1:i2]]
            head = same[:CONTEXT] if index > 0 else []
            tail = same[-CONTEXT:] if index < len(opcodes) - 1 else []
            if len(head) + len(tail) < len(same):
                blocks.extend([*head, "…", *tail])
            else:
                blocks.extend(same)
        elif tag == "replace" and i2 - i1 == j2 - j1:
            blocks.extend(_words(a, b) for a, b in zip(old[i1:i2], new[j1:j2], strict=True))
        else:
            blocks.extend(f"<del>{escape(paragraph)}</del>" for paragraph in old[i1:i2])
            blocks.extend(f"<ins>{escape(paragraph)}</ins>" for paragraph in new[j1:j2])
    html = "".join(f"<p>{block}</p>" for block in blocks)
    return mark_safe(f'<div class="word-diff">{html}</div>')  # noqa: S308 (every text escaped)
