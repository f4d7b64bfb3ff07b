"""The durable record of changes readers can see, by cache tag (``articles/tag_versions.py``)."""

from django.db import models


class PageTagVersion(models.Model):
    """The number of the last change to what a cache tag names (``story:12``, ``stories``).

    Written and read only by ``articles/tag_versions.py`` in plain SQL; the row of tag ``#``
    is the counter every change takes its number from.
    """

    tag = models.CharField(max_length=200, primary_key=True)
    version = models.BigIntegerField(default=0)

    class Meta:
        db_table = "articles_pagetagversion"

    def __str__(self):
        return f"{self.tag} @ {self.version}"
