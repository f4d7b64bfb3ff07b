"""Public pages. Every list starts from ``Article.objects.published()``; nothing else decides
what readers see."""

import functools
import json
from datetime import date

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Subquery
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.template import engines
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views import generic
from django.views.decorators.cache import never_cache
from markupsafe import Markup
from reversion.models import Version
from taggit.models import Tag

from . import (
    compiled_statements,
    front_pages,
    list_fragments,
    page_tags,
    previews,
    search,
    story_fragments,
    story_page_pieces,
)
from .canonical import absolute_url
from .context_processors import navigation_sections
from .forms import SearchFiltersForm
from .models import Article, Author, Category, Correction, Organization, PreviewLink
from .pagination import CappedPaginator, CountedInPagePaginator
from .prepared_statements import planned_once
from .publishing import can_preview
from .querysets import shows_subject_list
from .sharing import share_links

RELATED_STORIES = 4
# The story page's part the page cache may refresh alone (``page_tags.render_part``).
AROUND_STORY = "around-story"
AROUND_STORY_TEMPLATE = "articles/includes/around_story.html"


class PublishedArticlesMixin:
    """Lists of published stories, newest first, each printed from the teaser stored with
    it (``list_fragments``) or, where none is fresh, rendered from its row."""

    model = Article
    context_object_name = "articles"
    allow_empty = True
    paginator_class = CappedPaginator
    # The stored teaser the list prints.
    teaser_piece = list_fragments.TEASER

    def get_paginate_by(self, queryset):
        return settings.ARTICLES_PER_PAGE

    def get_queryset(self):
        return self.listed_stories()

    def listed_stories(self, *, at=None):
        """The stories the list carries, newest first (visible ``at`` that moment, now
        without one)."""
        return Article.objects.published(at=at).shown_in_lists().newest_first()

    def paginate_queryset(self, queryset, page_size):
        """The page's rows: each story's id, stored teaser and its cache tags, in one query."""
        return super().paginate_queryset(self.rows_to_page(queryset, page_size), page_size)

    def rows_to_page(self, queryset, page_size):
        """What the paginator reads a page's rows from."""
        return list_fragments.with_pieces(queryset, self.teaser_piece)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context["page_obj"]
        # The page keeps its rows: how many it read is what its pagination counts.
        context.update(self.arranged(list(page.object_list), page))
        return context

    def arranged(self, rows, page) -> dict:
        """What the page prints of its stories (``rows``: ``list_fragments.with_pieces``).
        The first teaser of a list's first page loads its picture at once: its own piece."""
        if not rows or page.number != 1:
            return {"articles": list_fragments.printed(rows)}
        first = rows[0][0]
        eager = list_fragments.stored_pieces([first], [list_fragments.EAGER_TEASER])
        printed = list_fragments.printed(rows, live=() if eager else [first])
        if eager and printed and printed[0].pk == first:
            piece = eager[first][list_fragments.EAGER_TEASER]
            printed[0] = list_fragments.StoredPiece(first, piece)
        return {"articles": printed}


class PlannedOncePagesMixin:
    """For lists whose best plan does not depend on what they list (the site's newest stories,
    a section's: each walks its own index newest first): a page's query is built and compiled
    once per process (``compiled_statements``, the moment and the section's id as slots) and
    run as a prepared statement; building and compiling it with the ORM cost as much as
    running it. Tags, authors and organizations are not: a rare one is best found from its own
    few stories."""

    def get_queryset(self):
        """The list's ORM query, built only if something asks more of it than its pages'
        rows (a count: ``?page=last``); building it was a tenth of an uncached home page."""
        return SimpleLazyObject(super().get_queryset)

    def get_template_names(self):
        # Django's list views would guess a name from the query's model, building it.
        return [self.template_name]

    def paginate_queryset(self, queryset, page_size):
        with planned_once():
            return super().paginate_queryset(queryset, page_size)

    def rows_to_page(self, queryset, page_size):
        rows = super().rows_to_page
        return PlannedRows(
            SimpleLazyObject(lambda: rows(queryset, page_size)), self._planned_reader()
        )

    def _planned_reader(self):
        """Rows ``start`` to ``stop`` of this list, by the statement compiled for them."""
        subject = getattr(self, "subject", None)
        values = {"now": timezone.now()}
        if subject is not None:
            values["subject"] = subject.pk
            shows_subject_list(subject)  # what the ORM query records as it is built
        using = Article.objects.all().db
        stamp = story_fragments.stamp_to_read()

        def read(start, stop):
            statement = _planned_page(type(self), start, stop, stamp, using)
            return [
                (pk, piece, json.loads(tags) if isinstance(tags, str) else tags)
                for pk, piece, tags in compiled_statements.run(statement, values)
            ]

        return read


