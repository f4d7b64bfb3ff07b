"""Curated fronts (the home page and each section's page) and the breaking-news banner."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from ..addresses import address
from .images import Image
from .stories import Article, Category

# Places an editor can fill on a front: the lead story and the four below it.
FRONT_PLACES = 5


class Front(models.Model):
    """The stories an editor places on the home page (no section) or on a section's page."""

    section = models.ForeignKey(
        Category,
        verbose_name=_("section"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="fronts",
        help_text=_("Leave empty for the home page."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = [models.F("section").asc(nulls_first=True)]
        verbose_name = _("front")
        verbose_name_plural = _("fronts")
        constraints = [
            # One front per page: NULL (the home page) counts as a value of its own.
            models.UniqueConstraint(
                Coalesce("section", models.Value(0)),
                name="one_front_per_page",
                violation_error_message=_("This page already has a front."),
            )
        ]

    def __str__(self):
        return str(self.section) if self.section_id else str(_("Home page"))

    def get_absolute_url(self):
        return self.section.get_absolute_url() if self.section_id else address("articles:home")


class FrontSlot(models.Model):
    """One place on a front held by a chosen story (position 1 is the lead)."""

    class Crop(models.TextChoices):
        WIDE = "wide", _("Whole picture")
        SQUARE = "square", _("Square, around the focal point")

    front = models.ForeignKey(
        Front, verbose_name=_("front"), on_delete=models.CASCADE, related_name="slots"
    )
    position = models.PositiveSmallIntegerField(
        _("position"),
        validators=[MinValueValidator(1), MaxValueValidator(FRONT_PLACES)],
        help_text=_("1 is the lead story, 2 to 5 the stories below it."),
    )
    article = models.ForeignKey(
        Article,
        verbose_name=_("story"),
        on_delete=models.CASCADE,
        related_name="front_slots",
        help_text=_("An unpublished story leaves its place to the newest stories."),
    )
    pinned_until = models.DateTimeField(
        _("pinned until"),
        null=True,
        blank=True,
        help_text=_("After this time the place is filled by the newest stories. Empty: no end."),
    )
    headline = models.CharField(
        _("headline on this front"),
        max_length=120,
        blank=True,
        help_text=_("A shorter headline for this front only. Empty: the story's headline."),
    )
    image = models.ForeignKey(
        Image,
        verbose_name=_("picture on this front"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Another picture for this front only. Empty: the story's lead image."),
    )
    crop = models.CharField(
        _("crop"), max_length=10, choices=Crop.choices, default=Crop.WIDE, blank=True
    )

    class Meta:
        ordering = ["front", "position"]
        verbose_name = _("place on the front")
        verbose_name_plural = _("places on the front")
        constraints = [
            models.UniqueConstraint(fields=["front", "position"], name="one_story_per_place"),
        ]

    def __str__(self):
        return f"{self.position}. {self.headline or self.article}"

    def get_absolute_url(self):
        return self.article.get_absolute_url()


class BreakingNews(models.Model):
    """A banner above every page pointing to one story, until switched off or expired."""

    article = models.ForeignKey(
        Article, verbose_name=_("story"), on_delete=models.CASCADE, related_name="+"
    )
    label = models.CharField(
        _("label"), max_length=40, blank=True, help_text=_("Empty: “Breaking news”.")
    )
    active = models.BooleanField(
        _("on"), default=True, help_text=_("Only one banner can be on at a time.")
    )
    expires_at = models.DateTimeField(
        _("expires at"),
        null=True,
        blank=True,
        help_text=_("The banner disappears at this time. Empty: until switched off."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("breaking news banner")
        verbose_name_plural = _("breaking news banners")
        constraints = [
            models.UniqueConstraint(
                fields=["active"],
                condition=models.Q(active=True),
                name="one_breaking_banner_on",
                violation_error_message=_("Another banner is on: switch it off first."),
            )
        ]

    def __str__(self):
        return f"{self.label or _('Breaking news')}: {self.article}"

    def get_absolute_url(self):
        return self.article.get_absolute_url()
