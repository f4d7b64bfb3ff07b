"""A WordPress site's old addresses answer 301 once it has been imported.

Post and page permalinks are ``ArticlePath`` rows, answered by ``ArticlePathRedirectMiddleware``
like any old address. This middleware adds what is WordPress's own: the query forms on the
home page (``/?p=12``, ``/?page_id=2``, ``/?tag=x``, ``/?author_name=x``, ``/?feed=rss2``), archive paths
(``/category/a/b/``, ``/tag/x/``, ``/author/login/``) and ``/feed/`` under any of them, read
from ``WordPressItem``. Like the other, it looks only at the home page with one of those
parameters and at responses that are already 404s, so other pages pay nothing for it.
"""

import re

from django.http import HttpResponsePermanentRedirect

from .addresses import address
from .middleware import candidate_paths
from .models import Article, ArticlePath, WordPressItem

_QUERY_KINDS = {
    "p": (WordPressItem.Kind.POST, WordPressItem.Kind.PAGE),
    "page_id": (WordPressItem.Kind.PAGE, WordPressItem.Kind.POST),
    "attachment_id": (),
    "tag": (WordPressItem.Kind.TAG,),
    "author_name": (WordPressItem.Kind.AUTHOR,),
}
# /feed/, /feed/rss2/, /feed/atom/ after any address (WordPress's feeds of that page).
_FEED = re.compile(r"^(?P<base>.*?)/feed(?:/(?P<kind>rss|rss2|atom|rdf))?/?$")
_FEED_ROUTES = {
    "category": "articles:section-feed",
    "tag": "articles:tag-feed",
    "author": "articles:author-feed",
}


def _article_url(article_ids) -> str | None:
    article = (
        Article.objects.published()
        .filter(pk__in=article_ids)
        .select_related("category")
        .order_by("pk")
        .first()
    )
    return article.get_absolute_url() if article else None


def _subject_url(item: WordPressItem, *, feed: str | None) -> str | None:
    if feed is None:
        return item.get_absolute_url()
    kind = "atom" if feed == "atom" else "rss"
    for record, name in ((item.category, "category"), (item.tag, "tag"), (item.author, "author")):
        if record is not None:
            return address(f"{_FEED_ROUTES[name]}-{kind}", slug=record.slug)
    return None


def query_target(query) -> str | None:
    """Where a home-page address with WordPress's query parameters leads now, if anywhere."""
    if "feed" in query and len(query) == 1:
        return address("articles:feed-atom" if query["feed"] == "atom" else "articles:feed-rss")
    for parameter, kinds in _QUERY_KINDS.items():
        value = query.get(parameter, "").strip()
        if not value or not kinds:
            continue
        items = WordPressItem.objects.filter(kind__in=kinds, wordpress_id=value)
        if kinds[0] in (WordPressItem.Kind.POST, WordPressItem.Kind.PAGE):
            return _article_url(items.values("article_id"))
        item = items.select_related("category", "tag", "author").first()
        if item is not None:
            return _subject_url(item, feed=query.get("feed"))
    return None


def path_target(path: str) -> str | None:
    """Where an old archive or feed path leads now, if anywhere."""
    feed = None
    match = _FEED.match(path)
    if match:
        path, feed = match.group("base"), match.group("kind") or "rss2"
        if not path.strip("/") or path.rstrip("/") == "/comments":
            return address("articles:feed-atom" if feed == "atom" else "articles:feed-rss")
    candidates = candidate_paths(path or "/")
    item = (
        WordPressItem.objects.filter(path__in=candidates)
        .select_related("category", "tag", "author")
        .first()
    )
    if item is not None:
        return _subject_url(item, feed=feed)
    if feed is not None:
        # A post's comment feed: the story itself (comments were not imported).
        return _article_url(ArticlePath.objects.filter(path__in=candidates).values("article_id"))
    return None


class WordPressRedirectMiddleware:
    """Answer WordPress's query addresses and 404s on its old archives with a 301."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/" and request.GET and not request.GET.keys() - {*_QUERY_KINDS, "feed"}:
            target = query_target(request.GET)
            if target:
                return HttpResponsePermanentRedirect(target)
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        target = path_target(request.path)
        if target is None or target == request.path:
            return response
        return HttpResponsePermanentRedirect(target)
