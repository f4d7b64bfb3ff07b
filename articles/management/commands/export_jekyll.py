"""``manage.py export_jekyll OUT_DIR``: every story as a Jekyll post, with its images."""

from pathlib import Path

from django.core.management.base import BaseCommand

from articles.importers.jekyll_export import export_site


class Command(BaseCommand):
    help = "Write every story as a Jekyll site (_posts, _drafts, assets, _config.yml)."

    def add_arguments(self, parser):
        parser.add_argument("out_dir", type=Path, help="Folder to write the site into.")

    def handle(self, *args, out_dir, **options):
        result = export_site(out_dir)
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported {result.stories} stories and {result.images} images to {out_dir}."
            )
        )
