"""The page cache: served without queries, dropped exactly when content changes, never stale
for scheduled stories, conditional requests, headers, the CDN purge hook and cache outages."""

import json
import socket
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from articles import caching, page_tags, previews, publishing, tag_versions
from articles.models import Article, PageTagVersion
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CategoryFactory,
    EditorFactory,
    OrganizationFactory,
)

pytestmark = pytest.mark.django_db

# A cached page asks the database one thing: whether any of its tags moved on since it was
# built (one indexed read; articles/tag_versions.py). It renders nothing and reads no story.
CACHED_PAGE_QUERIES = 1

NOW = timezone.make_aware(timezone.datetime(2026, 3, 10, 12, 0))


@pytest.fixture
def newsroom():
    """One published story with a section, an author, a tag and an organization; and a draft
    by the same people, ready to be published."""
    section = CategoryFactory(slug="transparencia")
    author = AuthorFactory(slug="ana")
    organization = OrganizationFactory(slug="inai")
    common = {
        "category": section,
        "authors": [author],
        "tags": ["agua"],
        "organizations": [organization],
    }
    story = ArticleFactory(headline="El agua de la ciudad", **common)
    draft = ArticleFactory(headline="Una historia nueva", draft=True, **common)
    return story, draft


def pages_showing(story):
    """Every public page that shows this story, by name."""
    when = timezone.localtime(story.published_at)
    return {
        "home": "/",
        "story": story.get_absolute_url(),
        "section": reverse("articles:section", kwargs={"slug": "transparencia"}),
        "tag": reverse("articles:tag", kwargs={"slug": "agua"}),
        "author": reverse("articles:author", kwargs={"slug": "ana"}),
        "organization": reverse("articles:organization", kwargs={"slug": "inai"}),
        "archive": reverse("articles:archive"),
        "archive-year": reverse("articles:archive-year", kwargs={"year": when.year}),
        "archive-month": reverse(
            "articles:archive-month", kwargs={"year": when.year, "month": f"{when.month:02d}"}
        ),
        "feed": reverse("articles:feed-rss"),
        "atom": reverse("articles:feed-atom"),
        "section-feed": reverse("articles:section-feed-rss", kwargs={"slug": "transparencia"}),
        "tag-feed": reverse("articles:tag-feed-atom", kwargs={"slug": "agua"}),
        "author-feed": reverse("articles:author-feed-rss", kwargs={"slug": "ana"}),
        "organization-feed": reverse("articles:organization-feed-rss", kwargs={"slug": "inai"}),
        "sitemap": "/sitemap-articulos.xml",
        "news-sitemap": "/sitemap-news.xml",
        "corrections": reverse("articles:corrections"),
    }


def warm(client, urls, django_assert_num_queries):
    """Fetch every page twice; the second time must come from the cache, with one query
    (its tags' versions) each."""
    first = {name: client.get(url) for name, url in urls.items()}
    with django_assert_num_queries(CACHED_PAGE_QUERIES * len(urls)):
        for url in urls.values():
            client.get(url)
    return {name: response.content for name, response in first.items()}


def test_an_anonymous_page_is_served_from_the_cache_with_one_query(
    client, newsroom, django_assert_num_queries
):
    story, _ = newsroom
    client.get(story.get_absolute_url())

    with django_assert_num_queries(CACHED_PAGE_QUERIES):
        response = client.get(story.get_absolute_url())

    assert response.status_code == 200
    assert "El agua de la ciudad" in response.content.decode()


def change_headline(story, draft):
    story.headline = "El agua de la ciudad, corregida"
    story.save()
    return "El agua de la ciudad, corregida"


def publish_draft(story, draft):
    publishing.publish_article(article=draft)
    return draft.slug  # in every page's link to it


def add_correction(story, draft):
    publishing.add_correction(article=story, text="La cifra era 42.")
    return "La cifra era 42."


def unpublish(story, draft):
    publishing.unpublish_article(article=story)
    return None


LIST_PAGES = set(pages_showing(ArticleFactory.build(published_at=NOW))) - {"corrections"}


