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
    # Pieces of HTML and XML that pages and feeds print for this story (a list's teaser, a feed
    # item, ...), by name, rendered once the change that wrote the row commits
    # (``story_fragments``), and the stamp of the templates and settings they were rendered
    # with (a pending token until then): a reader uses a piece only while that stamp is the
    # current one, and renders the story itself otherwise.
    fragments = models.JSONField(default=dict)
    # The small pieces lists print (teasers, a front's places, a rail's and a section block's
    # stories) and the cache tags under ``story_fragments.TAGS_KEY``, kept apart from the large
    # ones (the story page's blocks): PostgreSQL unpacks a whole JSON value to take one key
    # out of it, and a list takes one small piece of each of its stories.
    list_pieces = models.JSONField(default=dict)
    # The feed items (RSS, Atom: the body twice), apart from the story page's blocks: a feed
    # unpacked the story page with them, half of its time in the database.
    feed_pieces = models.JSONField(default=dict)
    rendered_with = models.CharField(max_length=64, blank=True, default="")

    # The columns above that keep pieces (``story_fragments`` says which keeps each piece).
    PIECE_COLUMNS = ("fragments", "list_pieces", "feed_pieces")

    class Meta:
        db_table = "articles_storypage"

    def __str__(self):
        return f"story page {self.article_id}"
