"""The media library: pictures and the renditions made from them."""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from ..links import validate_text_or_link

# The extensions an uploaded image may be stored under; anything else is dropped from the name.
IMAGE_EXTENSIONS = {".jpg", ".png", ".gif", ".webp"}


def image_upload_to(instance, filename):
    """A fresh random name for every stored original; the uploader's file name never decides it."""
    extension = Path(filename).suffix.lower()
    extension = extension if extension in IMAGE_EXTENSIONS else ""
    return f"images/originals/{uuid.uuid4().hex}{extension}"


class Image(models.Model):
    """A picture in the media library, reusable across stories. Store it with
    ``articles.images.store_uploaded_image`` so that it is checked and cleaned first."""

    file = models.ImageField(_("file"), upload_to=image_upload_to, max_length=255)
    alt = models.CharField(
        _("alt text"),
        max_length=500,
        blank=True,
        help_text=_(
            "What the picture shows, for readers who cannot see it. Required before a story "
            "using it is published."
        ),
    )
    caption = models.TextField(_("caption"), blank=True)
    credit = models.CharField(
        _("credit"), max_length=200, blank=True, help_text=_("Photographer or agency.")
    )
    source = models.CharField(
        _("source"),
        max_length=300,
        blank=True,
        help_text=_("Where the picture comes from (a web address, an archive, a press office)."),
        validators=[validate_text_or_link],
    )
    focal_x = models.FloatField(
        _("focal point (horizontal)"),
        default=0.5,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_("0 is the left edge, 1 the right edge. Crops keep this point in view."),
    )
    focal_y = models.FloatField(
        _("focal point (vertical)"),
        default=0.5,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_("0 is the top edge, 1 the bottom edge."),
    )
    width = models.PositiveIntegerField(_("width"), default=0, editable=False)
    height = models.PositiveIntegerField(_("height"), default=0, editable=False)
    original_filename = models.CharField(
        _("original file name"), max_length=200, blank=True, editable=False
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("image")
        verbose_name_plural = _("images")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(focal_x__gte=0, focal_x__lte=1, focal_y__gte=0, focal_y__lte=1),
                name="image_focal_point_inside",
            )
        ]

    def __str__(self):
        label = self.alt or self.caption or self.original_filename or _("untitled")
        return f"{self.pk}: {Truncator(label).chars(60)}" if self.pk else str(label)

    def get_absolute_url(self):
        return self.file.url


class Rendition(models.Model):
    """One resized or cropped copy of an image, made once and reused (``w640.webp``)."""

    image = models.ForeignKey(
        Image, on_delete=models.CASCADE, related_name="renditions", verbose_name=_("image")
    )
    spec = models.CharField(_("specification"), max_length=40)
    file = models.FileField(_("file"), upload_to="images/renditions/", max_length=255)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))

    class Meta:
        ordering = ["image", "width", "spec"]
        verbose_name = _("rendition")
        verbose_name_plural = _("renditions")
        constraints = [
            models.UniqueConstraint(fields=["image", "spec"], name="rendition_made_once"),
        ]

    def __str__(self):
        return f"{self.image_id}/{self.spec}"

    def get_absolute_url(self):
        return self.file.url

    @property
    def media_type(self):
        """The MIME type of the file, from its specification's extension."""
        extension = self.spec.rsplit(".", 1)[-1]
        return f"image/{'jpeg' if extension == 'jpg' else extension}"
