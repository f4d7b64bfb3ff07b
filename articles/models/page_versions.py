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
        # What moved after a number (``tag_mirror`` catching up, once a second per process)
        # reads only those rows, however many tags have ever changed.
        indexes = [models.Index(fields=["version"], name="pagetagversion_version_idx")]

    def __str__(self):
        return f"{self.tag} @ {self.version}"
