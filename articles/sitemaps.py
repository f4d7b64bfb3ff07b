"""Sitemaps: an index of stories, sections, authors, tags and organizations, and Google News.

Addresses come from ``settings.SITE_URL`` (contrib's sitemaps would use the request's Host
header, since ``django.contrib.sites`` is not installed). A subject is listed only when its
page is worth indexing: enough published stories (``metadata.min_stories_to_index``).
"""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem, x_robots_tag
from django.db.models import F, Func, IntegerField, Max, OuterRef, Subquery
from django.db.models.functions import Greatest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from . import metadata
from .canonical import absolute_url
from .models import Article, Author, Category, Organization
from .querysets import story_lookup

NEWS_SITEMAP_HOURS = 48
# Google News reads at most 1,000 stories from one news sitemap.
NEWS_SITEMAP_MAX_ITEMS = 1000


class SiteUrlSitemap(Sitemap):
    """A sitemap whose addresses start with ``settings.SITE_URL``, whatever the request says."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        parts = urlsplit(settings.SITE_URL)
        return parts.netloc + parts.path.rstrip("/")


class ArticleSitemap(SiteUrlSitemap):
    """Every published story, with the time it last changed."""

    limit = 10_000
    fields = ["slug", "published_at", "created_at", "updated_at", "category__slug", "category_id"]

    def items(self):
        return (
            Article.objects.published().select_related("category").only(*self.fields).newest_first()
        )

    def lastmod(self, item):
        return max(item.updated_at, item.published_at)

    def get_latest_lastmod(self):
        return self.items().aggregate(latest=Max(Greatest("updated_at", "published_at")))["latest"]


def _published_stats(lookup: str):
    """How many published stories a subject has and when the latest of them last changed."""
    stories = Article.objects.published().filter(**{lookup: OuterRef("pk")}).order_by()
    # COUNT/MAX as plain functions (not aggregates) keep the subquery free of GROUP BY.
    count = stories.annotate(n=Func(F("pk"), function="COUNT")).values("n")
    changed = stories.annotate(
        last=Func(Greatest("updated_at", "published_at"), function="MAX")
    ).values("last")
    return {
        "story_count": Subquery(count, output_field=IntegerField()),
        "last_change": Subquery(changed),
    }


class SubjectSitemap(SiteUrlSitemap):
    """Sections, authors, tags or organizations with enough published stories to index."""

    model = None

    def items(self):
        return (
            self.model.objects.annotate(**_published_stats(story_lookup(self.model)))
            .filter(story_count__gte=metadata.min_stories_to_index())
            .order_by("pk")
        )

    def lastmod(self, item):
        return item.last_change

    def get_latest_lastmod(self):
        return max((item.last_change for item in self.items()), default=None)


class SectionSitemap(SubjectSitemap):
    model = Category


class AuthorSitemap(SubjectSitemap):
    model = Author


class TagSitemap(SubjectSitemap):
    model = Tag


class OrganizationSitemap(SubjectSitemap):
    model = Organization


class NewsSitemap(ArticleSitemap):
    """Stories published in the last 48 hours, for Google News."""

    limit = NEWS_SITEMAP_MAX_ITEMS
    fields = [*ArticleSitemap.fields, "headline"]

    def items(self):
        since = timezone.now() - timedelta(hours=NEWS_SITEMAP_HOURS)
        return super().items().filter(published_at__gte=since)

    def get_urls(self, *args, **kwargs):
        urls = super().get_urls(*args, **kwargs)
        for url in urls:
            url["publication_name"] = settings.SITE_NAME
            # The site's language, not the reader's: the stories are written in it.
            url["publication_language"] = settings.LANGUAGE_CODE
            url["publication_date"] = url["item"].published_at.isoformat(timespec="seconds")
        return urls


SITEMAPS = {
    "articulos": ArticleSitemap,
    "secciones": SectionSitemap,
    "autores": AuthorSitemap,
    "temas": TagSitemap,
    "organizaciones": OrganizationSitemap,
}


@x_robots_tag
def sitemap_index(request):
    """The sitemap index, with addresses on ``SITE_URL`` (contrib's index uses the Host header)."""
    entries = []
    for section, sitemap_class in SITEMAPS.items():
        sitemap = sitemap_class()
        location = absolute_url(reverse("articles:sitemap-section", kwargs={"section": section}))
        lastmod = sitemap.get_latest_lastmod()
        entries.append(SitemapIndexItem(location, lastmod))
        entries += [
            SitemapIndexItem(f"{location}?p={page}", lastmod)
            for page in range(2, sitemap.paginator.num_pages + 1)
        ]
    return TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml"
    )
