"""``manage.py import_jekyll SITE_DIR``: move a Jekyll blog into the newsroom (see docs/migration.md)."""

import json
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from articles.importers.jekyll import JekyllPostError
from articles.importers.jekyll_import import JekyllImporter
from articles.importers.progress import ProgressBar


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
        parser.add_argument(
            "--timezone",
            default="",
            help="The old site's time zone when its _config.yml names none "
            "(default: the newsroom's TIME_ZONE).",
        )
        parser.add_argument(
            "--report", type=Path, help="Also write the whole report to this JSON file."
        )

    def handle(self, *args, site_dir, dry_run, site_url, **options):
        folders = [site_dir / "_posts", site_dir / "_drafts", *site_dir.glob("*/_posts")]
        if not any(folder.is_dir() for folder in folders):
            raise CommandError(f"{site_dir} has no _posts or _drafts folder: is it a Jekyll site?")
        time_zone = options["timezone"]
        if time_zone:
            try:
                ZoneInfo(time_zone)
            except (ZoneInfoNotFoundError, ValueError) as error:
                raise CommandError(f"unknown time zone “{time_zone}”") from error
        try:
            importer = JekyllImporter(
                site_dir, dry_run=dry_run, site_url=site_url, time_zone=time_zone
            )
        except JekyllPostError as error:
            raise CommandError(str(error)) from error
        bar = ProgressBar(width=30) if options["verbosity"] > 0 else None
        report = importer.run(progress=bar)
        if bar:
            bar.close()
        # One language for the whole report: the one this command runs in.
        language = translation.get_language() or settings.LANGUAGE_CODE
        with translation.override(language):
            for line in report.lines(every=options["verbosity"] > 1):
                is_failure = line.startswith(("FAILED", "FALLÓ"))
                self.stdout.write(self.style.ERROR(line) if is_failure else line)
            if options["report"]:
                options["report"].write_text(
                    json.dumps(report.as_dict(), ensure_ascii=False, indent=2), encoding="utf-8"
                )
        if report.failures:
            raise CommandError(f"{len(report.failures)} post(s) could not be imported (see above).")
