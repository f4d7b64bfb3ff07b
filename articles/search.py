"""Full-text search over published stories, and the index that makes it fast.

This is the one module that branches on the database vendor:

- PostgreSQL: ``Article.search_vector`` (GIN-indexed) holds each story's words stemmed twice,
  with the site language's configuration (``spanish``) and with an accent-stripping copy of it
  (``newsroom_es``, created by migration 0002). Queries are parsed the same two ways, so plurals
  and missing accents both match. Ranked with ``ts_rank``.
- SQLite: an FTS5 table (``ArticleSearchEntry``) with diacritics removed; each query word is cut
  to a rough Spanish stem and matched as a prefix. Ranked with bm25.

Either way only the newest ``MAX_RANKED_MATCHES`` matches are ranked, so a word found in most
of the archive costs what a rare one does (on SQLite "newest" is "most recently added").

``update_search_index`` is the only code that writes the index. The receivers at the bottom
call it after every write that changes what a story says (its row, byline, tags, organizations,
or a rename of any of those), whichever code path made the write; ``manage.py
rebuild_search_index`` refreshes everything after bulk loads that bypass ``save()``.
"""

import functools
import html
import re
import threading
import unicodedata
from contextlib import contextmanager
from datetime import date

import nh3
from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Lookup, OuterRef, Q, Subquery, TextField, Value
from django.db.models.functions import Concat
from django.db.models.signals import m2m_changed, post_delete, post_save
from taggit.models import Tag

from .models import (
    Article,
    ArticleSearchEntry,
    Author,
    Byline,
    Category,
    Organization,
    TaggedArticle,
)

