"""``manage.py write_story_pages``: write every published story's read-model row again."""

from django.core.management.base import BaseCommand

from articles import story_pages


class Command(BaseCommand):
    help = (
        "Write every published story's page row again, with the pieces lists and feeds print "
        "(run after every deploy: rows rendered with other templates are not used)."
    )

    def handle(self, *args, **options):
        written = story_pages.write_every_page()
        self.stdout.write(self.style.SUCCESS(f"Wrote the page rows of {written} stories."))
