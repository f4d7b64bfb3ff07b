"""The page cache: every anonymous reader's page comes from the configured cache, never stale.

The whole policy lives here. ``PageCacheMiddleware`` stores the pages in ``CACHEABLE_VIEWS``
for requests without a session (an editor always gets a fresh, private page) and answers
conditional requests with 304. Invalidation is exact: every stored page records the site's
content *generation*, a number in the cache that any change to what readers see moves on
(``content_changed``), and is only served while that number is current, so two processes
sharing one Redis see the same pages. Scheduled stories
need no change to appear: a page is never kept past the next time a story becomes visible.

The cache is an optimisation, never a dependency: if it fails, pages are served uncached, and
the process leaves it alone for a few seconds (``OUTAGE_RETRY_INTERVAL``) before asking again.
"""

import contextvars
import hashlib
import json
import logging
import threading
import time
import urllib.request

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, parse_http_date_safe

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
GENERATION_KEY = "pages:generation"
OUTAGE_WARNING_INTERVAL = 60  # seconds between two warnings that the cache is down
# Seconds a process serves pages without reading the cache after a cache call failed. A Redis
# that stops answering costs each call its socket timeout (half a second in our settings): asked
# on every page, it made every page that slow, about 4 pages a second for two workers.
OUTAGE_RETRY_INTERVAL = 5

_outage = {"warned_at": 0.0, "retry_at": 0.0}
_pending = threading.local()
# Site-wide lists every page of a generation shares (``per_generation``): name -> (generation,
# time it expires, value). A value is never changed once stored, so threads may share it.
_per_generation: dict[str, tuple[int, float, object]] = {}
NEXT_PUBLICATION = "next-publication"  # its entry in ``_per_generation``
# The generation the current request read, so the pages' lists ask the cache once a request.
_request_generation = contextvars.ContextVar("request_generation", default=None)


