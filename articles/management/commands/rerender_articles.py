"""``manage.py rerender_articles``: re-derive every story's HTML after the renderer changed."""

from django.core.management.base import BaseCommand

from articles import cache_tags, story_pages
from articles.models import Article


class Command(BaseCommand):
    help = (
        "Render every story's Markdown body again (after the renderer or its allow-list changed)."
    )

    def handle(self, *args, **options):
        changed = []
        for article in Article.objects.only("id", "body", "body_html").iterator(chunk_size=500):
            before = article.body_html
            article.render_body()
            if article.body_html != before:
                Article.objects.filter(pk=article.pk).update(
                    body_html=article.body_html,
                    word_count=article.word_count,
                    reading_time=article.reading_time,
                )
                changed.append(article.pk)
        if changed:
            # update() sends no signals: the page cache and the read model hear of it here.
            story_pages.write_pages(changed)
            cache_tags.everything_changed()
        self.stdout.write(
            self.style.SUCCESS(f"Re-rendered {len(changed)} stories whose HTML changed.")
        )
