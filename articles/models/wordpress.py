"""What a WordPress import made of each item of the export, so a second run finds it again."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from ..addresses import address
from .images import Image
from .stories import Article, Author, Category


class WordPressItem(models.Model):
    """One item of a WordPress site (a post, page, attachment, category, tag or author) and
    the record it became here. Re-imports match items by ``site`` and ``wordpress_id``; old
    ``?p=ID`` addresses and archive paths (``/category/a/b/``) are answered from these rows."""

    class Kind(models.TextChoices):
        POST = "post", _("Post")
        PAGE = "page", _("Page")
        ATTACHMENT = "attachment", _("Attachment")
        CATEGORY = "category", _("Category")
        TAG = "tag", _("Tag")
        AUTHOR = "author", _("Author")

    site = models.CharField(
        _("WordPress site"), max_length=200, help_text=_("The old site's address.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    wordpress_id = models.CharField(
        _("WordPress id"),
        max_length=200,
        help_text=_("The post's number, the category's or tag's slug, the author's login."),
    )
    path = models.CharField(
        _("old address"),
        max_length=500,
        blank=True,
        db_index=True,
        help_text=_("The archive's path on the old site, without a trailing slash."),
    )
    fingerprint = models.CharField(_("fingerprint"), max_length=64, blank=True)
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    author = models.ForeignKey(
        Author, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    image = models.ForeignKey(
        Image, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["site", "kind", "wordpress_id"]
        verbose_name = _("imported WordPress item")
        verbose_name_plural = _("imported WordPress items")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "kind", "wordpress_id"], name="wordpress_item_once"
            )
        ]
        indexes = [models.Index(fields=["kind", "wordpress_id"], name="wordpress_item_id_idx")]

    def __str__(self):
        return f"{self.site} {self.kind} {self.wordpress_id}"

    def get_absolute_url(self):
        """Where the item's old addresses lead now (None when it made nothing public)."""
        record = self.article or self.category or self.author
        if record is not None:
            return record.get_absolute_url()
        if self.tag is not None:
            return address("articles:tag", slug=self.tag.slug)
        return None