def _cache_call(method: str, *args, **kwargs):
    """Call the cache; on any backend error (Redis down) log a warning and return None.

    After an error, every call returns None at once for ``OUTAGE_RETRY_INTERVAL`` seconds;
    the first call after that tries the cache again. Only the pages' reads and stores come
    here: a change readers see always tries to move the generation on (``bump_generation``).
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


def current_generation() -> int | None:
    """The content generation every page key includes (None when the cache is unreachable)."""
    generation = _cache_call("get", GENERATION_KEY)
    if generation is None:
        # Start from the clock, so a cache that lost the key never reuses an old number.
        _cache_call("add", GENERATION_KEY, time.time_ns(), timeout=None)
        generation = _cache_call("get", GENERATION_KEY)
    return generation


def bump_generation() -> None:
    """Make every cached page stale at once.

    Asks the cache even while pages leave it alone after an error: a publication must reach
    the other processes' pages if the cache answers at all.
    """
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation stored yet: the next read starts a new one
        pass
    except Exception:
        _cache_call("delete", GENERATION_KEY)


def content_changed(*urls: str) -> None:
    """Something readers see changed: drop cached pages now and when the transaction commits.

    The first bump serves code that reads its own writes before committing (tests, the shell);
    the second one is the guarantee: a process that rendered the old rows in between stored
    them under the generation that the commit now leaves behind.
    """
    bump_generation()
    _forget_request_generation()
    pending = getattr(_pending, "urls", None)
    if pending is None:
        pending = _pending.urls = set()
    pending.update(urls)
    transaction.on_commit(_after_commit)


def _after_commit() -> None:
    """Bump once and purge the CDN once per committed transaction, however many writes it had."""
    urls = getattr(_pending, "urls", None)
    if urls is None:
        return
    _pending.urls = None
    bump_generation()
    purge_cdn(urls)


def per_generation(name: str, compute):
    """``compute()``, kept in this process's memory for the current content generation.

    For site-wide lists that every page of a generation shares (the newest stories that
    related stories are chosen from): computed once per process after each change readers
    can see, and never kept past the next scheduled publication, exactly like a cached page.
    The generation is shared by all processes through Redis; without Redis it is each
    process's own, which is right for one process (the rule the page cache already has, see
    docs/performance.md). With the cache unreachable, or ``PER_GENERATION_MEMORY`` off, it is
    computed every time.
    """
    generation = _generation_for_request() if settings.PER_GENERATION_MEMORY else None
    if generation is None:
        return compute()
    now = time.time()
    kept = _kept(name, generation, now)
    if kept is not None:
        return kept[0]
    # Asked before computing: a story that becomes visible meanwhile ends the value at once.
    due = seconds_until_next_publication(generation)
    value = compute()
    lifetime = settings.PAGE_CACHE_TIMEOUT if due is None else min(settings.PAGE_CACHE_TIMEOUT, due)
    _per_generation[name] = (generation, now + lifetime, value)
    return value


def _generation_for_request() -> int | None:
    """The content generation, read from the cache once per request (every time elsewhere)."""
    slot = _request_generation.get()
    if slot is not None and "generation" in slot:
        return slot["generation"]
    generation, _entry = _generation_and_entry()
    if slot is not None:
        slot["generation"] = generation
    return generation


def _forget_request_generation() -> None:
    """A write in this request moved the generation on: read it again when next asked."""
    slot = _request_generation.get()
    if slot is not None:
        slot.pop("generation", None)


def purge_cdn(urls) -> None:
    """POST the changed addresses and a "purge everything" to ``CDN_PURGE_URL``, if set."""
    target = settings.CDN_PURGE_URL
    if not target:
        return
    from .canonical import absolute_url

    body = json.dumps({"purge_all": True, "urls": sorted(absolute_url(url) for url in urls)})
    request = urllib.request.Request(
        target, data=body.encode(), method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        urllib.request.urlopen(request, timeout=settings.CDN_PURGE_TIMEOUT).close()
    except (OSError, ValueError):
        logger.warning("CDN purge at %s failed; the CDN keeps pages until they expire.", target)


def seconds_until_next_publication(generation: int | None) -> float | None:
    """Seconds until a scheduled or embargoed story becomes visible (None if none is due).

    Computed once per generation: only a change of content can bring a new time forward.
    """
    from .models import Article

    key = f"pages:{generation}:next-publication"
    now = time.time()
    kept = _kept(NEXT_PUBLICATION, generation, now) if settings.PER_GENERATION_MEMORY else None
    when = kept[0] if kept is not None else None
    if when is None and generation is not None:
        when = _cache_call("get", key)
    if when is None or 0 < when <= now:
        upcoming = Article.objects.next_publication_time(timezone.now())
        when = upcoming.timestamp() if upcoming else 0
        if generation is not None:
            _cache_call("set", key, when, timeout=settings.PAGE_CACHE_TIMEOUT)
    if kept is None and generation is not None and settings.PER_GENERATION_MEMORY:
        # Kept here too, like the per-generation lists: every uncached page asks, and asking
        # Redis each time was a round trip per page. Never past the time it names.
        expires = min(now + settings.PAGE_CACHE_TIMEOUT, when or float("inf"))
        _per_generation[NEXT_PUBLICATION] = (generation, expires, when)
    return max(0.0, when - now) if when else None


def _kept(name: str, generation: int | None, now: float) -> tuple | None:
    """``(value,)`` if this process keeps ``name`` for ``generation`` and it has not expired
    (a tuple, since a kept value may itself be falsy), else None."""
    held = _per_generation.get(name)
    if held is None or generation is None or held[0] != generation or held[1] <= now:
        return None
    return (held[2],)


class PageCacheMiddleware:
    """Serve anonymous public pages from the cache, with validators and CDN-friendly headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_generation.set({})
        try:
            return self._answer(request)
        finally:
            _request_generation.reset(token)

    def _answer(self, request):
        lookup = None
        if _may_share(request):
            request.get_host()  # refuse a forged Host header before any cached answer
            lookup = _lookup(request)
            key, generation, entry = lookup
            # Only pages of ``CACHEABLE_VIEWS`` are ever stored, so a fresh entry needs no
            # resolving of the path first (the URL patterns were a seventh of a cached page).
            if _is_fresh(entry, generation):
                return _respond(request, entry)
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
        if lookup is None:
            response = self.get_response(request)
            if _has_session(request):
                patch_cache_control(response, private=True, no_cache=True)
            return response
        key, generation, _stale = lookup
        return self.render_and_store(request, key, generation)

    def render_and_store(self, request, key, generation):
        """Render a page the cache does not hold (or holds stale), store it, answer it."""
        response = self.get_response(request)
        if not _storable(response):
            return response
        entry = _entry_for(response, generation)
        lifetime = entry["expires"] - time.time()
        if generation is not None and lifetime >= 1:
            _cache_call("set", key, entry, timeout=int(lifetime))
        return _respond(request, entry)


def _may_share(request) -> bool:
    """A request every anonymous reader makes alike: GET or HEAD, no session, no query
    parameter but ``page`` (any other would let a visitor fill the cache with copies)."""
    return (
        request.method in ("GET", "HEAD")
        and not _has_session(request)
        and not set(request.GET) - CACHEABLE_PARAMETERS
    )


