"""RSS 2.0 and Atom feeds for the site and for each section, tag, author and organization: the
channel written here, the stories' items mostly printed as stored (``feed_items``)."""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.http import http_date
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from taggit.models import Tag

from . import feed_items, feed_xml
from .addresses import address
from .canonical import absolute_url
from .feed_items import without_bidi_controls
from .models import Article, Author, Category, Organization


class ArticleFeed:
    """The site's latest stories as RSS 2.0 (``format = "atom"`` for Atom); subclasses narrow
    it to one subject. An instance is the view."""

    format = "rss"
    url_name = "feed-rss"
    # The stories are read by a statement compiled once per process and prepared
    # (``feed_items.newest_planned_items``): the site's newest are found the same way whatever
    # the moment, as a section's are whatever the section.
    plan_once = True

    def __call__(self, request, **kwargs):
        subject = self.get_object(request, **kwargs)
        atom = self.format == "atom"
        if self.plan_once:
            items, updated = feed_items.newest_planned_items(self, subject, atom=atom)
        else:
            items, updated = feed_items.newest_items(self.get_articles(subject), atom=atom)
        updated = updated or timezone.now()
        channel = feed_xml.Channel(
            title=self.title(subject),
            link=absolute_url(subject.get_absolute_url() if subject else "/"),
            feed_url=self.feed_url(subject),
            description=self.description(subject),
            language=get_language() or settings.LANGUAGE_CODE,
            updated=updated,
        )
        if self.format == "atom":
            response = HttpResponse(
                feed_xml.atom(channel, items), content_type=feed_xml.ATOM_CONTENT_TYPE
            )
        else:
            response = HttpResponse(
                feed_xml.rss(channel, items), content_type=feed_xml.RSS_CONTENT_TYPE
            )
        response.headers["Last-Modified"] = http_date(updated.timestamp())
        return response

    def get_object(self, request, **kwargs):
        """The subject the feed follows (None for the whole site)."""
        return None

    def get_articles(self, subject, *, at=None):
        """Published stories this feed carries, before the item limit (visible ``at`` that
        moment, now without one)."""
        return Article.objects.published(at=at).shown_in_lists()

    def title(self, subject):
        name = settings.SITE_NAME
        return f"{name}: {without_bidi_controls(str(subject))}" if subject else name

    def feed_url(self, subject):
        kwargs = {"slug": subject.slug} if subject else {}
        return absolute_url(address(f"articles:{self.url_name}", **kwargs))

    def description(self, subject):
        if subject:
            return _("The latest stories: %(subject)s.") % {
                "subject": without_bidi_controls(str(subject))
            }
        return _("The latest stories.")


class SubjectFeed(ArticleFeed):
    subject_model = None
    # A rare tag, author or organization is best found from its own few stories.
    plan_once = False

    def get_object(self, request, slug):
        return get_object_or_404(self.subject_model, slug=slug)

    def get_articles(self, subject, *, at=None):
        return super().get_articles(subject, at=at).about_for_listing(subject)


class LatestRssFeed(ArticleFeed):
    """Every published story, newest first, as RSS 2.0."""


class LatestAtomFeed(ArticleFeed):
    format = "atom"
    url_name = "feed-atom"


class SectionRssFeed(SubjectFeed):
    subject_model = Category
    url_name = "section-feed-rss"
    plan_once = True


class SectionAtomFeed(SectionRssFeed):
    format = "atom"
    url_name = "section-feed-atom"


class TagRssFeed(SubjectFeed):
    subject_model = Tag
    url_name = "tag-feed-rss"


class TagAtomFeed(TagRssFeed):
    format = "atom"
    url_name = "tag-feed-atom"


class AuthorRssFeed(SubjectFeed):
    subject_model = Author
    url_name = "author-feed-rss"


class AuthorAtomFeed(AuthorRssFeed):
    format = "atom"
    url_name = "author-feed-atom"


class OrganizationRssFeed(SubjectFeed):
    subject_model = Organization
    url_name = "organization-feed-rss"


class OrganizationAtomFeed(OrganizationRssFeed):
    format = "atom"
    url_name = "organization-feed-atom"
