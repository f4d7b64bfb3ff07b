"""The records the editorial workflow keeps around a story: its audit trail, corrections,
preview links, autosaved drafts and who has it open. Re-exported by ``articles.models``."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..querysets import CorrectionQuerySet


def article_status_choices():
    """A story's states, as ``Article.Status`` defines them (read lazily: no import cycle)."""
    from .stories import Article

    return Article.Status.choices


class ArticleTransition(models.Model):
    """One change of a story's state: who, when, from which state to which, and why."""

    article = models.ForeignKey(
        "articles.Article",
        on_delete=models.CASCADE,
        related_name="transitions",
        verbose_name=_("story"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    from_status = models.CharField(_("from"), max_length=20, choices=article_status_choices)
    to_status = models.CharField(_("to"), max_length=20, choices=article_status_choices)
    at = models.DateTimeField(_("when"), default=timezone.now)
    note = models.CharField(_("note"), max_length=500, blank=True)
    # The times a publication set, kept as they were then: the story's own change later.
    publish_at = models.DateTimeField(_("to appear at"), null=True, blank=True)
    embargoed_until = models.DateTimeField(_("embargoed until"), null=True, blank=True)
    override_reason = models.CharField(
        _("published anyway because"),
        max_length=500,
        blank=True,
        help_text=_("Why an editor published the story despite the problems it had."),
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("state change")
        verbose_name_plural = _("state changes")

    def __str__(self):
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"

    def get_absolute_url(self):
        return reverse("admin:articles_article_change", args=[self.article_id])


class Correction(models.Model):
    """A correction, update or clarification appended to a published story. Never deleted;
    a later one may supersede it."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correction")
        UPDATE = "update", _("Update")
        CLARIFICATION = "clarification", _("Clarification")

    article = models.ForeignKey(
        "articles.Article",
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name=_("story"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CORRECTION)
    text = models.TextField(_("text"), help_text=_("What was wrong and what is right now."))
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supersedes",
        verbose_name=_("superseded by"),
    )

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:60]}"

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#correccion-{self.pk}"

    def delete(self, *args, **kwargs):
        raise PermissionDenied(_("Corrections are never deleted; supersede them instead."))


class PreviewLink(models.Model):
    """A private link that shows a story's current draft to someone without a login."""

    article = models.ForeignKey(
        "articles.Article",
        on_delete=models.CASCADE,
        related_name="preview_links",
        verbose_name=_("story"),
    )
    token = models.CharField(_("token"), max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("preview link")
        verbose_name_plural = _("preview links")

    def __str__(self):
        return str(_("Preview of “%(story)s”") % {"story": self.article})

    def get_absolute_url(self):
        from ..previews import signed_token

        return reverse("articles:shared-preview", kwargs={"token": signed_token(self)})

    @property
    def is_usable(self):
        """True while the link is neither revoked nor expired."""
        return self.revoked_at is None and self.expires_at > timezone.now()


class ArticleAutosave(models.Model):
    """What someone was typing in a story's form, kept so a closed tab loses nothing."""

    article = models.ForeignKey(
        "articles.Article",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="autosaves",
        verbose_name=_("story"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    data = models.JSONField(_("form fields"), default=dict)
    saved_at = models.DateTimeField(_("saved at"), default=timezone.now)

    class Meta:
        ordering = ["-saved_at"]
        verbose_name = _("autosaved copy")
        verbose_name_plural = _("autosaved copies")
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="autosave_once_per_user"),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(article__isnull=True),
                name="autosave_once_per_user_new_story",
            ),
        ]

    def __str__(self):
        return str(_("Autosave by %(user)s") % {"user": self.user})

    def get_absolute_url(self):
        if self.article_id:
            return reverse("admin:articles_article_change", args=[self.article_id])
        return reverse("admin:articles_article_add")


class EditPresence(models.Model):
    """Someone has a story's form open; refreshed by a heartbeat while the page stays open."""

    article = models.ForeignKey(
        "articles.Article",
        on_delete=models.CASCADE,
        related_name="presences",
        verbose_name=_("story"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    last_seen = models.DateTimeField(_("last seen"), default=timezone.now)
    started_at = models.DateTimeField(_("editing since"), default=timezone.now)

    class Meta:
        ordering = ["-last_seen"]
        verbose_name = _("open editor")
        verbose_name_plural = _("open editors")
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="presence_once_per_user"),
        ]

    def __str__(self):
        return str(self.user)

    def get_absolute_url(self):
        return reverse("admin:articles_article_change", args=[self.article_id])
