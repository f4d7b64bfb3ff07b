"""``manage.py write_story_pages``: write every published story's read-model row again, or
only render the pieces of rows left pending."""

from django.core.management.base import BaseCommand

from articles import story_fragments, story_pages


class Command(BaseCommand):
    help = (
        "Write every published story's page row again, with the pieces lists and feeds print "
        "(run after every deploy: rows rendered with other templates are not used)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--pending",
            action="store_true",
            help=(
                "Only render the pieces of rows still waiting for them: a process that stopped "
                "between a change's commit and its pieces leaves its stories rendered live."
            ),
        )

    def handle(self, *args, pending=False, **options):
        if pending:
            filled = story_fragments.render_every_pending()
            self.stdout.write(self.style.SUCCESS(f"Rendered the pieces of {filled} stories."))
            return
        written = story_pages.write_every_page()
        self.stdout.write(self.style.SUCCESS(f"Wrote the page rows of {written} stories."))
