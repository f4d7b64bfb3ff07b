"""Two gunicorn instances of the site on one PostgreSQL database, one Redis (a redis-server
of the test's own) and one media bucket (moto's S3 server) behave as one site: what an editor
does through instance A is what readers of instance B get at their next request."""

import http.cookiejar
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from articles.models import Article, Image, PreviewLink
from tests.factories import ArticleFactory, UserFactory, image_bytes
from tests.services import (
    AppInstance,
    RedisServer,
    S3Server,
    admin_post,
    admin_upload,
    free_port,
    get,
    site_environment,
)
from tests.test_admin import change_form_data
from tests.test_caching_processes import admin_session, shared_database_url

PASSWORD = "correct horse battery"
CACHE_KEY_PREFIX = f"multi-{uuid.uuid4().hex}"

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def shared_services(tmp_path_factory):
    """One redis-server and one S3 server for every test of the module."""
    redis = RedisServer(free_port(), tmp_path_factory.mktemp("redis"))
    s3 = S3Server(free_port())
    redis.start()
    s3.start()
    yield redis, s3
    s3.stop()
    redis.stop()


@pytest.fixture
def instances(tmp_path, shared_services):
    """Instances A and B on the test's database, the shared Redis and one bucket (new ones for
    each test: the database is emptied between tests, and processes keep ids they read)."""
    if connection.vendor != "postgresql":
        pytest.skip("several instances share a PostgreSQL database (set DATABASE_URL)")
    redis, s3 = shared_services
    bucket = f"media-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(bucket, public=True)
    env = site_environment(
        DATABASE_URL=shared_database_url(tmp_path),
        REDIS_URL=redis.url(),
        CACHE_KEY_PREFIX=CACHE_KEY_PREFIX,
        SERVE_MEDIA="0",
        **s3.environment(bucket),
    )
    pair = [AppInstance(env), AppInstance(env)]
    for instance in pair:
        instance.spawn()
    for instance in pair:
        instance.wait()
    yield [instance.base for instance in pair]
    for instance in pair:
        instance.signal_stop()
    for instance in pair:
        instance.stop()