@pytest.mark.threat(71)
@pytest.mark.parametrize(
    ("change", "pages", "showing_the_change"),
    [
        # The story sitemap's lastmod is a date: an edit on the same day leaves it as it was.
        (change_headline, LIST_PAGES - {"sitemap"}, LIST_PAGES - {"sitemap"}),
        (publish_draft, LIST_PAGES, LIST_PAGES),
        # A correction moves the story's "updated" time, which Atom feeds print.
        (add_correction, {"story", "corrections", "atom", "tag-feed"}, {"story", "corrections"}),
        (unpublish, LIST_PAGES, set()),
    ],
    ids=["edit", "publish", "correction", "unpublish"],
)
def test_every_page_showing_a_story_changes_after_the_story_does(
    client,
    newsroom,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
    change,
    pages,
    showing_the_change,
):
    story, draft = newsroom
    urls = {name: url for name, url in pages_showing(story).items() if name in pages}
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        before = warm(client, urls, django_assert_num_queries)
        traveller.shift(120)  # later, but well within the cache's lifetime
        with django_capture_on_commit_callbacks(execute=True):
            expected = change(story, draft)

        after = {name: client.get(url) for name, url in urls.items()}

    for name, response in after.items():
        assert response.content != before[name], f"{name} still shows the old version"
        if name in showing_the_change:
            assert expected in response.content.decode(), name
        elif change is not unpublish:
            continue
        elif name == "story":
            assert response.status_code == 410
        else:
            assert "El agua de la ciudad" not in response.content.decode(), name


def test_a_scheduled_story_appears_at_its_time_even_with_a_warm_cache(
    client, newsroom, django_assert_num_queries
):
    story, _ = newsroom
    with time_machine.travel(NOW, tick=False) as traveller:
        ArticleFactory(
            headline="Publicada a las doce y diez", published_at=NOW + timedelta(minutes=10)
        )
        urls = {"home": "/", "feed": reverse("articles:feed-rss"), "news": "/sitemap-news.xml"}
        warm(client, urls, django_assert_num_queries)
        home = client.get("/")
        assert "s-maxage=5" in home["Cache-Control"]

        traveller.shift(timedelta(minutes=9, seconds=58))
        with django_assert_num_queries(CACHED_PAGE_QUERIES):
            assert "Publicada a las doce" not in client.get("/").content.decode()
        assert "s-maxage=2" in client.get("/")["Cache-Control"]  # never past the publication

        traveller.shift(timedelta(seconds=2))
        for url in urls.values():
            assert "Publicada a las doce y diez" in client.get(url).content.decode(), url


def shared_max_age(response) -> int:
    directives = dict(
        part.strip().partition("=")[::2] for part in response["Cache-Control"].split(",")
    )
    return int(directives["s-maxage"])


def test_without_the_page_cache_pages_still_expire_at_the_next_scheduled_story(
    client, newsroom, settings
):
    """Each process keeps the next publication time until the next change instead of asking
    the database on every page; a newly scheduled story (a change) and the time itself still
    end it."""
    settings.PAGE_CACHE = False
    settings.CACHE_SHARED_MAX_AGE = 3600
    with time_machine.travel(NOW, tick=False) as traveller:
        ArticleFactory(headline="A las doce y diez", published_at=NOW + timedelta(minutes=10))
        assert shared_max_age(client.get("/")) == 600
        assert shared_max_age(client.get("/")) == 600

        ArticleFactory(headline="A las doce y cinco", published_at=NOW + timedelta(minutes=5))
        assert shared_max_age(client.get("/")) == 300

        traveller.shift(timedelta(minutes=5))
        page = client.get("/")
        assert "A las doce y cinco" in page.content.decode()
        assert shared_max_age(page) == 300  # now the story due at ten past

        traveller.shift(timedelta(minutes=5))
        page = client.get("/")
        assert "A las doce y diez" in page.content.decode()
        assert shared_max_age(page) == 3600


def test_an_embargoed_story_appears_when_the_embargo_lifts(client, newsroom):
    with time_machine.travel(NOW, tick=False) as traveller:
        ArticleFactory(headline="Bajo embargo", embargoed_until=NOW + timedelta(hours=2))
        assert "Bajo embargo" not in client.get("/").content.decode()

        traveller.shift(timedelta(hours=2))
        assert "Bajo embargo" in client.get("/").content.decode()


@pytest.mark.parametrize("name", ["story", "feed", "home", "news-sitemap"])
def test_conditional_requests_get_304_until_the_page_changes(client, newsroom, name):
    story, _ = newsroom
    url = pages_showing(story)[name]
    first = client.get(url)
    assert first.has_header("ETag") and first.has_header("Last-Modified")

    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304

    with time_machine.travel(timezone.now() + timedelta(minutes=2), tick=False):
        story.headline = "Otro titular"
        story.save()
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]


