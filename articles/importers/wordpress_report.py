"""What a WordPress import says at the end, in the site's language, and as JSON (``--report``).

Builds on the Jekyll importer's ``ImportReport`` (its counts, warnings and failures, which
``subjects.py`` fills too) and adds what a WordPress export has more of: item types and
statuses, attachments, shortcodes, comments, menu items, custom post types and unknown meta.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .report import ImportReport


@dataclass
class WordPressReport(ImportReport):
    """Counts by (item type, WordPress status, outcome) and everything left out, with why."""

    items: Counter = field(default_factory=Counter)
    shortcodes: Counter = field(default_factory=Counter)
    not_imported: Counter = field(default_factory=Counter)
    unknown_meta: Counter = field(default_factory=Counter)
    attachments_missing: list[tuple[str, str]] = field(default_factory=list)

    def count(self, post_type: str, status: str, outcome: str) -> None:
        """One post or page and what became of it (created, updated, unchanged, skipped)."""
        self.items[(post_type, status, outcome)] += 1
        self.counts[outcome] += 1

    def lines(self) -> list[str]:
        """The report as lines of text for the terminal."""
        count = self.counts
        lines = [_("Dry run: nothing was saved. It would have done this:")] if self.dry_run else []
        lines.append(
            _(
                "Stories created %(created)s, updated %(updated)s, unchanged %(unchanged)s, "
                "skipped %(skipped)s, failed %(failed)s."
            )
            % {
                "created": count["created"],
                "updated": count["updated"],
                "unchanged": count["unchanged"],
                "skipped": count["skipped"],
                "failed": len(self.failures),
            }
        )
        for (post_type, status, outcome), number in sorted(self.items.items()):
            lines.append(f"  {post_type} / {status} / {outcome}: {number}")
        lines.append(
            _("Authors created %(authors)s, sections %(sections)s, tags %(tags)s.")
            % {"authors": count["authors"], "sections": count["sections"], "tags": count["tags"]}
        )
        lines.append(
            _(
                "Attachments copied %(copied)s, missing or refused %(missing)s; old addresses "
                "recorded %(paths)s."
            )
            % {
                "copied": count["images"],
                "missing": len(self.attachments_missing),
                "paths": count["old_paths"],
            }
        )
        lines.append(_("Comments not imported: %(comments)s.") % {"comments": count["comments"]})
        for what, number in sorted(self.not_imported.items()):
            lines.append(
                _("Not imported: %(what)s (%(number)s).") % {"what": what, "number": number}
            )
        if self.shortcodes:
            lines.append(
                _("Shortcodes left as text: %(names)s.")
                % {"names": ", ".join(f"[{n}] ×{c}" for n, c in sorted(self.shortcodes.items()))}
            )
        if self.unknown_meta:
            lines.append(
                _("Custom fields kept on the story but not used: %(keys)s.")
                % {"keys": ", ".join(f"{k} ×{c}" for k, c in sorted(self.unknown_meta.items()))}
            )
        lines += [
            _("Attachment missing: %(item)s: %(reason)s") % {"item": item, "reason": reason}
            for item, reason in self.attachments_missing
        ]
        lines += [
            _("Warning: %(item)s: %(message)s") % {"item": item, "message": message}
            for item, message, _kind in self.warnings
        ]
        lines += [
            _("FAILED: %(item)s: %(reason)s") % {"item": item, "reason": reason}
            for item, reason in self.failures
        ]
        return lines

    def as_dict(self) -> dict:
        """Everything in the report, for ``--report FILE.json``."""
        return {
            "dry_run": self.dry_run,
            "counts": dict(self.counts),
            "items": [
                {"type": post_type, "status": status, "outcome": outcome, "count": number}
                for (post_type, status, outcome), number in sorted(self.items.items())
            ],
            "shortcodes_left": dict(self.shortcodes),
            "not_imported": dict(self.not_imported),
            "unknown_meta": dict(self.unknown_meta),
            "attachments_missing": [
                {"item": item, "reason": reason} for item, reason in self.attachments_missing
            ],
            "warnings": [
                {"item": item, "message": message} for item, message, _kind in self.warnings
            ],
            "failures": [{"item": item, "reason": reason} for item, reason in self.failures],
        }
