"""Querysets: the one place that decides what readers may see, and page-shaped reads."""

from django.db import models
from django.db.models import Prefetch, Q
from django.utils import timezone


class ArticleQuerySet(models.QuerySet):
    def published(self, *, at=None):
        """Stories a reader may see: status published, publication time past, no embargo left."""
        now = at or timezone.now()
        return self.filter(
            Q(embargoed_until__isnull=True) | Q(embargoed_until__lte=now),
            status=self.model.Status.PUBLISHED,
            published_at__lte=now,
        )

    def withdrawn(self):
        """Stories readers could once see and no longer may: their address answers 410 Gone."""
        return self.filter(status=self.model.Status.UNPUBLISHED, published_at__isnull=False)

    def for_listing(self):
        """Everything a story teaser shows (section, byline, tags, lead image), fetched once."""
        from .models import Byline

        return self.select_related("category", "lead_image").prefetch_related(
            Prefetch(
                "bylines", queryset=Byline.objects.select_related("author").order_by("position")
            ),
            "tags",
            "lead_image__renditions",
        )

    def for_detail(self):
        """Everything the story page shows: listing data, organizations, current corrections."""
        from .models import Correction

        return self.for_listing().prefetch_related(
            "organizations",
            Prefetch(
                "corrections",
                queryset=Correction.objects.filter(superseded_by__isnull=True).order_by(
                    "published_at", "id"
                ),
                to_attr="current_corrections",
            ),
        )

    def newest_first(self):
        """Most recently published first; the id breaks ties so pages never overlap."""
        return self.order_by("-published_at", "-id")


class OrganizationQuerySet(models.QuerySet):
    def linked_from(self, hosts):
        """Organizations identified by any of these web hosts or their parent domains."""
        from .rendering import domain_and_parents

        candidates = {domain for host in hosts for domain in domain_and_parents(host)}
        if not candidates:
            return self.none()
        return self.filter(domains__domain__in=candidates).distinct()


class CorrectionQuerySet(models.QuerySet):
    def public(self):
        """Corrections readers may see: those of published stories, newest first."""
        from .models import Article

        return (
            self.filter(article__in=Article.objects.published())
            .select_related("article__category")
            .order_by("-published_at", "-id")
        )
