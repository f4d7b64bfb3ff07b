"""Recompute every story's search index entry (after bulk loads or a change of language)."""

from django.core.management.base import BaseCommand

from articles.search import rebuild_search_index


class Command(BaseCommand):
    help = "Recompute the full-text search index of every story."

    def handle(self, *args, **options):
        count = rebuild_search_index()
        self.stdout.write(self.style.SUCCESS(f"Indexed {count} stories."))
