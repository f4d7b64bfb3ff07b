"""The page cache: every anonymous reader's page comes from the configured cache, never stale.

The whole policy lives here. ``PageCacheMiddleware`` stores the pages in ``CACHEABLE_VIEWS``
for requests without a session (an editor always gets a fresh, private page) and answers
conditional requests with 304. Invalidation is exact and by what a page shows: every stored
page keeps the cache tags of what it showed (``page_tags``; the route's own in
``ROUTE_TAGS``) and the number of the last change made before it was rendered, and is served
only while none of its tags moved on after that change (``tag_versions.fresh_as_of``: the
database records every change in the change's own transaction; on PostgreSQL each process
is told of them and asks the database only when unsure; ``cache_tags`` says which tags a
change moves). So editing one story leaves every page that
does not show it stored, and no cache outage can bring back a page a change made stale; two
processes sharing one database behave as one site. Scheduled stories need no change to
appear: a page is never kept past the next time a story becomes visible. Responses carry
their tags for CDNs (``Surrogate-Key``, ``Cache-Tag``, ``xkey``).

The cache is an optimisation, never a dependency: if it fails, pages are served uncached, and
the process leaves it alone for a few seconds (``OUTAGE_RETRY_INTERVAL``) before asking again.
"""

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import DatabaseError
from django.dispatch import receiver
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, parse_http_date_safe

from . import page_tags, tag_versions
from .querysets import seconds_until_next_publication

logger = logging.getLogger(__name__)

# Pages every anonymous reader sees alike (route names). Anything else is never stored.
CACHEABLE_VIEWS = frozenset(
    {
        "articles:home",
        "articles:article",
        "articles:section",
        "articles:tag",
        "articles:author",
        "articles:organizations",
        "articles:organization",
        "articles:archive",
        "articles:archive-year",
        "articles:archive-month",
        "articles:corrections",
        "articles:robots",
        "articles:sitemap",
        "articles:sitemap-news",
        "articles:sitemap-section",
        "articles:feed-rss",
        "articles:feed-atom",
        "articles:section-feed-rss",
        "articles:section-feed-atom",
        "articles:tag-feed-rss",
        "articles:tag-feed-atom",
        "articles:author-feed-rss",
        "articles:author-feed-atom",
        "articles:organization-feed-rss",
        "articles:organization-feed-atom",
    }
)
# Pages no browser or shared cache may keep: arbitrary queries and unpublished drafts.
PRIVATE_VIEWS = frozenset({"articles:search", "articles:preview", "articles:shared-preview"})
# Any other query parameter would let a visitor fill the cache with copies of one page.
CACHEABLE_PARAMETERS = frozenset({"page"})
# The tags a route's pages show besides the stories and subjects they read (``page_tags``).
ROUTE_TAGS = {
    "articles:home": {page_tags.STORIES},
    "articles:archive": {page_tags.STORIES},
    "articles:archive-year": {page_tags.STORIES},
    "articles:archive-month": {page_tags.STORIES},
    "articles:corrections": {page_tags.CORRECTIONS, page_tags.STORIES, page_tags.SITEMAP},
    "articles:organizations": {page_tags.ORGANIZATIONS},
    "articles:sitemap": {page_tags.SITEMAP},
    "articles:sitemap-news": {page_tags.SITEMAP},
    "articles:sitemap-section": {page_tags.SITEMAP},
    "articles:feed-rss": {page_tags.STORIES},
    "articles:feed-atom": {page_tags.STORIES},
}
# Where the cache keeps pages; tests give each test its own namespace.
KEY_NAMESPACE = "pages"
OUTAGE_WARNING_INTERVAL = 60  # seconds between two warnings that the cache is down
# Seconds a process serves pages without reading the cache after a cache call failed. A Redis
# that stops answering costs each call its socket timeout (half a second in our settings): asked
# on every page, it made every page that slow, about 4 pages a second for two workers.
OUTAGE_RETRY_INTERVAL = 5

_outage = {"warned_at": 0.0, "retry_at": 0.0}


def _cache_call(method: str, *args, **kwargs):
    """Call the cache; on any backend error (Redis down) log a warning and return None.

    After an error, every call returns None at once for ``OUTAGE_RETRY_INTERVAL`` seconds;
    the first call after that tries the cache again. Only the pages' reads and stores come
    here: changes are recorded in the database (``tag_versions``).
    """
    if time.monotonic() < _outage["retry_at"]:
        return None
    try:
        return getattr(cache, method)(*args, **kwargs)
    except Exception:  # every backend raises its own errors; none may break a page
        now = time.monotonic()
        _outage["retry_at"] = now + OUTAGE_RETRY_INTERVAL
        if now - _outage["warned_at"] > OUTAGE_WARNING_INTERVAL:
            _outage["warned_at"] = now
            logger.warning(
                "Page cache unavailable; serving pages uncached, trying again in %s s.",
                OUTAGE_RETRY_INTERVAL,
                exc_info=True,
            )
        return None


