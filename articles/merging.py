"""Three-way merges of a story's form: what this editor changed, what someone else saved
meanwhile, against the version the form was opened on.

Pure functions on plain values (no database): ``editing`` gathers the three versions, the
admin shows what could not be merged.
"""

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

# Paragraphs are separated by a blank line (Markdown's own rule).
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


@dataclass
class FieldMerge:
    """One field's outcome: the value to save, and whether both sides changed it differently.

    In a conflict ``mine`` is this editor's value and ``theirs`` the other's, each with every
    change that did not collide already merged in (for the body, the other side's paragraphs).
    """

    value: object
    conflict: bool = False
    mine: object = None
    theirs: object = None
    took_theirs: bool = False
    # For the body: each colliding stretch of paragraphs, as (mine, theirs).
    clashes: list[tuple[str, str]] = field(default_factory=list)


def merge_value(base, mine, theirs) -> FieldMerge:
    """Three-way merge of a value compared whole (a headline, a section, a set of tags)."""
    if mine == theirs or theirs == base:
        return FieldMerge(value=mine)
    if mine == base:
        return FieldMerge(value=theirs, took_theirs=True)
    return FieldMerge(value=mine, conflict=True, mine=mine, theirs=theirs)


def split_paragraphs(text: str) -> list[str]:
    """A Markdown text's paragraphs (line endings as a browser posts them are normalized)."""
    text = text.replace("\r\n", "\n").strip("\n")
    return [part for part in PARAGRAPH_BREAK.split(text)] if text else []


def join_paragraphs(paragraphs: list[str]) -> str:
    """The inverse of ``split_paragraphs``."""
    return "\n\n".join(paragraphs)


def _changes(base: list[str], other: list[str]) -> list[tuple[int, int, list[str]]]:
    """Where ``other`` differs from ``base``: (start, end) in base and the paragraphs there."""
    matcher = SequenceMatcher(None, base, other, autojunk=False)
    return [
        (i1, i2, other[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
    ]


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    # Two insertions at one place, or an insertion at the edge of an edit, collide too: their
    # order cannot be decided for the writers.
    if a[0] == a[1] or b[0] == b[1]:
        return a[0] <= b[1] and b[0] <= a[1]
    return a[0] < b[1] and b[0] < a[1]


def _apply(base: list[str], lo: int, hi: int, changes) -> list[str]:
    """Base paragraphs ``lo:hi`` with one side's changes inside that stretch applied."""
    result, position = [], lo
    for start, end, lines in sorted(changes, key=lambda change: (change[0], change[1])):
        result.extend(base[position:start])
        result.extend(lines)
        position = end
    result.extend(base[position:hi])
    return result


def merge_text(base: str, mine: str, theirs: str) -> FieldMerge:
    """Merge a body paragraph by paragraph: a paragraph changed on one side only takes that
    side's text; paragraphs both sides changed differently are a conflict."""
    whole = merge_value(base, mine, theirs)
    if not whole.conflict:
        return whole
    base_p, mine_p, theirs_p = (split_paragraphs(text) for text in (base, mine, theirs))
    changes = [(*change, "mine") for change in _changes(base_p, mine_p)]
    changes += [(*change, "theirs") for change in _changes(base_p, theirs_p)]
    changes.sort(key=lambda change: (change[0], change[1]))
    # Group changes that touch the same stretch of the base into one cluster.
    clusters: list[list] = []
    for change in changes:
        span = (change[0], change[1])
        if clusters and any(_overlap(span, (c[0], c[1])) for c in clusters[-1]):
            clusters[-1].append(change)
        else:
            clusters.append([change])
    merged_mine, merged_theirs, clashes, position = [], [], [], 0
    for cluster in clusters:
        lo = min(change[0] for change in cluster)
        hi = max(change[1] for change in cluster)
        shared = base_p[position:lo]
        merged_mine.extend(shared)
        merged_theirs.extend(shared)
        sides = {
            side: _apply(base_p, lo, hi, [c[:3] for c in cluster if c[3] == side])
            for side in ("mine", "theirs")
        }
        if {c[3] for c in cluster} == {"mine", "theirs"} and sides["mine"] != sides["theirs"]:
            clashes.append((join_paragraphs(sides["mine"]), join_paragraphs(sides["theirs"])))
            merged_mine.extend(sides["mine"])
            merged_theirs.extend(sides["theirs"])
        else:
            winner = sides["mine"] if any(c[3] == "mine" for c in cluster) else sides["theirs"]
            merged_mine.extend(winner)
            merged_theirs.extend(winner)
        position = hi
    merged_mine.extend(base_p[position:])
    merged_theirs.extend(base_p[position:])
    text_mine, text_theirs = join_paragraphs(merged_mine), join_paragraphs(merged_theirs)
    if not clashes:
        return FieldMerge(value=text_mine, took_theirs=True)
    return FieldMerge(
        value=text_mine, conflict=True, mine=text_mine, theirs=text_theirs, clashes=clashes
    )
