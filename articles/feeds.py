"""RSS 2.0 and Atom feeds for the site and for each section, tag, author and organization."""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import linebreaksbr
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import http_date
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from taggit.models import Tag

from . import feed_xml
from .addresses import address
from .canonical import absolute_url, absolutize_links
from .models import Article, Author, Category, Organization

# Bidi embeddings, overrides and isolates, and the direction marks (Unicode's list of
# "bidi controls"). Zero-width joiners stay: emoji and several scripts need them.
BIDI_CONTROLS = dict.fromkeys(
    map(ord, "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)


def without_bidi_controls(text: str) -> str:
    """``text`` without the invisible characters that turn the direction of what follows.

    In a feed reader a title sits in a line with other text, and an unclosed right-to-left
    override (U+202E) would reverse that too. Pages keep the headline as written: there it is
    its own block, which ends the override.
    """
    return text.translate(BIDI_CONTROLS)


def story_guid(article) -> str:
    """A tag URI for the story: it does not change when the slug or section does, so readers
    never see a corrected story twice."""
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return f"tag:{host},{article.created_at:%Y-%m-%d}:story-{article.pk}"


def corrections_html(corrections: list) -> str:
    """A story's current corrections as the story page shows them, for the top of a feed item:
    a reader who only follows the feed must learn what was corrected, and when."""
    if not corrections:
        return ""
    items = format_html_join(
        "",
        "<li><strong>{}</strong> ({}): {}</li>",
        (
            (
                correction.get_kind_display(),
                date_format(timezone.localtime(correction.published_at), "DATETIME_FORMAT"),
                linebreaksbr(correction.text, autoescape=True),
            )
            for correction in corrections
        ),
    )
    return format_html(
        "<aside><p><strong>{}</strong></p><ul>{}</ul></aside>",
        _("Corrections and updates"),
        items,
    )


def feed_entries(stories: list, *, author_pages: bool) -> list[feed_xml.Entry]:
    """Feed entries for ``stories`` (from ``for_feed()``, which read their bylines, tags and
    corrections): a corrected story's item starts with its corrections and is dated by the
    newest of its edit, its publication and its corrections.
    Authors' page addresses only with ``author_pages`` (Atom has a place for them, RSS does
    not)."""
    return [
        feed_xml.Entry(
            title=without_bidi_controls(story.headline),
            link=absolute_url(story.get_absolute_url()),
            guid=story_guid(story),
            summary=story.dek or story.summary,
            content_html=corrections_html(story.current_corrections)
            + absolutize_links(story.body_html),
            published=story.published_at,
            updated=max(
                [story.updated_for_readers]
                + [correction.published_at for correction in story.current_corrections]
            ),
            authors=[
                (
                    byline.author.name,
                    absolute_url(byline.author.get_absolute_url()) if author_pages else "",
                )
                for byline in story.ordered_bylines
            ],
            categories=([story.category.name] if story.category_id else [])
            + [tag.name for tag in story.tag_list],
        )
        for story in stories
    ]


class ArticleFeed:
    """The site's latest stories as RSS 2.0 (``format = "atom"`` for Atom); subclasses narrow
    it to one subject. An instance is the view."""

    format = "rss"
    url_name = "feed-rss"

    def __call__(self, request, **kwargs):
        subject = self.get_object(request, **kwargs)
        stories = list(self.get_articles(subject).newest_first()[: settings.FEED_ITEMS])
        entries = feed_entries(stories, author_pages=self.format == "atom")
        updated = max((entry.updated for entry in entries), default=None) or timezone.now()
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
                feed_xml.atom(channel, entries), content_type=feed_xml.ATOM_CONTENT_TYPE
            )
        else:
            response = HttpResponse(
                feed_xml.rss(channel, entries), content_type=feed_xml.RSS_CONTENT_TYPE
            )
        response.headers["Last-Modified"] = http_date(updated.timestamp())
        return response

    def get_object(self, request, **kwargs):
        """The subject the feed follows (None for the whole site)."""
        return None

    def get_articles(self, subject):
        """Published stories this feed carries, before the item limit."""
        return Article.objects.published().shown_in_lists().for_feed()

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

    def get_object(self, request, slug):
        return get_object_or_404(self.subject_model, slug=slug)

    def get_articles(self, subject):
        return super().get_articles(subject).about_for_listing(subject)


class LatestRssFeed(ArticleFeed):
    """Every published story, newest first, as RSS 2.0."""


class LatestAtomFeed(ArticleFeed):
    format = "atom"
    url_name = "feed-atom"


class SectionRssFeed(SubjectFeed):
    subject_model = Category
    url_name = "section-feed-rss"


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