@functools.lru_cache(maxsize=256)
def _planned_page(view_class, start: int, stop: int, stamp: str | None, using: str):
    """Rows ``start`` to ``stop`` of a ``PlannedOncePagesMixin`` list, compiled."""
    moment, stand_in_id = compiled_statements.STAND_IN_MOMENT, compiled_statements.STAND_IN_ID
    stand_ins = {"now": moment}
    model = getattr(view_class, "subject_model", None)
    if model is not None:
        stand_ins["subject"] = stand_in_id

    def build():
        view = view_class()
        if model is not None:
            view.subject = model(pk=stand_in_id)
        stories = view.listed_stories(at=moment).using(using)
        return list_fragments.with_pieces(stories, view_class.teaser_piece)[start:stop]

    return compiled_statements.compile_built(build, stand_ins)


class PlannedRows:
    """A list's rows as a paginator reads them: a slice is read by ``read(start, stop)`` (a
    compiled statement) when iterated, and counted by the query it stands for."""

    def __init__(self, queryset, read):
        self.queryset, self.read = queryset, read

    def __getitem__(self, bounds: slice):
        return _PlannedSlice(self, bounds)

    def count(self) -> int:
        return self.queryset.count()


class _PlannedSlice:
    def __init__(self, rows: PlannedRows, bounds: slice):
        self.rows, self.bounds = rows, bounds

    def __iter__(self):
        return iter(self.rows.read(self.bounds.start or 0, self.bounds.stop))

    def count(self) -> int:
        return self.rows.queryset[self.bounds].count()


class FrontMixin:
    """The first page of a list arranged as a front: the lead and secondary stories (chosen by
    editors, filled up by the newest), then the rest of the page's stories as a list."""

    front_section = None
    # The stored teasers of the places the newest stories fill: the lead's, the others'.
    place_pieces = (list_fragments.FRONT_LEAD, list_fragments.FRONT_SECONDARY)

    def arranged(self, rows, page) -> dict:
        if page.number != 1:
            return super().arranged(rows, page)
        ids = [row[0] for row in rows]
        places = front_pages.front_places(ids, section=self.front_section)
        latest = ids[: front_pages.LATEST_STORIES]
        # The places the newest stories fill and the rail print their stories' stored pieces;
        # a place an editor filled (a headline, a picture, a crop of their own) is rendered.
        newest = {place.story_id for place in places if place.slot is None}
        blocks = self.section_blocks_beside(places)
        pieces, block_pieces = list_fragments.stored_pieces_of(
            (newest | set(latest), [*self.place_pieces, list_fragments.RAIL_STORY]),
            (
                [pk for _section, ids in blocks for pk in ids],
                [list_fragments.SECTION_BLOCK_STORY],
            ),
        )
        live = {
            place.story_id
            for place in places
            if place.story is None and (place.slot is not None or place.story_id not in pieces)
        }
        live.update(pk for pk in latest if pk not in pieces)
        printed = list_fragments.printed(rows, live=live)
        stories = {item.pk: item for item in printed}
        front = []
        for place in places:
            if place.slot is None and place.story_id in pieces:
                piece = pieces[place.story_id][self.place_pieces[min(len(front), 1)]]
                front.append(list_fragments.StoredPiece(place.story_id, piece))
            elif place.story_id in stories or place.story is not None:
                front.append(front_pages.teaser(place, place.story or stories[place.story_id]))
        rail = [
            list_fragments.StoredPiece(pk, pieces[pk][list_fragments.RAIL_STORY])
            if pk in pieces
            else stories[pk]
            for pk in latest
            if pk in pieces or pk in stories
        ]
        shown = {place.story_id for place in places}
        arranged = {
            "front_places": front,
            "latest_articles": rail,
            "articles": [item for item in printed if item.pk not in shown],
        }
        if blocks:
            arranged["section_blocks"] = front_pages.printed_section_blocks(blocks, block_pieces)
        return arranged

    def section_blocks_beside(self, places) -> list:
        """The stories of the sections' blocks the front prints below its places
        (``front_pages.section_block_choice``), their pieces read with the places': none
        here."""
        return []


