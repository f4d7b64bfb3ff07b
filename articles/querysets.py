"""Querysets: the one place that decides what readers may see, and page-shaped reads."""

import time

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from taggit.models import Tag

from . import page_tags, tag_versions
from .page_relations import (
    FeedIterable,
    ListingIterable,
    StoryPageIterable,
    articles_models,
    loaded,
    time_from_database,
)
from .related_stories import RelatedWindow
from .rendering import domain_and_parents

# Columns no public page prints: the Markdown source (pages print its HTML), the search
# vector, the import metadata and the editors' to-dos. The first two are the largest columns.
NEVER_PRINTED = ("body", "search_vector", "import_metadata", "todos")
# A teaser prints no body either: its HTML is the largest column left (3.4 kB a story in the
# benchmark's newsroom, 70 kB a page of twenty that no list showed).
NOT_IN_TEASERS = (*NEVER_PRINTED, "body_html")
# A tag, author or organization on fewer stories than this is listed from its own links
# (``ArticleQuerySet.about_for_listing``).
FEW_STORIES = 1000
# When readers and machines are told a story last changed, in SQL (``Article.updated_for_readers``
# in Python): the editorial revision time, else the last save, never before publication.
UPDATED_FOR_READERS = Greatest(Coalesce("revised_at", "updated_at"), "published_at")
# The cache tag prefix of each kind of subject (``page_tags``), by its model's name.
SUBJECT_KIND = {
    "Category": "section",
    "Author": "author",
    "Tag": "tag",
    "Organization": "organization",
}


def story_lookup(subject_model) -> str:
    """How stories are filtered by a subject: a section, an author, a tag or an organization."""
    Author, Category, Organization = articles_models("Author", "Category", "Organization")
    return {
        Category: "category",
        Author: "bylines__author",
        Tag: "tagged_items__tag",
        Organization: "organizations",
    }[subject_model]


def link_table(subject_model) -> tuple:
    """Where stories meet a kind of subject: the linking model, its field naming the subject
    and its column naming the story (a story is linked to a subject at most once)."""
    Article, Author, Byline, Category, Organization, TaggedArticle = articles_models(
        "Article", "Author", "Byline", "Category", "Organization", "TaggedArticle"
    )
    return {
        Category: (Article, "category", "id"),
        Tag: (TaggedArticle, "tag", "content_object_id"),
        Author: (Byline, "author", "article_id"),
        Organization: (Article.organizations.through, "organization", "article_id"),
    }[subject_model]


def story_links(subject) -> tuple:
    """The rows linking stories to this tag, author or organization, and their story column."""
    link_model, subject_field, story_column = link_table(type(subject))
    return link_model.objects.filter(**{subject_field: subject}), story_column


