"""The story page's read model: a row per published story holding what its page prints."""

from django.db import models

from .stories import Article


class StoryPage(models.Model):
    """Everything a published story's page prints about it, written when the story or
    anything it shows changes (``articles/story_pages.py``, the one writer and reader), so
    the page reads it in one query instead of five. Not an editor's table: drafts, scheduled
    stories' previews and the admin never read it."""

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    # The story's columns, its section, byline rows, tags, organizations and current
    # corrections (see ``story_pages``).
    story = models.JSONField()
    # The lead image with its renditions; also what other stories' pages show of this one
    # when they list it as related.
    lead_image = models.JSONField(null=True)
    # The stamp of the templates and settings its pieces (``StoryFragment``) were rendered
    # with when the row was written (``story_fragments``): a reader uses them only while it is
    # the current one, and renders the story itself otherwise; empty when it has none.
    rendered_with = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        db_table = "articles_storypage"

    def __str__(self):
        return f"story page {self.article_id}"


class StoryFragment(models.Model):
    """One piece of HTML or XML that pages and feeds print for a published story (a list's
    teaser, a feed's item, the story page's blocks), by name, rendered when its ``StoryPage``
    row was written and replaced with it. A row of its own per piece, not one JSON value per
    story: PostgreSQL unpacks a whole value to take one key out of it, and a list page takes
    one small piece of each of its stories."""

    page = models.ForeignKey(StoryPage, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=40)
    text = models.TextField()

    class Meta:
        db_table = "articles_storyfragment"
        constraints = [
            models.UniqueConstraint(fields=["page", "name"], name="storyfragment_page_name_uniq")
        ]

    def __str__(self):
        return f"{self.name} of story {self.page_id}"
