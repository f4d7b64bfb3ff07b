"""The account an import gives at the end: what was created, what changed, what went wrong."""

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class ImportReport:
    """Counts and messages gathered while importing; failures and warnings name their file."""

    dry_run: bool = False
    counts: Counter = field(default_factory=Counter)
    failures: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    def warn(self, source: str, message: str) -> None:
        """Record something an editor should look at; the post is imported anyway."""
        self.warnings.append((source, str(message)))

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

    def lines(self) -> list[str]:
        """The report as lines of text for the terminal."""
        count = self.counts
        prefix = "Dry run, nothing was saved. Would have: " if self.dry_run else ""
        lines = [
            f"{prefix}posts imported {count['created']}, updated {count['updated']}, "
            f"unchanged {count['unchanged']}, failed {len(self.failures)}",
            f"authors created {count['authors']}, sections created {count['sections']}, "
            f"tags created {count['tags']}, organizations attached {count['organizations']}",
            f"images copied {count['images']}, images missing {count['images_missing']}, "
            f"old addresses recorded {count['old_paths']}",
        ]
        lines += [f"warning: {source}: {message}" for source, message in self.warnings]
        lines += [f"FAILED: {source}: {reason}" for source, reason in self.failures]
        return lines
