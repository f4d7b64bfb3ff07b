"""What a story lacks before readers should see it: its to-dos.

A story may be published with some of these (an imported post the old site already published, or
an editor who publishes anyway); what it still lacks is kept on the story as its to-dos
(``Article.todos``), listed in the admin and counted, until a save finds it fixed.
``publishing.missing_for_publication`` stays the rule for what no story may be published without.
"""

from collections import Counter
from dataclasses import dataclass

from django.utils.translation import gettext, ngettext

from . import images, rendering
from .models import Article

# Link warnings (``rendering.LinkWarning.kind``) counted as to-dos, by the to-do they make.
_LINK_KINDS = {
    "no_destination": "link_no_destination",
    "nowhere": "link_nowhere",
    "image": "image_broken",
}


@dataclass(frozen=True)
class Problem:
    """One kind of thing a story lacks, and how many times."""

    code: str
    count: int = 1

    @property
    def label(self) -> str:
        """The problem in the active language, counted ("falta texto alternativo en 26 imágenes")."""
        count = self.count
        labels = {
            "alt_text": ngettext(
                "missing alt text on %(count)d image", "missing alt text on %(count)d images", count
            ),
            "dek": gettext("no dek"),
            "section": gettext("no section"),
            "byline": gettext("no byline"),
            "link_no_destination": ngettext(
                "%(count)d link with no web address",
                "%(count)d links with no web address",
                count,
            ),
            "link_nowhere": ngettext(
                "%(count)d link to a page of this site that does not exist",
                "%(count)d links to pages of this site that do not exist",
                count,
            ),
            "image_broken": ngettext(
                "%(count)d image readers cannot see", "%(count)d images readers cannot see", count
            ),
        }
        return labels.get(self.code, self.code) % {"count": count}

    def __str__(self):
        return self.label


def has_section_and_byline(
    article: Article, *, has_section: bool | None = None, has_byline: bool | None = None
) -> tuple[bool, bool]:
    """Whether the story has a section and a byline; ``has_section`` and ``has_byline`` answer
    instead for bulk writers whose rows are not written yet (the importers)."""
    if has_section is None:
        has_section = bool(article.category_id)
    if has_byline is None:
        has_byline = article.pk is not None and article.bylines.exists()
    return has_section, has_byline


def editorial_problems(
    article: Article, *, has_section: bool | None = None, has_byline: bool | None = None
) -> list[Problem]:
    """What a reader-facing story should have and lacks, in a fixed order.

    Reads the story as it is (``body_html`` already rendered); ``has_section`` and
    ``has_byline`` answer for bulk writers whose rows are not written yet, as in
    ``publishing.missing_for_publication``.
    """
    problems = []
    missing_alt = len(images.missing_alt_text(article))
    if missing_alt:
        problems.append(Problem("alt_text", missing_alt))
    if not article.dek.strip():
        problems.append(Problem("dek"))
    has_section, has_byline = has_section_and_byline(
        article, has_section=has_section, has_byline=has_byline
    )
    if not has_section:
        problems.append(Problem("section"))
    if not has_byline:
        problems.append(Problem("byline"))
    counted = Counter(
        _LINK_KINDS[warning.kind]
        for warning in rendering.find_body_warnings(article.body)
        if warning.kind in _LINK_KINDS
    )
    problems.extend(
        Problem(code, counted[code]) for code in _LINK_KINDS.values() if code in counted
    )
    return problems


def problems_as_todos(problems: list[Problem]) -> list[dict]:
    """The stored form of problems (``Article.todos``), for bulk writers."""
    return [{"code": problem.code, "count": problem.count} for problem in problems]


def todos_of(article: Article) -> list[Problem]:
    """A story's stored to-dos, as problems."""
    return [Problem(item["code"], item.get("count", 1)) for item in article.todos or []]


def refresh_todos(article: Article) -> list[Problem]:
    """Work out a saved story's problems again and store them as its to-dos.

    An UPDATE of that column alone: no signal, no revision, no cache change (readers never see
    to-dos).
    """
    problems = editorial_problems(article)
    article.todos = problems_as_todos(problems)
    Article.objects.filter(pk=article.pk).update(todos=article.todos)
    return problems