def test_public_pages_carry_the_configured_cache_control(client, newsroom, settings):
    settings.CACHE_BROWSER_MAX_AGE = 30
    settings.CACHE_SHARED_MAX_AGE = 600
    settings.CACHE_STALE_WHILE_REVALIDATE = 60

    response = client.get("/")

    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert directives == {"public", "max-age=30", "s-maxage=600", "stale-while-revalidate=60"}


@pytest.mark.threat(71)
def test_search_and_previews_are_never_kept_by_any_cache(client, newsroom):
    story, _ = newsroom
    search = client.get(reverse("articles:search"), {"q": "agua"})
    client.force_login(EditorFactory())
    preview = client.get(reverse("articles:preview", kwargs={"pk": story.pk}))

    for response in (search, preview):
        assert response.status_code == 200
        assert "private" in response["Cache-Control"]
        assert "no-store" in response["Cache-Control"]


@pytest.mark.threat(71)
def test_a_shared_preview_link_is_never_served_from_the_cache(client, newsroom):
    _, draft = newsroom
    link = previews.create_preview_link(article=draft, user=None)
    first = client.get(link.get_absolute_url())
    assert first.status_code == 200
    assert "no-store" in first["Cache-Control"]

    # Saving a draft leaves the cached public pages alone (nobody has seen it), so only a
    # preview that was never stored can show the new headline.
    draft.headline = "Una historia nueva, corregida"
    draft.save()
    assert "corregida" in client.get(link.get_absolute_url()).content.decode()

    previews.revoke_preview_link(link=link, user=None)
    revoked = client.get(link.get_absolute_url())
    assert revoked.status_code == 410
    assert "corregida" not in revoked.content.decode()


def test_a_logged_in_editor_gets_a_fresh_private_page(
    client, newsroom, django_assert_max_num_queries
):
    story, _ = newsroom
    client.get(story.get_absolute_url())  # cached for readers
    client.force_login(EditorFactory())

    with django_assert_max_num_queries(20) as queries:
        response = client.get(story.get_absolute_url())

    assert len(queries) > 0
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_unknown_query_parameters_are_answered_but_not_stored(
    client, newsroom, django_assert_max_num_queries
):
    client.get("/?utm_source=x")

    with django_assert_max_num_queries(20) as queries:
        client.get("/?utm_source=x")

    assert len(queries) > 0


def test_with_the_page_cache_off_pages_are_rendered_every_time(
    client, newsroom, settings, django_assert_max_num_queries
):
    settings.PAGE_CACHE = False
    client.get("/")

    with django_assert_max_num_queries(20) as queries:
        response = client.get("/")

    assert len(queries) > 0
    assert response.has_header("ETag")


@pytest.mark.threat(71)
@pytest.mark.parametrize("page_cache", [True, False], ids=["page-cache", "no-page-cache"])
def test_a_cache_outage_serves_pages_uncached_and_never_fails(
    client, newsroom, settings, caplog, django_capture_on_commit_callbacks, page_cache, monkeypatch
):
    settings.PAGE_CACHE = page_cache
    monkeypatch.setitem(caching._outage, "warned_at", 0.0)  # warned at most once a minute
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            # Port 9 (discard) is closed on the test machines: every connection is refused.
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }
    story, draft = newsroom

    with django_capture_on_commit_callbacks(execute=True):
        publishing.publish_article(article=draft)
    for url in pages_showing(story).values():
        assert client.get(url).status_code in (200, 301), url

    assert "Una historia nueva" in client.get("/").content.decode()
    # Related stories and the menu are kept by the database's change numbers, not the cache.
    assert "Una historia nueva" in client.get(story.get_absolute_url()).content.decode()
    if page_cache:  # without it, pages ask nothing of the cache
        assert "Page cache unavailable" in caplog.text


