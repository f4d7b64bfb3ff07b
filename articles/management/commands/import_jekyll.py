"""``manage.py import_jekyll SITE_DIR``: move a Jekyll blog into the newsroom (see docs/migration.md)."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.importers.jekyll import JekyllPostError
from articles.importers.jekyll_import import JekyllImporter


class Command(BaseCommand):
    help = (
        "Import a Jekyll site (_posts, _drafts, _config.yml, images). Safe to run again: "
        "unchanged posts are skipped and changed ones updated."
    )

    def add_arguments(self, parser):
        parser.add_argument("site_dir", type=Path, help="The Jekyll site's folder.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would happen without saving anything or copying files.",
        )
        parser.add_argument(
            "--site-url",
            default="",
            help="The old site's address, so absolute links to its images are copied too.",
        )

    def handle(self, *args, site_dir, dry_run, site_url, **options):
        if not (site_dir / "_posts").is_dir() and not (site_dir / "_drafts").is_dir():
            raise CommandError(f"{site_dir} has no _posts or _drafts folder: is it a Jekyll site?")
        try:
            importer = JekyllImporter(site_dir, dry_run=dry_run, site_url=site_url)
        except JekyllPostError as error:
            raise CommandError(str(error)) from error
        show_progress = sys.stderr.isatty() and options["verbosity"] > 0
        report = importer.run(progress=self.show_progress if show_progress else None)
        if show_progress:
            sys.stderr.write("\n")
        for line in report.lines():
            style = self.style.ERROR if line.startswith("FAILED") else None
            self.stdout.write(style(line) if style else line)
        if report.failures:
            raise CommandError(f"{len(report.failures)} post(s) could not be imported (see above).")

    def show_progress(self, done: int, total: int) -> None:
        """A one-line progress bar, redrawn in place on the terminal."""
        width = 30
        filled = width * done // max(total, 1)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        sys.stderr.flush()
