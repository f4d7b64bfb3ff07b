"""The account an import gives at the end: what was created, what changed, what went wrong.

Warnings carry a kind, so the report groups them (a count and the first examples of each kind)
instead of burying a user in one line per post; ``as_dict`` is the whole report, for
``--report report.json``. The text is in the active language (the command uses the site's).
Nothing here is specific to Jekyll: any importer can fill one.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext, gettext_lazy, ngettext

# How many examples of each kind of warning or to-do the terminal report shows.
EXAMPLES = 3
# The heading of each kind of warning; a kind not listed here is headed "Other warnings".
KINDS = {
    "liquid": gettext_lazy("Liquid kept in a comment for an editor"),
    "link_no_destination": gettext_lazy("Links whose target is not a web address"),
    "link_nowhere": gettext_lazy("Links to addresses that answer nothing on this site"),
    "image_missing": gettext_lazy("Images not found in the site"),
    "no_title": gettext_lazy("Posts without a title"),
    "no_category": gettext_lazy("Posts without a category"),
    "unknown_keys": gettext_lazy("Unknown front-matter keys, kept"),
    "extra_categories": gettext_lazy("Extra categories, kept as tags"),
    "path_taken": gettext_lazy("Old addresses that already lead to another story"),
    "skipped": gettext_lazy("Files skipped"),
    "bad_last_modified": gettext_lazy(
        "Update dates (last_modified_at) that are not dates, left out"
    ),
}


@dataclass
class ImportReport:
    """Counts and messages gathered while importing; failures and warnings name their file."""

    dry_run: bool = False
    counts: Counter = field(default_factory=Counter)
    failures: list[tuple[str, str]] = field(default_factory=list)
    # (source, message, kind): the kind groups the report ("image_missing", "liquid", ...).
    warnings: list[tuple[str, str, str]] = field(default_factory=list)
    # What each story written this run lacks (``story_checks.Problem``), by its post file.
    todos: list[tuple[str, list]] = field(default_factory=list)
    # Settings the operator may want to change to match the imported site, as sentences.
    advice: list[str] = field(default_factory=list)

    def warn(self, source: str, message: str, kind: str = "other") -> None:
        """Record something an editor should look at; the post is imported anyway."""
        self.warnings.append((source, str(message), kind))

    def todo(self, source: str, problems: list) -> None:
        """Record what a story still lacks (its to-dos); nothing when it lacks nothing."""
        if problems:
            self.todos.append((source, list(problems)))

    def checkpoint(self) -> tuple[Counter, int]:
        """A snapshot to return to when a post fails, so it counts for nothing."""
        return Counter(self.counts), len(self.warnings)

    def restore(self, checkpoint: tuple[Counter, int]) -> None:
        """Forget everything counted and warned since the checkpoint (a batch taken back)."""
        self.counts = Counter(checkpoint[0])
        del self.warnings[checkpoint[1] :]

    def fail(self, source: str, reason: str, checkpoint: tuple[Counter, int]) -> None:
        """Record a post that was not imported, undoing whatever it had counted."""
        self.restore(checkpoint)
        self.failures.append((source, reason))

    def summary(self) -> list[str]:
        """The counts, as a few lines."""
        count = self.counts
        lines = [
            gettext(
                "posts imported %(created)d, updated %(updated)d, unchanged %(unchanged)d, "
                "failed %(failed)d"
            )
            % {**_counted(count, "created", "updated", "unchanged"), "failed": len(self.failures)},
            gettext(
                "authors created %(authors)d, sections created %(sections)d, "
                "tags created %(tags)d, organizations attached %(organizations)d"
            )
            % _counted(count, "authors", "sections", "tags", "organizations"),
            gettext(
                "images copied %(images)d, images missing %(images_missing)d, "
                "old addresses recorded %(old_paths)d"
            )
            % _counted(count, "images", "images_missing", "old_paths"),
        ]
        if self.dry_run:
            lines.insert(0, gettext("Dry run, nothing was saved. It would have done this:"))
        return lines + self.advice

    def lines(self, *, every: bool = False) -> list[str]:
        """The report as lines of text for the terminal: counts, then groups with their first
        examples (``every`` lists them all)."""
        shown = None if every else EXAMPLES
        lines = self.summary()
        if self.todos:
            lines.append(
                ngettext(
                    "%(count)d story has to-dos (see “With to-dos” in the admin):",
                    "%(count)d stories have to-dos (see “With to-dos” in the admin):",
                    len(self.todos),
                )
                % {"count": len(self.todos)}
            )
            by_code = defaultdict(list)
            for source, problems in self.todos:
                for problem in problems:
                    by_code[problem.code].append((source, problem))
            for items in by_code.values():
                examples = ", ".join(
                    f"{source} ({problem.label})" for source, problem in items[:shown]
                )
                lines.append(
                    ngettext(
                        "  %(count)d story: %(examples)s",
                        "  %(count)d stories: %(examples)s",
                        len(items),
                    )  # fmt: skip
                    % {"count": len(items), "examples": examples}
                )
        by_kind = defaultdict(list)
        for source, message, kind in self.warnings:
            by_kind[kind].append((source, message))
        for kind, items in by_kind.items():
            lines.append(f"{KINDS.get(kind) or gettext('Other warnings')}: {len(items)}")
            lines += [f"  {source}: {message}" for source, message in items[:shown]]
            if shown and len(items) > shown:
                lines.append("  " + gettext("… and %(count)d more") % {"count": len(items) - shown})
        lines += [
            gettext("FAILED: %(source)s: %(reason)s") % {"source": source, "reason": reason}
            for source, reason in self.failures
        ]
        return lines

    def as_dict(self) -> dict:
        """The whole report (every warning, to-do and failure), for a JSON file."""
        return {
            "dry_run": self.dry_run,
            "summary": self.summary(),
            "counts": dict(self.counts),
            "failures": [{"file": source, "reason": reason} for source, reason in self.failures],
            "warnings": [
                {"file": source, "kind": kind, "message": message}
                for source, message, kind in self.warnings
            ],
            "todos": [
                {
                    "file": source,
                    "todos": [
                        {"code": problem.code, "count": problem.count, "label": problem.label}
                        for problem in problems
                    ],
                }
                for source, problems in self.todos
            ],
        }


def _counted(counts: Counter, *names: str) -> dict[str, int]:
    return {name: counts[name] for name in names}