class ArticleQuerySet(models.QuerySet):
    def published(self, *, at=None):
        """Stories a reader may see: status published, publication time past, no embargo left."""
        now = at or timezone.now()
        return self.filter(
            Q(embargoed_until__isnull=True) | Q(embargoed_until__lte=now),
            status=self.model.Status.PUBLISHED,
            published_at__lte=now,
        )

    def shown_in_lists(self):
        """Stories that lists carry (home, sections, subjects, archive, feeds): all but those
        kept out by hand (``listed``, Jekyll's ``hidden: true``), which still answer at their
        address. Used after ``published()``, which decides whether readers may see them."""
        return self.filter(listed=True)

    def shown_in_sitemaps(self):
        """Stories the sitemaps name: all but those left out by hand (``in_sitemaps``,
        jekyll-sitemap's ``sitemap: false``)."""
        return self.filter(in_sitemaps=True)

    def next_publication_time(self, now):
        """When the next scheduled or embargoed story may become visible, a front's pinned
        place ends or the breaking-news banner expires (None if none is due).

        Never later than the real time (a story may wait for both), so a cache that expires
        then is always safe; one query on the two ``status`` indexes (and the fronts' few
        rows). It looks at every story, whatever this queryset is filtered on.
        """

        # Written as SQL because every page asks (for its Cache-Control) and the ORM took
        # twice as long to build this aggregate as the query took to run (0.85 -> 0.3 ms).
        connection = connections[self.db]
        quote = connection.ops.quote_name
        field = self.model._meta.get_field
        published_at = quote(field("published_at").column)
        embargoed_until = quote(field("embargoed_until").column)
        moment = field("published_at").get_db_prep_value(now, connection)
        # Fronts change by the clock too: a pinned place ends, the breaking-news banner
        # expires. Asked in the same statement, so pages pay no query more for them.
        FrontSlot, BreakingNews = articles_models("FrontSlot", "BreakingNews")
        slots, banners = FrontSlot._meta, BreakingNews._meta
        pinned_until = quote(slots.get_field("pinned_until").column)
        expires_at = quote(banners.get_field("expires_at").column)
        active = quote(banners.get_field("active").column)
        sql = f"""
            SELECT MIN(CASE WHEN {published_at} > %s THEN {published_at} END),
                MIN(CASE WHEN {embargoed_until} > %s THEN {embargoed_until} END),
                (SELECT MIN({pinned_until}) FROM {quote(slots.db_table)}
                    WHERE {pinned_until} > %s),
                (SELECT MIN({expires_at}) FROM {quote(banners.db_table)}
                    WHERE {active} = %s AND {expires_at} > %s)
            FROM {quote(self.model._meta.db_table)}
            WHERE {quote(field("status").column)} = %s
                AND ({published_at} > %s OR {embargoed_until} > %s)
        """
        parameters = [moment, moment, moment, True, moment, self.model.Status.PUBLISHED]
        with connection.cursor() as cursor:
            cursor.execute(sql, [*parameters, moment, moment])
            row = cursor.fetchone()
        times = [time_from_database(when, connection) for when in row if when is not None]
        return min(times, default=None)

    def withdrawn(self):
        """Stories readers could once see and no longer may: their address answers 410 Gone."""
        return self.filter(status=self.model.Status.UNPUBLISHED, published_at__isnull=False)

    def about(self, subject):
        """Stories in this section, signed by this author, tagged or naming this organization."""
        return self.filter(**{story_lookup(type(subject)): subject})

    def about_for_listing(self, subject):
        """``about(subject)`` for the pages and feeds of a subject's newest stories.

        PostgreSQL cannot tell a tag, author or organization on three stories from one on
        three thousand unless its statistics name it: it takes a rare one for the average one,
        walks the whole archive newest first looking for it, and a tag on one old story took
        300 ms at 100,000 stories. So the subject's links are read first, up to
        ``FEW_STORIES``: a subject with fewer is filtered by those story ids (as many lookups
        at most); one with more is common enough that walking the newest stories finds a
        page's worth soon. A section has an index of its own, newest first, and needs neither.
        """
        (Category,) = articles_models("Category")

        shows_subject_list(subject)
        if isinstance(subject, Category):
            return self.about(subject)
        links, story_column = story_links(subject)
        story_ids = list(links.values_list(story_column, flat=True)[:FEW_STORIES])
        if len(story_ids) < FEW_STORIES:
            return self.filter(pk__in=story_ids)
        return self.about(subject)

    def for_listing(self):
        """Everything a story teaser shows (section, byline, tags, lead image), fetched once:
        bylines and tags in one query for the whole page (``page_relations``). Leaves out the
        body and the columns no page prints (``defer(None)`` brings them back)."""

        return self._page_shaped(NOT_IN_TEASERS)._read_through(ListingIterable)

    def for_search_results(self):
        """``for_listing()`` with the body's HTML, which each result's snippet is cut from."""

        return self._page_shaped(NEVER_PRINTED)._read_through(ListingIterable)

    def for_detail(self):
        """Everything the story page shows: listing data, organizations, current corrections."""

        return self._page_shaped(NEVER_PRINTED)._read_through(StoryPageIterable)

    def for_feed(self):
        """The columns a feed entry is made of, the section, and bylines, tags and current
        corrections in one query for the whole feed (``page_relations``). Leaves out the
        Markdown, the search vector and the import metadata, which a feed never shows."""

        return (
            self.select_related("category")
            .only(
                "headline",
                "slug",
                "dek",
                "summary",
                "body_html",
                "status",
                "published_at",
                "updated_at",
                "revised_at",
                "created_at",
                "category__name",
                "category__slug",
            )
            ._read_through(FeedIterable)
        )

    def _page_shaped(self, left_out):
        return (
            self.select_related("category", "lead_image")
            .defer(*left_out)
            .prefetch_related("lead_image__renditions")
        )

    def _read_through(self, iterable_class):
        """This queryset evaluated through one of ``page_relations``' iterables, which attach
        the relations to the stories as they are read (``values()`` and the like still work:
        they replace the iterable)."""
        stories = self._chain()
        stories._iterable_class = iterable_class
        return stories

    def newest_first(self):
        """Most recently published first; the id breaks ties so pages never overlap."""
        return self.order_by("-published_at", "-id")

    def related_to(self, article, *, limit=4) -> list:
        """Published stories sharing organizations (3 points each), tags (2) or the section
        (1) with ``article``, among the newest ``related_stories.RELATED_WINDOW``; best score
        first, then newest. Each comes with its section and the columns a related-stories list
        prints (headline, address, date); any other column loads when read.

        Reads the article's organizations and tags from its prefetch (``for_detail()``). The
        newest stories, with their sections, tags and organizations, are the same for every
        story page until something readers see changes, so they are read once per content
        change readers can see (``tag_versions.remember``) and each page only scores them.
        """
        return self.from_window(self.related_candidates(article, limit=limit))

    def related_candidates(self, article, *, limit=4) -> list:
        """``related_to()``'s stories as the window holds them (``RelatedCandidate``), for a
        page that prints most of them from what is stored with each (no model instances)."""
        window = self._related_window()
        scored = window.scored_for(article, limit)
        best = [candidate for candidate, _score in scored]
        # A full list whose lowest score beats a shared section alone (1 point) cannot take a
        # new story that shares only the section: the page need not carry its section's tag.
        lowest = scored[-1][1] if len(scored) == limit else 0
        page_tags.shows(
            *page_tags.related_through(article, section=lowest < 2),
            *(page_tags.story(story.id) for story in best),
        )
        return best

    def newest_in_section_of(self, article, *, limit=4, leave_out=()) -> list:
        """The newest published stories of the article's section, other than the article and
        ``leave_out``, read like ``related_to()`` (among the same newest stories, no query)."""
        return self.from_window(
            self.newest_in_section_candidates(article, limit=limit, leave_out=leave_out)
        )

    def newest_in_section_candidates(self, article, *, limit=4, leave_out=()) -> list:
        """``newest_in_section_of()``'s stories as the window holds them (``RelatedCandidate``)."""
        if article.category_id is None:
            return []
        window = self._related_window()
        candidates = window.newest_in_section(article, limit, leave_out=leave_out)
        # A new story of the section enters this list the way it enters the related window.
        page_tags.shows(
            page_tags.related("section", article.category_id),
            *(page_tags.story(story.id) for story in candidates),
        )
        return candidates

    def _related_window(self):
        """The newest published stories with their subjects, kept until a change readers can
        see (and never past the next scheduled story, which may enter it)."""
        # Only the newest stories are scored: readers want recent related news, and asking
        # for "every story sharing a tag or an organization" read all of a common
        # organization's links (20,000 rows at 100,000 stories).
        return tag_versions.remember(
            f"related-window:{self.db}",
            [tag_versions.COUNTER],
            lambda: RelatedWindow.read(self.db),
            lifetime=lambda: seconds_until_next_publication(self.db),
        )

    def from_window(self, candidates) -> list:
        """Stories of the related window (``RelatedCandidate``) as model instances with their
        section."""
        Article, Category = articles_models("Article", "Category")
        stories = []
        for candidate in candidates:
            story = loaded(
                Article,
                self.db,
                id=candidate.id,
                headline=candidate.headline,
                slug=candidate.slug,
                published_at=candidate.published_at,
                category_id=candidate.category_id,
                lead_image_id=candidate.lead_image_id,
            )
            if candidate.category_id is not None:
                story.category = loaded(
                    Category,
                    self.db,
                    id=candidate.category_id,
                    name=candidate.section_name,
                    slug=candidate.section_slug,
                )
            stories.append(story)
        return stories


