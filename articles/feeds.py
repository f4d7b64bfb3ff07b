"""RSS 2.0 and Atom feeds for the site and for each section, tag, author and organization."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from .canonical import absolute_url, absolutize_links
from .models import Article, Author, Category, Organization

# Bidi embeddings, overrides and isolates, and the direction marks (Unicode's list of
# "bidi controls"). Zero-width joiners stay: emoji and several scripts need them.
BIDI_CONTROLS = dict.fromkeys(
    map(ord, "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)


class NewsRssFeed(Rss201rev2Feed):
    """RSS 2.0 with every author of a byline (``dc:creator``) and the full story
    (``content:encoded``)."""

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:dc": "http://purl.org/dc/elements/1.1/",
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name in item["byline_names"]:
            handler.addQuickElement("dc:creator", name)
        handler.addQuickElement("content:encoded", item["content_html"])


class NewsAtomFeed(Atom1Feed):
    """Atom with one ``<author>`` per byline entry, in order, and the full story as content."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, link in zip(item["byline_names"], item["byline_links"], strict=True):
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.addQuickElement("uri", link)
            handler.endElement("author")
        handler.addQuickElement("content", item["content_html"], {"type": "html"})


def without_bidi_controls(text: str) -> str:
    """``text`` without the invisible characters that turn the direction of what follows.

    In a feed reader a title sits in a line with other text, and an unclosed right-to-left
    override (U+202E) would reverse that too. Pages keep the headline as written: there it is
    its own block, which ends the override.
    """
    return text.translate(BIDI_CONTROLS)


class ArticleFeed(Feed):
    """The site's latest stories. Subclasses narrow it to one subject."""

    feed_type = NewsRssFeed
    url_name = "feed-rss"

    def title(self, obj=None):
        return (
            f"{settings.SITE_NAME}: {without_bidi_controls(str(obj))}"
            if obj
            else settings.SITE_NAME
        )

    def link(self, obj=None):
        return absolute_url(obj.get_absolute_url() if obj else "/")

    def feed_url(self, obj=None):
        kwargs = {"slug": obj.slug} if obj else {}
        return absolute_url(reverse(f"articles:{self.url_name}", kwargs=kwargs))

    def description(self, obj=None):
        if obj:
            return _("The latest stories: %(subject)s.") % {
                "subject": without_bidi_controls(str(obj))
            }
        return _("The latest stories.")

    def subtitle(self, obj=None):
        return self.description(obj)

    def get_articles(self, obj):
        """Published stories this feed carries, before the item limit."""
        return Article.objects.published().for_listing()

    def items(self, obj=None):
        return self.get_articles(obj).newest_first()[: settings.FEED_ITEMS]

    def item_title(self, item):
        return without_bidi_controls(item.headline)

    def item_description(self, item):
        return item.dek or item.summary

    def item_link(self, item):
        return absolute_url(item.get_absolute_url())

    def item_guid(self, item):
        # A tag URI does not change when the story's slug or section does, so readers never
        # see a corrected story twice.
        host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
        return f"tag:{host},{item.created_at:%Y-%m-%d}:story-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return max(item.updated_at, item.published_at)

    def item_categories(self, item):
        section = [item.category.name] if item.category_id else []
        return section + [tag.name for tag in item.tag_list]

    def item_extra_kwargs(self, item):
        bylines = item.ordered_bylines
        return {
            "byline_names": [byline.author.name for byline in bylines],
            "byline_links": [absolute_url(byline.author.get_absolute_url()) for byline in bylines],
            "content_html": absolutize_links(item.body_html),
        }


class SubjectFeed(ArticleFeed):
    subject_model = None

    def get_object(self, request, slug):
        return get_object_or_404(self.subject_model, slug=slug)

    def get_articles(self, obj):
        return super().get_articles(obj).about(obj)


class LatestRssFeed(ArticleFeed):
    """Every published story, newest first, as RSS 2.0."""


class LatestAtomFeed(ArticleFeed):
    feed_type = NewsAtomFeed
    url_name = "feed-atom"


class SectionRssFeed(SubjectFeed):
    subject_model = Category
    url_name = "section-feed-rss"


class SectionAtomFeed(SectionRssFeed):
    feed_type = NewsAtomFeed
    url_name = "section-feed-atom"


class TagRssFeed(SubjectFeed):
    subject_model = Tag
    url_name = "tag-feed-rss"


class TagAtomFeed(TagRssFeed):
    feed_type = NewsAtomFeed
    url_name = "tag-feed-atom"


class AuthorRssFeed(SubjectFeed):
    subject_model = Author
    url_name = "author-feed-rss"


class AuthorAtomFeed(AuthorRssFeed):
    feed_type = NewsAtomFeed
    url_name = "author-feed-atom"


class OrganizationRssFeed(SubjectFeed):
    subject_model = Organization
    url_name = "organization-feed-rss"


class OrganizationAtomFeed(OrganizationRssFeed):
    feed_type = NewsAtomFeed
    url_name = "organization-feed-atom"