@receiver(setting_changed)
def _forget_outage(setting, **kwargs):
    """Another cache (tests swap them) has not failed yet."""
    if setting == "CACHES":
        _outage["retry_at"] = 0.0


class PageCacheMiddleware:
    """Serve anonymous public pages from the cache, with validators and CDN-friendly headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = tag_versions.begin_request()
        try:
            return self._answer(request)
        finally:
            tag_versions.end_request(token)

    def _answer(self, request):
        key = None
        if _may_share(request):
            request.get_host()  # refuse a forged Host header before any cached answer
            key = _page_key(request)
            # The page, and in the same round trip the newest change a writer told the cache
            # of (a change whose notice may not have reached this process yet).
            found = (
                _cache_call("get_many", [key, tag_versions.COUNTER_COPY])
                if settings.PAGE_CACHE
                else None
            ) or {}
            entry = found.get(key)
            # Only pages of ``CACHEABLE_VIEWS`` are ever stored, so a fresh entry needs no
            # resolving of the path first (the URL patterns were a seventh of a cached page).
            newest_told = found.get(tag_versions.COUNTER_COPY)
            if not isinstance(newest_told, int):
                newest_told = None
            fresh_as_of = _fresh_as_of(entry, newest_told)
            if fresh_as_of is not None:
                if fresh_as_of > entry["built"]:
                    _keep_as_of(key, entry, fresh_as_of)
                return _respond(request, entry, "hit")
            refreshed = _with_part_refreshed(entry, newest_told)
            if refreshed is not None:
                _store(key, refreshed)
                return _respond(request, refreshed, "part")
        try:
            view_name = resolve(request.path_info).view_name
        except Resolver404:
            return self.get_response(request)
        if view_name in PRIVATE_VIEWS:
            response = self.get_response(request)
            patch_cache_control(response, private=True, no_store=True)
            return response
        if view_name not in CACHEABLE_VIEWS or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        if key is None:
            response = self.get_response(request)
            if _has_session(request):
                patch_cache_control(response, private=True, no_cache=True)
            return response
        return self.render_and_store(request, key, view_name)

    def render_and_store(self, request, key, view_name):
        """Render a page the cache does not hold (or holds stale), store it, answer it."""
        try:
            # Read before rendering: the page shows every change up to this number.
            built = tag_versions.shared_versions()[tag_versions.COUNTER]
        except DatabaseError:
            built = None  # the page renders (or fails) as without any cache, and is not kept
        token = page_tags.start_page()
        try:
            response = self.get_response(request)
        finally:
            outside, part = page_tags.end_page_with_part(token)
        if not _storable(response) or built is None:
            return response
        outside |= ROUTE_TAGS.get(view_name, frozenset())
        entry = _entry_for(response, built, outside | (part.tags if part else frozenset()))
        if part is not None:
            _mark_part(entry, part, outside)
        _store(key, entry)
        return _respond(request, entry, "miss")


def _may_share(request) -> bool:
    """A request every anonymous reader makes alike: GET or HEAD, no session, no query
    parameter but ``page`` (any other would let a visitor fill the cache with copies)."""
    return (
        request.method in ("GET", "HEAD")
        and not _has_session(request)
        and not set(request.GET) - CACHEABLE_PARAMETERS
    )


def _page_key(request) -> str:
    """Where the cache keeps the page at this address."""
    return f"{KEY_NAMESPACE}:page:{hashlib.md5(request.get_full_path().encode()).hexdigest()}"


def _store(key: str, entry: dict) -> None:
    """Keep the page until it expires (a page due to expire within a second is not kept)."""
    lifetime = entry["expires"] - time.time()
    if settings.PAGE_CACHE and lifetime >= 1:
        _cache_call("set", key, entry, timeout=int(lifetime))


def _mark_part(entry: dict, part: page_tags.Part, outside) -> None:
    """Note where the page's part (``page_tags.render_part``) lies in the stored page, what
    renders it again, and the tags of the rest of the page: when only the part's own tags
    moved on, the part alone is rendered again (``_with_part_refreshed``). A part whose
    markup cannot be found once and only once in the page is not noted: the whole page is
    then rendered again, as for any page."""
    content, html = entry["content"], part.html.encode()
    start = content.find(html)
    if not html or start < 0 or content.find(html, start + 1) >= 0:
        return
    entry["part"] = {
        "name": part.name,
        "inputs": part.inputs,
        "start": start,
        "end": start + len(html),
        "outside_tags": sorted(outside),
    }


def _with_part_refreshed(entry, newest_told: int | None) -> dict | None:
    """A stored page that is stale only in its part, with the part rendered again; None for
    any other page (rendered again whole).

    Read before the part is rendered, the change number is the new page's: the rest of the
    page is checked against it (a change to it committed before that number is seen), and
    the part shows every change up to it, as a page rendered whole would.
    """
    part = entry.get("part") if isinstance(entry, dict) and "built" in entry else None
    if (
        part is None
        or entry["expires"] <= time.time()
        or not page_tags.can_render_part(part["name"])
    ):
        return None
    try:
        built = tag_versions.shared_versions()[tag_versions.COUNTER]
        told = max(built, newest_told or 0)
        if tag_versions.fresh_as_of(part["outside_tags"], entry["built"], newest_told=told) is None:
            return None
        refreshed = page_tags.render_recorded_part(part["name"], part["inputs"])
    except DatabaseError:
        return None  # rendered whole, as any page (the 503 page while the database is down)
    html = refreshed.html.encode()
    content = entry["content"][: part["start"]] + html + entry["content"][part["end"] :]
    # New validators and tags; every other header as the page had it.
    headers = {
        name: value for name, value in entry["headers"].items() if name.lower() not in _PAGE_HEADERS
    }
    response = HttpResponse(content, headers=headers)
    if "Content-Length" in entry["headers"]:
        response["Content-Length"] = str(len(content))
    page = _entry_for(response, built, set(part["outside_tags"]) | refreshed.tags)
    page["part"] = dict(part, end=part["start"] + len(html))
    return page


# Headers a page's content or tags decide (``_entry_for`` writes them).
_PAGE_HEADERS = frozenset(
    {"etag", "last-modified", "content-length", "surrogate-key", "xkey", "cache-tag"}
)


def _fresh_as_of(entry: dict | None, newest_told: int | None) -> int | None:
    """For a stored page none of whose tags moved on since it was built, before its expiry,
    the newest change it is known to show (``tag_versions.fresh_as_of``); None for any other.
    The expiry is checked here too, not only by the cache's TTL: a scheduled story is due at
    our clock."""
    if (
        not isinstance(entry, dict)
        or "built" not in entry  # a page stored by an older release is rendered again
        or entry["expires"] <= time.time()
    ):
        return None
    return tag_versions.fresh_as_of(entry["tags"], entry["built"], newest_told=newest_told)


def _keep_as_of(key: str, entry: dict, number: int) -> None:
    """Store the page again as built after change ``number``: a page stored before this
    process listened for changes is then checked without the database (``tag_mirror``)."""
    _store(key, dict(entry, built=number))


def _respond(request, entry: dict, how: str):
    """The stored page with its freshness headers, or 304 when the reader has it already;
    ``X-Page-Cache`` says whether it came from the cache ("hit"), was rendered ("miss"), or
    came from the cache with its part rendered again ("part")."""
    response = HttpResponse(entry["content"], status=200, headers=entry["headers"])
    response["X-Page-Cache"] = how
    _set_freshness(response, entry["expires"] - time.time())
    last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
    return get_conditional_response(
        request, etag=response.get("ETag"), last_modified=last_modified, response=response
    )


def _has_session(request) -> bool:
    """True for a logged-in editor (or anyone with messages waiting): never a shared page."""
    return bool(request.COOKIES.keys() & {settings.SESSION_COOKIE_NAME, "messages"})


def _storable(response) -> bool:
    """Only complete, cookie-free 200s are the same for every reader."""
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "Cookie" not in response.get("Vary", "")
        and "private" not in response.get("Cache-Control", "")
    )


def _entry_for(response, built: int, tags) -> dict:
    """What the cache keeps of a page: body, headers with validators and tags, the change it
    was built after, its tags, and when it goes stale."""
    if not response.has_header("ETag"):
        # SHA-1 runs on the CPU's SHA instructions: 2.5 times as fast as MD5 here, and an
        # uncached feed hashes 88 kB. A validator, not a secret.
        response["ETag"] = f'"{hashlib.sha1(response.content, usedforsecurity=False).hexdigest()}"'
    if not response.has_header("Last-Modified"):
        response["Last-Modified"] = http_date()
    tags = sorted(tags)
    # Fastly reads Surrogate-Key, Cloudflare Cache-Tag (comma-separated), Varnish xkey.
    response["Surrogate-Key"] = response["xkey"] = " ".join(tags)
    response["Cache-Tag"] = ",".join(tags)
    lifetime = settings.PAGE_CACHE_TIMEOUT
    due = seconds_until_next_publication()
    if due is not None:
        lifetime = min(lifetime, due)
    return {
        "content": response.content,
        "headers": dict(response.items()),
        "expires": time.time() + lifetime,
        "built": built,
        "tags": tags,
    }


def _set_freshness(response, remaining: float) -> None:
    """Cache-Control for browsers and CDNs, never past the next scheduled publication."""
    remaining = max(0, int(remaining))
    patch_cache_control(
        response,
        public=True,
        max_age=min(settings.CACHE_BROWSER_MAX_AGE, remaining),
        s_maxage=min(settings.CACHE_SHARED_MAX_AGE, remaining),
        stale_while_revalidate=min(settings.CACHE_STALE_WHILE_REVALIDATE, remaining),
    )