class HomeView(FrontMixin, PlannedOncePagesMixin, PublishedArticlesMixin, generic.ListView):
    template_name = "articles/home.html"

    def section_blocks_beside(self, places) -> list:
        return front_pages.section_block_choice(
            navigation_sections(), leave_out=[place.story_id for place in places]
        )


class SubjectArticlesView(PublishedArticlesMixin, generic.ListView):
    """Stories about one subject (a section, tag, author or organization), subject first."""

    subject_model = None
    subject_context_name = "subject"

    def get_subject_queryset(self):
        return self.subject_model.objects.all()

    def get_subject(self):
        return get_object_or_404(self.get_subject_queryset(), slug=self.kwargs["slug"])

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.subject = self.get_subject()

    def listed_stories(self, *, at=None):
        return super().listed_stories(at=at).about_for_listing(self.subject)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["subject"] = context[self.subject_context_name] = self.subject
        return context


class SectionView(FrontMixin, PlannedOncePagesMixin, SubjectArticlesView):
    subject_model = Category
    subject_context_name = "section"
    template_name = "articles/section_detail.html"
    teaser_piece = list_fragments.SECTION_TEASER
    place_pieces = (list_fragments.SECTION_FRONT_LEAD, list_fragments.SECTION_FRONT_SECONDARY)

    @property
    def front_section(self):
        return self.subject


class TagView(SubjectArticlesView):
    subject_model = Tag
    subject_context_name = "tag"
    template_name = "articles/tag_detail.html"


class AuthorView(SubjectArticlesView):
    subject_model = Author
    subject_context_name = "author"
    template_name = "articles/author_detail.html"


class OrganizationView(SubjectArticlesView):
    subject_model = Organization
    subject_context_name = "organization"
    template_name = "articles/organization_detail.html"


class OrganizationListView(generic.ListView):
    """Every organization the newsroom covers, A to Z."""

    model = Organization
    context_object_name = "organizations"
    template_name = "articles/organization_list.html"
    paginate_by = 100


class ArticleDetailView(generic.DetailView):
    context_object_name = "article"
    template_name = "articles/article_detail.html"

    def get_object(self, queryset=None):
        """The story from its read model (``story_page_pieces``): an outline of it with the
        blocks of its page stored with its row, or, from a row without current ones, the
        whole story."""
        found = story_page_pieces.story_for_page(self.kwargs["slug"])
        if found is None:
            raise Http404
        self.stored, self.outline = found.stored, found.outline
        return found.article

    def get(self, request, *args, **kwargs):
        try:
            self.object = self.get_object()
        except Http404:
            if Article.objects.withdrawn().filter(slug=kwargs["slug"]).exists():
                return render(request, "410.html", status=410)
            raise
        canonical = self.object.get_absolute_url()
        # The slug finds the story; any other part of the address that is out of date (a
        # section renamed, a date corrected) sends the reader to the current address.
        if request.path != canonical:
            query = request.META.get("QUERY_STRING")
            return HttpResponsePermanentRedirect(f"{canonical}?{query}" if query else canonical)
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.stored:
            context["stored"] = self.stored
            # A part the page cache may render again alone, from the outline, when only what
            # it shows changed (a publication in the section): the story's blocks stay stored.
            context["around"] = Markup(page_tags.render_part(AROUND_STORY, self.outline))
        else:
            # Stored pieces print the share links already.
            context["share_links"] = share_links(self.object)
            context["around"] = around_story_html(self.object)
        return context


def around_story_html(story) -> Markup:
    """What the story page prints around ``story`` (``around_the_story``'s lists)."""
    context = {"article": story, **around_the_story(story)}
    return Markup(engines["jinja2"].env.get_template(AROUND_STORY_TEMPLATE).render(context))


def around_stored_story(outline: dict) -> str:
    """The same from a story's outline (``story_page_pieces``): the part ``AROUND_STORY``."""
    return around_story_html(story_page_pieces.story_from_outline(outline))


def around_the_story(story) -> dict:
    """What the story page shows around a story: related stories and "More from" its
    section, each as its stored list item or with its picture to render one."""
    # Chosen among the newest stories kept until a change readers see: no query, whatever
    # the story; then their items from their read-model rows: one query for both lists, none
    # for stories some page listed since that change.
    related = Article.objects.related_candidates(story, limit=RELATED_STORIES)
    more = Article.objects.newest_in_section_candidates(
        story, limit=RELATED_STORIES, leave_out=[other.id for other in related]
    )
    related, more = story_page_pieces.listed_items(related, more)
    return {"related_articles": related, "more_in_section": more}