class SilentServer:
    """A Redis that has stopped answering: it accepts connections and never replies."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                self.accepted.append(self.listener.accept()[0])
            except OSError:  # closed
                return

    def close(self):
        self.listener.close()
        for connection in self.accepted:
            connection.close()


@pytest.fixture
def silent_cache(settings, monkeypatch):
    """The page cache on a Redis that accepts connections and never answers; yields that
    server, which counts the connections it was asked for."""
    server = SilentServer()
    monkeypatch.setitem(caching._outage, "warned_at", 0.0)
    settings.PAGE_CACHE = True
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{server.port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    yield server
    server.close()


@pytest.mark.threat(71)
def test_a_cache_that_stops_answering_is_left_alone_instead_of_slowing_every_page(
    client, newsroom, silent_cache, caplog
):
    story, _draft = newsroom

    assert client.get("/").status_code == 200
    waited_on = len(silent_cache.accepted)
    for url in [story.get_absolute_url(), "/", reverse("articles:feed-rss")]:
        assert client.get(url).status_code == 200, url

    # The first page waited for the cache's timeout; the next ones did not ask it.
    assert waited_on >= 1
    assert len(silent_cache.accepted) == waited_on
    assert "trying again in 5 s" in caplog.text


def test_after_the_retry_interval_the_cache_is_asked_again(
    client, newsroom, silent_cache, monkeypatch
):
    monkeypatch.setattr(caching, "OUTAGE_RETRY_INTERVAL", 0.5)
    client.get("/")
    waited_on = len(silent_cache.accepted)

    time.sleep(0.6)
    client.get("/")

    assert len(silent_cache.accepted) > waited_on


def test_a_change_is_copied_to_the_cache_even_while_pages_leave_it_alone(
    client, newsroom, monkeypatch, django_capture_on_commit_callbacks
):
    """A process that just saw the cache fail still copies the versions a change moved, for
    the other processes to read if the database goes down."""
    story, draft = newsroom
    monkeypatch.setitem(caching._outage, "retry_at", time.monotonic() + 60)

    with django_capture_on_commit_callbacks(execute=True):
        publishing.publish_article(article=draft)

    recorded = PageTagVersion.objects.get(tag=page_tags.story(draft.pk)).version
    assert cache.get(tag_versions.CACHE_KEY.format(page_tags.story(draft.pk))) == recorded
    assert cache.get(tag_versions.CACHE_KEY.format(page_tags.STORIES)) == recorded


class PurgeRecorder(BaseHTTPRequestHandler):
    """A stand-in CDN: remembers every purge request it receives."""

    received = []

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        self.received.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def cdn(settings):
    """A local HTTP server as CDN_PURGE_URL; yields the list of purges it received."""
    server = HTTPServer(("127.0.0.1", 0), PurgeRecorder)
    PurgeRecorder.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.CDN_PURGE_URL = f"http://127.0.0.1:{server.server_port}/purge"
    yield PurgeRecorder.received
    server.shutdown()
    server.server_close()


def test_the_cdn_is_purged_once_per_change_by_the_tags_it_moved(
    newsroom, cdn, django_capture_on_commit_callbacks
):
    story, draft = newsroom

    with django_capture_on_commit_callbacks(execute=True):
        publishing.publish_article(article=draft)

    assert len(cdn) == 1
    purged = set(cdn[0]["tags"])
    assert {page_tags.story(draft.pk), page_tags.STORIES} <= purged
    assert page_tags.related("section", draft.category_id) in purged
    assert page_tags.subject_stories("section", draft.category_id) in purged
    assert page_tags.story(story.pk) not in purged  # the other story's own page stays


def test_an_unreachable_cdn_does_not_stop_publishing(
    newsroom, settings, caplog, django_capture_on_commit_callbacks
):
    settings.CDN_PURGE_URL = "http://127.0.0.1:9/purge"
    story, draft = newsroom

    with django_capture_on_commit_callbacks(execute=True):
        publishing.publish_article(article=draft)

    assert Article.objects.published().filter(pk=draft.pk).exists()
    assert "CDN purge" in caplog.text


def test_saving_a_draft_nobody_has_seen_keeps_the_cached_pages(
    client, newsroom, django_assert_num_queries
):
    story, draft = newsroom
    client.get("/")
    draft.body = "Otro borrador."
    draft.save()

    with django_assert_num_queries(CACHED_PAGE_QUERIES):
        client.get("/")


def test_a_page_stored_by_the_release_before_cache_tags_is_rendered_again(client, newsroom):
    """During a deploy Redis still holds pages stored with a site-wide generation."""
    story, _ = newsroom
    key = caching._page_key(client.get(story.get_absolute_url()).wsgi_request)
    cache.set(key, {"content": b"old", "headers": {}, "expires": time.time() + 60, "generation": 1})

    response = client.get(story.get_absolute_url())

    assert response.status_code == 200
    assert "El agua de la ciudad" in response.content.decode()