@pytest.fixture(autouse=True)
def same_cache_as_the_instances(settings, shared_services):
    """The test's own writes (stories made by factories) change the content generation the
    instances read, as a write through any instance or command would."""
    redis, _s3 = shared_services
    settings.CACHES = {
        "default": {
            "BACKEND": "newsroom.redis_cache.RedisCache",
            "LOCATION": redis.url(),
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }


@pytest.fixture
def editor():
    """A superuser (the flush after a transactional test drops the role groups)."""
    return UserFactory(username="editora", is_staff=True, is_superuser=True)


def reader_pages(story: Article) -> list[str]:
    return ["/", story.category.get_absolute_url(), "/feeds/rss/", "/sitemap-articulos.xml"]


def warm(base: str, paths: list[str]) -> None:
    """Read each page twice: the second read is answered from the shared cache."""
    for path in paths:
        for _ in range(2):
            assert get(f"{base}{path}")[0] == 200, path


def test_a_story_published_through_a_is_on_bs_pages_at_the_next_request(instances, editor):
    first, second = instances
    ArticleFactory(headline="Ya estaba")
    story = ArticleFactory(headline="Presas vacías en el norte", in_review=True)
    warm(second, reader_pages(story))

    opener, cookies = admin_session(first, editor.username, PASSWORD)
    admin_post(
        opener, cookies, first, f"/admin/articles/article/{story.pk}/transition/", to="published"
    )

    for path in reader_pages(story):
        assert story.slug in get(f"{second}{path}")[2], path


def test_an_edit_a_correction_and_an_unpublish_through_a_show_on_b(instances, editor):
    first, second = instances
    story = ArticleFactory(headline="El agua de la ciudad", tags=["agua"])
    path = story.get_absolute_url()
    warm(second, ["/", path, "/feeds/rss/"])
    opener, cookies = admin_session(first, editor.username, PASSWORD)

    admin_post(
        opener,
        cookies,
        first,
        f"/admin/articles/article/{story.pk}/change/",
        **change_form_data(story, headline="El agua que falta"),
    )
    assert "El agua que falta" in get(f"{second}/")[2]
    assert "El agua que falta" in get(f"{second}/feeds/rss/")[2]

    admin_post(
        opener,
        cookies,
        first,
        f"/admin/articles/article/{story.pk}/correct/",
        text="La cifra era 42.",
    )
    assert "La cifra era 42" in get(f"{second}{path}")[2]

    admin_post(
        opener, cookies, first, f"/admin/articles/article/{story.pk}/transition/", to="unpublished"
    )
    assert get(f"{second}{path}")[0] == 410
    assert "El agua que falta" not in get(f"{second}/")[2]


def test_a_scheduled_story_appears_on_both_at_its_time_with_no_cron(instances, editor):
    first, second = instances
    ArticleFactory(headline="Ya estaba")
    story = ArticleFactory(headline="Sale a su hora", in_review=True)
    opener, cookies = admin_session(first, editor.username, PASSWORD)
    due = timezone.now() + timedelta(seconds=4)
    admin_post(
        opener,
        cookies,
        first,
        f"/admin/articles/article/{story.pk}/transition/",
        to="published",
        at=due.isoformat(),
    )
    for base in instances:
        warm(base, ["/"])
        assert story.slug not in get(f"{base}/")[2]

    time.sleep(max(0.0, (due - timezone.now()).total_seconds()) + 0.2)

    for base in instances:
        assert story.slug in get(f"{base}/")[2]


def test_an_image_uploaded_through_a_is_served_by_b(instances, editor, shared_services):
    first, second = instances
    story = ArticleFactory(headline="Con foto")
    opener, cookies = admin_session(first, editor.username, PASSWORD)
    admin_upload(
        opener,
        cookies,
        first,
        "/admin/articles/image/add/",
        files={"upload": ("presa.jpg", image_bytes(size=(800, 600)))},
        alt="La presa",
        caption="",
        credit="",
        source="",
        focal_x="0.5",
        focal_y="0.5",
    )
    image = Image.objects.get()
    admin_post(
        opener,
        cookies,
        first,
        f"/admin/articles/article/{story.pk}/change/",
        **change_form_data(story, lead_image=image.pk),
    )

    page = get(f"{second}{story.get_absolute_url()}")[2]
    rendition = image.renditions.get(spec="w640.webp")
    address = f"{shared_services[1].endpoint}/"
    assert rendition.file.name in page and address in page
    served = re.search(re.escape(address) + r'[^" ]+\.webp', page).group(0)
    status, headers, _body = get(served)
    assert status == 200 and headers["Content-Type"] == "image/webp"


def test_login_throttling_counts_attempts_across_instances(instances, editor, settings):
    first, second = instances
    statuses = [
        _login_status((first, second)[attempt % 2], editor.username, "contraseña mala")
        for attempt in range(settings.AXES_FAILURE_LIMIT - 1)
    ]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1)  # the form again, with an error

    # The last allowed failure, on either instance, locks the account out on both.
    assert _login_status(second, editor.username, "contraseña mala") == 429
    assert _login_status(first, editor.username, PASSWORD) == 429
    assert _login_status(second, editor.username, PASSWORD) == 429


def _login_status(base, username, password) -> int:
    """The status of a login attempt with a fresh browser (cookies and CSRF token)."""
    cookies = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
    login = opener.open(f"{base}/admin/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login).group(1)
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": username, "password": password}
    ).encode()
    request = urllib.request.Request(
        f"{base}/admin/login/", data=data, headers={"Referer": f"{base}/admin/"}
    )
    try:
        with opener.open(request, timeout=15) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_preview_link_made_on_a_works_on_b_until_revoked_on_a(instances, editor):
    first, second = instances
    story = ArticleFactory(headline="Borrador para el abogado", draft=True)
    opener, cookies = admin_session(first, editor.username, PASSWORD)

    admin_post(opener, cookies, first, f"/admin/articles/article/{story.pk}/share/")
    link = PreviewLink.objects.get(article=story)
    status, _headers, page = get(f"{second}{link.get_absolute_url()}")
    assert status == 200 and "Borrador para el abogado" in page

    admin_post(
        opener, cookies, first, f"/admin/articles/article/{story.pk}/share/{link.pk}/revoke/"
    )
    assert get(f"{second}{link.get_absolute_url()}")[0] == 410