class ArchiveMixin(PublishedArticlesMixin):
    date_field = "published_at"
    allow_future = False
    make_object_list = True
    month_format = "%m"

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        """Every year (or month) from the oldest story in range to the newest: two index
        lookups instead of reading every story's date; a gap shows as an empty page."""
        date_type = date_type or self.get_date_list_period()
        if date_type not in ("year", "month"):
            return super().get_date_list(queryset, date_type, ordering)
        dates = queryset.order_by(self.date_field).values(self.date_field)
        # Both lookups as subqueries of one statement (any one row carries them; unordered, or
        # the database would sort every story to pick that row).
        bounds = (
            queryset.model.objects.annotate(
                first=Subquery(dates[:1]), last=Subquery(dates.reverse()[:1])
            )
            .values_list("first", "last")
            .order_by()[:1]
        )
        first, last = next(iter(bounds), (None, None))
        if first is None:
            return []
        first, last = timezone.localtime(first).date(), timezone.localtime(last).date()
        if date_type == "year":
            periods = [date(year, 1, 1) for year in range(first.year, last.year + 1)]
        else:
            months = range(first.year * 12 + first.month - 1, last.year * 12 + last.month)
            periods = [date(month // 12, month % 12 + 1, 1) for month in months]
        return periods[::-1] if ordering == "DESC" else periods


class ArchiveIndexView(ArchiveMixin, generic.ArchiveIndexView):
    template_name = "articles/archive.html"
    date_list_period = "year"


class YearArchiveView(ArchiveMixin, generic.YearArchiveView):
    template_name = "articles/archive_year.html"


class MonthArchiveView(ArchiveMixin, generic.MonthArchiveView):
    template_name = "articles/archive_month.html"


def search_view(request):
    """Search results for ``?q=`` with optional section, author and date filters."""
    query = search.clean_query(request.GET.get("q"))
    form = SearchFiltersForm(request.GET)
    form.is_valid()
    results = search.search_articles(query, **form.filters()).for_search_results()
    paginator = CountedInPagePaginator(results, settings.ARTICLES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    for article in page:
        article.snippet = search.highlight(search.story_text(article), query)
    context = {
        "search_query": query,
        "form": form,
        "ignored_filters": form.ignored(),
        "authors": Author.objects.only("name", "slug"),
        "articles": page.object_list,
        "page_obj": page,
        "paginator": page.paginator,
        "is_paginated": page.has_other_pages(),
        "results_capped": page.paginator.count >= search.MAX_RANKED_MATCHES,
        "noindex": True,
    }
    response = render(request, "articles/search.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


def robots_txt(request):
    """Crawlers: stay out of the admin and the search results; here are the sitemaps."""
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('admin:index')}",
        f"Disallow: {reverse('articles:search')}",
        "",
        f"Sitemap: {absolute_url(reverse('articles:sitemap'))}",
        f"Sitemap: {absolute_url(reverse('articles:sitemap-news'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


class CorrectionListView(generic.ListView):
    """Every correction, update and clarification on stories readers can see, newest first."""

    context_object_name = "corrections"
    template_name = "articles/correction_list.html"
    paginate_by = 50

    def get_queryset(self):
        return Correction.objects.public()


def render_preview(request, article, *, status=200):
    """The public story page for a story readers cannot see yet, marked so search engines skip it."""
    response = render(
        request,
        "articles/article_preview.html",
        {"article": article, "object": article, "preview": True},
        status=status,
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
def article_preview(request, pk):
    """An editor's or author's preview of a story, or of one of its revisions (``?version=``)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    article = get_object_or_404(Article.objects.for_detail(), pk=pk)
    if not can_preview(request.user, article):
        raise PermissionDenied
    version_id = request.GET.get("version", "")
    if version_id:
        if not version_id.isdigit():
            raise Http404
        version = get_object_or_404(
            Version.objects.get_for_object(article).select_related("revision"), pk=version_id
        )
        article = previews.article_at_version(article, version)
    return render_preview(request, article)


@never_cache
def shared_preview(request, token):
    """A preview link sent to someone outside; bad addresses and dead links reveal nothing."""
    try:
        article = previews.article_for_token(token)
    except PreviewLink.DoesNotExist:
        raise Http404(_("This preview does not exist.")) from None
    except previews.PreviewLinkGone:
        response = render(request, "410.html", {"preview_link": True}, status=410)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response
    return render_preview(request, article)
