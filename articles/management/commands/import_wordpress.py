"""``manage.py import_wordpress EXPORT.xml``: move a WordPress site in (see docs/migration.md)."""

import json
import sys
from argparse import BooleanOptionalAction
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import translation
from django.utils.translation import gettext as _

from articles.importers.progress import ProgressBar
from articles.importers.wordpress import WordPressImporter
from articles.importers.wordpress_xml import WxrError


class Command(BaseCommand):
    help = (
        "Import a WordPress export (WXR file from Tools → Export): posts, pages, attachments "
        "and every old address. Safe to run again: unchanged items are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("export", type=Path, help="The WordPress export file (.xml).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would happen; save nothing."
        )
        parser.add_argument(
            "--uploads",
            type=Path,
            help="A copy of the old site's wp-content/uploads folder to take attachments from.",
        )
        parser.add_argument(
            "--site-url",
            default="",
            help="The old site's address, when it differs from the file's.",
        )
        parser.add_argument(
            "--download",
            action="store_true",
            help="Download attachments missing from --uploads from the old site.",
        )
        parser.add_argument(
            "--progress",
            action=BooleanOptionalAction,
            default=None,
            help="Show a progress bar (on by default when the output is a terminal).",
        )
        parser.add_argument("--report", type=Path, help="Also write the report to this JSON file.")

    def handle(self, *args, export, dry_run, uploads, site_url, download, progress, **options):
        translation.activate(settings.LANGUAGE_CODE)
        if uploads is not None and not uploads.is_dir():
            raise CommandError(_("--uploads %(folder)s is not a folder.") % {"folder": uploads})
        if progress is None:
            progress = sys.stdout.isatty() and options["verbosity"] > 0
        bar = ProgressBar(enabled=progress)
        importer = WordPressImporter(
            export, uploads=uploads, site_url=site_url, download=download, dry_run=dry_run
        )
        try:
            report = importer.run(progress=bar if progress else None)
        except WxrError as error:
            raise CommandError(str(error)) from error
        except DatabaseError as error:
            raise CommandError(
                _("The database refused a write (%(error)s); the import was rolled back.")
                % {"error": error}
            ) from error
        bar.close()
        failed = _("FAILED: %(item)s: %(reason)s").split("%", 1)[0]
        for line in report.lines():
            style = self.style.ERROR if line.startswith(failed) else None
            self.stdout.write(style(line) if style else line)
        if options["report"]:
            options["report"].write_text(
                json.dumps(report.as_dict(), ensure_ascii=False, indent=1), encoding="utf-8"
            )
        if report.failures:
            raise CommandError(
                _("%(count)s item(s) could not be imported (see above).")
                % {"count": len(report.failures)}
            )