def shows_subject_list(subject) -> None:
    """The page being rendered lists a subject's newest stories (``about_for_listing``): it
    shows the subject and its list."""
    kind = SUBJECT_KIND[type(subject).__name__]
    page_tags.shows(
        page_tags.subject(kind, subject.pk), page_tags.subject_stories(kind, subject.pk)
    )


def seconds_until_next_publication(using: str = DEFAULT_DB_ALIAS) -> float | None:
    """Seconds until a scheduled or embargoed story becomes visible (None if none is due):
    no page, and no list every page shares, may be kept past it.

    Read once per process after each change (only a change can bring a new time forward),
    and again once the time it names has come.
    """
    (Article,) = articles_models("Article")

    name = f"next-publication:{using}"

    def read():
        upcoming = Article.objects.using(using).next_publication_time(timezone.now())
        return upcoming.timestamp() if upcoming else 0

    now = time.time()
    when = tag_versions.remember(name, [tag_versions.COUNTER], read)
    if when and when <= now:
        tag_versions.forget_remembered(name)
        when = tag_versions.remember(name, [tag_versions.COUNTER], read)
    return max(0.0, when - now) if when else None


class OrganizationQuerySet(models.QuerySet):
    def linked_from(self, hosts):
        """Organizations identified by any of these web hosts or their parent domains."""

        candidates = {domain for host in hosts for domain in domain_and_parents(host)}
        if not candidates:
            return self.none()
        return self.filter(domains__domain__in=candidates).distinct()


class CorrectionQuerySet(models.QuerySet):
    def public(self):
        """Corrections readers may see: those of published stories, newest first."""
        (Article,) = articles_models("Article")
        return (
            self.filter(article__in=Article.objects.published())
            .select_related("article__category")
            .order_by("-published_at", "-id")
        )
