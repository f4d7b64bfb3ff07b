"""SQLite's full-text index of stories (PostgreSQL keeps its index on the story row)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .stories import Article


class ArticleSearchEntry(models.Model):
    """A story's row in SQLite's full-text index (an FTS5 table that only SQLite has).

    ``search.py`` keeps it in step with the stories; ``match`` is FTS5's hidden column named
    after the table, which the ``MATCH`` operator takes, and ``rank`` is its bm25 score.
    """

    article = models.OneToOneField(
        Article,
        primary_key=True,
        db_column="rowid",
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="search_entry",
    )
    headline = models.TextField()
    summary = models.TextField()
    body = models.TextField()
    names = models.TextField()
    match = models.TextField(db_column="articles_article_fts")
    rank = models.FloatField(db_column="rank")

    class Meta:
        managed = False
        db_table = "articles_article_fts"
        verbose_name = _("search index entry")
        verbose_name_plural = _("search index entries")

    def __str__(self):
        return self.headline

    def get_absolute_url(self):
        return self.article.get_absolute_url()