def _lookup(request) -> tuple[str, int | None, dict | None]:
    """The page's cache key, the current generation and the entry stored under the key
    (without the page cache, or with the cache unreachable: no generation, no entry)."""
    key = f"pages:page:{hashlib.md5(request.get_full_path().encode()).hexdigest()}"
    if not settings.PAGE_CACHE:
        return key, None, None
    generation, entry = _generation_and_entry(key)
    slot = _request_generation.get()
    if slot is not None:
        slot["generation"] = generation
    return key, generation, entry


def _is_fresh(entry: dict | None, generation: int | None) -> bool:
    """A page stored under the current generation, before its expiry. The expiry is checked
    here too, not only by the cache's TTL: a scheduled story is due at our clock."""
    return (
        entry is not None
        and generation is not None
        and entry["generation"] == generation
        and entry["expires"] > time.time()
    )


def _respond(request, entry: dict):
    """The stored page with its freshness headers, or 304 when the reader has it already."""
    response = HttpResponse(entry["content"], status=200, headers=entry["headers"])
    _set_freshness(response, entry["expires"] - time.time())
    last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
    return get_conditional_response(
        request, etag=response.get("ETag"), last_modified=last_modified, response=response
    )


def _generation_and_entry(key: str | None = None) -> tuple[int | None, dict | None]:
    """The current generation and the page stored under ``key`` (if any), in one round trip.

    A cached page costs one request to Redis, not two: the generation is not part of the key
    but kept in the entry, and compared. (None, None) when the cache is unreachable, found in
    that one call, so an outage costs a page one refused connection, not three.
    """
    found = _cache_call("get_many", [GENERATION_KEY, key] if key else [GENERATION_KEY])
    if found is None:
        return None, None
    generation = found.get(GENERATION_KEY)
    if generation is None:
        return current_generation(), None
    return generation, found.get(key) if key else None


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


def _entry_for(response, generation) -> dict:
    """What the cache keeps of a page: body, headers with validators, and when it goes stale."""
    if not response.has_header("ETag"):
        response["ETag"] = f'"{hashlib.md5(response.content).hexdigest()}"'
    if not response.has_header("Last-Modified"):
        response["Last-Modified"] = http_date()
    if generation is None and settings.PER_GENERATION_MEMORY:
        # Without the page cache the time is still needed (Cache-Control), once a generation.
        generation = _generation_for_request()
    lifetime = settings.PAGE_CACHE_TIMEOUT
    due = seconds_until_next_publication(generation)
    if due is not None:
        lifetime = min(lifetime, due)
    return {
        "content": response.content,
        "headers": dict(response.items()),
        "expires": time.time() + lifetime,
        "generation": generation,
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


def _story_changed(sender, instance, **kwargs):
    """A story saved or deleted: only stories readers see or saw can change a public page."""
    loaded = getattr(instance, "_loaded_address", None)
    published = sender.Status.PUBLISHED
    new_draft = loaded is None and kwargs.get("created")
    if (
        instance.status == published
        or (loaded or {}).get("status") == published
        or (loaded is None and not new_draft)
    ):
        content_changed(instance.get_absolute_url() if settings.CDN_PURGE_URL else "/")


def _public_row_changed(sender, **kwargs):
    """A row that public pages print (byline, section, tag, correction, image) changed."""
    if kwargs.get("action", "post_").startswith("post_"):
        content_changed()


def connect_invalidation_receivers() -> None:
    """Drop cached pages on every write that readers can see (called from ``ready()``).

    Signals rather than calls in each code path, as for the search index: the admin, the
    publishing functions, the importer, restores and the shell all write these rows, and one
    forgotten path would leave readers a stale page.
    """
    from taggit.models import Tag

    from .models import (
        Article,
        Author,
        BreakingNews,
        Byline,
        Category,
        Correction,
        Front,
        FrontSlot,
        Image,
        Organization,
        Rendition,
        TaggedArticle,
    )

    for signal in (post_save, post_delete):
        signal.connect(_story_changed, sender=Article, dispatch_uid=f"pages_article_{signal}")
        for model in (
            Author,
            BreakingNews,
            Byline,
            Category,
            Correction,
            Front,
            FrontSlot,
            Image,
            Organization,
            Rendition,
            Tag,
            TaggedArticle,
        ):
            signal.connect(
                _public_row_changed, sender=model, dispatch_uid=f"pages_{model}_{signal}"
            )
    for through in (TaggedArticle, Article.organizations.through):
        m2m_changed.connect(_public_row_changed, sender=through, dispatch_uid=f"pages_{through}")