MAX_QUERY_CHARS = 200
MAX_QUERY_TERMS = 12
SNIPPET_WORDS = 30
# A story's fields and their weight (A counts most); the same on both backends.
INDEXED_ARTICLE_FIELDS = {"headline", "dek", "summary", "body", "body_html", "category"}
_WORD = re.compile(r"\w+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Rough Spanish inflection, longest first: enough to meet singular and plural halfway.
_SPANISH_SUFFIXES = ("aciones", "iciones", "amente", "iones", "ación", "ición", "ión", "es", "s")
# Words too common to search for or to mark in a snippet (folded). PostgreSQL's Spanish
# configuration drops these from queries too, so both backends agree on what a query means.
_STOPWORDS_TEXT = """
    a al con como de del el en es esa ese esta este la las lo los mas no o para pero por que se
    sin sobre su sus un una unas unos y
"""
_STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
_POSTGRES_CONFIGS = {"es": ("spanish", "newsroom_es"), "en": ("english", "newsroom_en")}
_INDEX_CHUNK = 500
# How many matches a query ranks, newest first. Ranking reads each match's whole search vector,
# so a word found in most of a 100,000-story archive would cost about a second per request;
# the newest matches are what a news reader is after, and a rarer query is ranked in full.
MAX_RANKED_MATCHES = 500


def clean_query(raw: str | None) -> str:
    """The reader's query without control characters, squeezed and cut to a sane length."""
    text = _CONTROL.sub(" ", raw or "")
    return " ".join(text.split())[:MAX_QUERY_CHARS].strip()


def fold(word: str) -> str:
    """Lower-case a word and strip its accents ("Información" -> "informacion")."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def rough_stem(word: str) -> str:
    """A crude Spanish stem of a folded word: plural and final vowel removed, never below 4."""
    for suffix in map(fold, _SPANISH_SUFFIXES):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    if len(word) > 4 and word[-1] in "aeo":
        word = word[:-1]
    return word


def query_stems(query: str) -> list[str]:
    """The distinct rough stems of a query's words, in order, at most ``MAX_QUERY_TERMS``."""
    stems = []
    for word in _WORD.findall(query):
        folded = _folded_word(word)
        if folded in _STOPWORDS:
            continue
        stem = rough_stem(folded)
        if stem not in stems:
            stems.append(stem)
    return stems[:MAX_QUERY_TERMS]


def search_articles(
    query: str,
    *,
    section: Category | None = None,
    author: Author | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
):
    """Published stories matching ``query``, best match first, then newest first."""
    stories = Article.objects.published()
    if section is not None:
        stories = stories.filter(category=section)
    if author is not None:
        stories = stories.filter(pk__in=Byline.objects.filter(author=author).values("article"))
    if date_from is not None:
        stories = stories.filter(published_at__date__gte=date_from)
    if date_to is not None:
        stories = stories.filter(published_at__date__lte=date_to)
    query = clean_query(query)
    if not query_stems(query):
        return stories.none()
    if connection.vendor == "postgresql":
        search_query = _postgres_query(query)
        matches = stories.filter(search_vector=search_query)
        return (
            Article.objects.filter(pk__in=_newest(matches))
            .annotate(rank=SearchRank(F("search_vector"), search_query, normalization=Value(1)))
            .order_by("-rank", "-published_at", "-id")
        )
    expression = _fts5_expression(query)
    matches = stories.filter(search_entry__match=expression)
    oldest_ranked = _oldest_ranked_entry(expression)
    if oldest_ranked is not None:
        matches = matches.filter(search_entry__pk__gte=oldest_ranked)
    # bm25 scores are negative: the lowest is the best match.
    return matches.annotate(rank=F("search_entry__rank")).order_by("rank", "-published_at", "-id")


def words_match(query: str) -> Q:
    """The condition for stories (any state: drafts too) whose words match ``query``, by
    the same index and rules as ``search_articles``, unranked.

    For the editors' story list, which keeps the newest matches. A condition on the story
    itself, not a subquery of ids: PostgreSQL can then walk the newest stories and stop once
    it has enough for a common word, or read a rare word's few stories from the index."""
    query = clean_query(query)
    if not query_stems(query):
        return Q(pk__in=[])
    if connection.vendor == "postgresql":
        return Q(search_vector=_postgres_query(query))
    return Q(search_entry__match=_fts5_expression(query))


def _newest(matches):
    """The ids of the newest ``MAX_RANKED_MATCHES`` stories of ``matches``, as a subquery."""
    return matches.order_by("-published_at", "-id").values("pk")[:MAX_RANKED_MATCHES]


def _oldest_ranked_entry(expression: str) -> int | None:
    """SQLite: the id from which the ``MAX_RANKED_MATCHES`` newest index entries matching
    ``expression`` start, or None when fewer match.

    FTS5 reads its matches in id order and can stop after a few hundred, while joining every
    match to its story to sort by publication date reads them all (0.4 s for a common word at
    100,000 stories). So on SQLite "newest" means most recently added, which is the
    publication order for stories written here or imported in date order. The bound must be on
    the index's own rowid for FTS5 to use it.
    """
    entries = ArticleSearchEntry.objects.filter(match=expression).order_by("-pk")
    bound = entries.values_list("pk", flat=True)[MAX_RANKED_MATCHES - 1 : MAX_RANKED_MATCHES]
    return next(iter(bound), None)


def highlight(text: str, query: str, *, words: int = SNIPPET_WORDS) -> str:
    """A safe HTML snippet of ``text`` around the first match, matched words in ``<mark>``."""
    stems = tuple(query_stems(clean_query(query)))
    text = " ".join(unicodedata.normalize("NFC", text).split())
    found = list(_WORD.finditer(text))
    if not found:
        return html.escape(text)

    def matches(word) -> bool:
        return _folded_word(word.group()).startswith(stems)

    # Words are folded only up to the first match and inside the snippet.
    first = next((index for index, word in enumerate(found) if matches(word)), 0)
    start = max(0, first - words // 3)
    chosen = found[start : start + words]
    begin = chosen[0].start() if start > 0 else 0
    end = chosen[-1].end() if start + words < len(found) else len(text)
    # The text between two marked words is escaped in one piece (the standard library's
    # escape: Django's wraps it for lazy strings, a third of the time of sixty small calls).
    pieces, cursor = [], begin
    for word in filter(matches, chosen):
        marked = html.escape(word.group())
        pieces += [html.escape(text[cursor : word.start()]), f"<mark>{marked}</mark>"]
        cursor = word.end()
    pieces.append(html.escape(text[cursor:end]))
    return ("… " if begin > 0 else "") + "".join(pieces) + (" …" if end < len(text) else "")


# Snippets fold the same few thousand Spanish words over and over.
_folded_word = functools.lru_cache(maxsize=20_000)(fold)


def story_text(article: Article) -> str:
    """A story's body as plain text, for snippets and the SQLite index."""
    # nh3 with no tag allowed keeps only the text (escaped), at a quarter of the time of
    # Django's strip_tags, which parses the HTML in Python (0.05 ms against 0.19 ms a story).
    return html.unescape(nh3.clean(article.body_html, tags=set()))


class _Fts5Match(Lookup):
    """``column MATCH expression``, for FTS5's hidden table-named column."""

    lookup_name = "match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


ArticleSearchEntry._meta.get_field("match").register_lookup(_Fts5Match)


def _postgres_configs() -> tuple[str, str]:
    language = settings.LANGUAGE_CODE.split("-")[0]
    return _POSTGRES_CONFIGS.get(language, ("simple", "newsroom_simple"))


def _postgres_query(query: str) -> SearchQuery:
    stemmed, unaccented = _postgres_configs()
    # "websearch" accepts anything a reader types: quotes, "or", "-word", stray symbols.
    return SearchQuery(query, config=stemmed, search_type="websearch") | SearchQuery(
        query, config=unaccented, search_type="websearch"
    )


def _fts5_expression(query: str) -> str:
    # Every stem is quoted and made a prefix: no reader input is ever read as FTS5 syntax.
    return " ".join(f'"{stem}"*' for stem in query_stems(query))


def _names_subqueries():
    authors = (
        Byline.objects.filter(article=OuterRef("pk"))
        .values("article")
        .annotate(names=StringAgg("author__name", " "))
        .values("names")
    )
    tags = (
        TaggedArticle.objects.filter(content_object=OuterRef("pk"))
        .values("content_object")
        .annotate(names=StringAgg("tag__name", " "))
        .values("names")
    )
    organizations = (
        Article.organizations.through.objects.filter(article=OuterRef("pk"))
        .values("article")
        .annotate(
            names=StringAgg(
                Concat(
                    "organization__name",
                    Value(" "),
                    "organization__acronym",
                    output_field=TextField(),
                ),
                " ",
            )
        )
        .values("names")
    )
    section = Category.objects.filter(pk=OuterRef("category_id")).values("name")
    return [Subquery(authors), Subquery(tags), Subquery(organizations), Subquery(section)]


def _postgres_vector():
    fields = [
        ("headline", "A"),
        (Concat("dek", Value(" "), "summary", output_field=TextField()), "B"),
        # The default parser reads HTML tags as their own tokens, which no dictionary keeps.
        ("body_html", "C"),
    ]
    authors, tags, organizations, section = _names_subqueries()
    fields += [(organizations, "B"), (tags, "B"), (authors, "C"), (section, "C")]
    vector = None
    for config in _postgres_configs():
        for expression, weight in fields:
            part = SearchVector(expression, config=config, weight=weight)
            vector = part if vector is None else vector + part
    return vector


def _sqlite_rows(article_ids):
    stories = (
        Article.objects.filter(pk__in=article_ids)
        .select_related("category")
        .prefetch_related("bylines__author", "tags", "organizations")
    )
    for story in stories:
        names = [byline.author.name for byline in story.bylines.all()]
        names += [tag.name for tag in story.tags.all()]
        names += [f"{org.name} {org.acronym}" for org in story.organizations.all()]
        names += [story.category.name] if story.category_id else []
        yield (
            story.pk,
            story.headline,
            f"{story.dek} {story.summary}",
            story_text(story),
            " ".join(names),
        )


# Inside ``index_updates_deferred()``, the stories to re-index are collected here instead.
_deferred = threading.local()


@contextmanager
def index_updates_deferred():
    """Collect the stories a block changes and index each once when it ends (bulk imports).

    One story's import touches its row, byline, tags and organizations, and each write would
    otherwise re-index it; a batch of 200 posts becomes one UPDATE instead of over a thousand.
    """
    if getattr(_deferred, "article_ids", None) is not None:
        yield  # an enclosing block already collects
        return
    _deferred.article_ids = set()
    try:
        yield
    finally:
        # On an error the enclosing transaction rolls the writes back; nothing to index then.
        article_ids, _deferred.article_ids = _deferred.article_ids, None
    if article_ids:
        update_search_index(sorted(article_ids))


def update_search_index(article_ids) -> None:
    """Recompute the index entries of these stories (ids, or a queryset of ids)."""
    pending = getattr(_deferred, "article_ids", None)
    if pending is not None:
        pending.update(article_ids)
        return
    if connection.vendor == "postgresql":
        Article.objects.filter(pk__in=article_ids).update(search_vector=_postgres_vector())
        return
    if connection.vendor != "sqlite":
        return
    article_ids = list(article_ids)
    table = ArticleSearchEntry._meta.db_table
    with connection.cursor() as cursor:
        for start in range(0, len(article_ids), _INDEX_CHUNK):
            chunk = article_ids[start : start + _INDEX_CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {table} WHERE rowid IN ({marks})", chunk)
            cursor.executemany(
                f"INSERT INTO {table} (rowid, headline, summary, body, names) "
                "VALUES (%s, %s, %s, %s, %s)",
                list(_sqlite_rows(chunk)),
            )


def rebuild_search_index() -> int:
    """Recompute every story's index entry; returns how many stories were indexed."""
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {ArticleSearchEntry._meta.db_table}")
    for start in range(0, len(ids), _INDEX_CHUNK * 10):
        update_search_index(ids[start : start + _INDEX_CHUNK * 10])
    return len(ids)


def _article_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if update_fields is None or INDEXED_ARTICLE_FIELDS & set(update_fields):
        update_search_index([instance.pk])


def _article_deleted(sender, instance, **kwargs):
    update_search_index([instance.pk])


def _byline_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        update_search_index([instance.article_id])


def _links_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Tags or organizations added to or removed from stories (from either side)."""
    if action == "pre_clear" and reverse:
        # After the clear the links are gone; remember which stories to refresh.
        instance._search_stories_to_refresh = list(
            sender.objects.filter(**{_through_target(sender): instance}).values_list(
                _through_story(sender), flat=True
            )
        )
    if not action.startswith("post_"):
        return
    if not reverse:
        update_search_index([instance.pk])
    elif action == "post_clear":
        update_search_index(getattr(instance, "_search_stories_to_refresh", []))
    else:
        update_search_index(pk_set or [])


def _through_target(through) -> str:
    return "tag" if through is TaggedArticle else "organization"


def _through_story(through) -> str:
    return "content_object_id" if through is TaggedArticle else "article_id"


def _name_changed(sender, instance, raw=False, created=False, **kwargs):
    """A section, author, tag or organization saved: its stories' names may have changed."""
    if raw or created:
        return
    update_search_index(Article.objects.about(instance).values_list("pk", flat=True))


class SearchIndexRouter:
    """Keeps the derived SQLite index out of ``dumpdata``/``loaddata`` (rebuild it instead)."""

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label == "articles" and model_name == "articlesearchentry":
            return False
        return None


def connect_index_receivers() -> None:
    """Keep the index in step with every write (called once, from ``ArticlesConfig.ready``)."""
    post_save.connect(_article_saved, sender=Article, dispatch_uid="search_article_saved")
    post_delete.connect(_article_deleted, sender=Article, dispatch_uid="search_article_deleted")
    for signal in (post_save, post_delete):
        signal.connect(_byline_changed, sender=Byline, dispatch_uid=f"search_byline_{signal}")
    for through in (TaggedArticle, Article.organizations.through):
        m2m_changed.connect(_links_changed, sender=through, dispatch_uid=f"search_{through}")
    for model in (Category, Author, Organization, Tag):
        post_save.connect(_name_changed, sender=model, dispatch_uid=f"search_name_{model}")
