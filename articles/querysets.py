"""Querysets: the one place that decides what readers may see, and page-shaped reads."""

from django.db import models
from django.db.models import Prefetch
from django.utils import timezone


class ArticleQuerySet(models.QuerySet):
    def published(self, *, at=None):
        """Stories a reader may see: status published and a publication time already past."""
        return self.filter(
            status=self.model.Status.PUBLISHED, published_at__lte=at or timezone.now()
        )

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
        """Everything the story page shows: the listing data plus the organizations named."""
        return self.for_listing().prefetch_related("organizations")

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
