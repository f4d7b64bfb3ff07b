"""The health probe, what an error shows readers with DEBUG off, and a cache outage."""

import json
import logging

import pytest
from django.core.cache import caches
from django.urls import reverse

from newsroom.log import RequestContextFilter
from tests.factories import ArticleFactory

# A real Redis client pointed at a port where nothing listens: every cache call fails.
UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@pytest.fixture
def cache_outage(settings):
    settings.CACHES = UNREACHABLE_REDIS
    yield
    caches["default"].close()


def test_readiness_answers_200_when_database_cache_and_storage_answer(client, db):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert json.loads(response.content) == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "storage": "ok"},
    }
    assert "no-cache" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]


@pytest.mark.threat(71)
def test_liveness_stays_200_when_the_cache_is_down(client, db, cache_outage):
    """A load balancer follows /healthz: a Redis blip must not take every instance out."""
    response = client.get("/healthz")

    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}
    assert "max-age=0" in response["Cache-Control"]


@pytest.mark.threat(71)
def test_readiness_says_degraded_without_details_when_the_cache_is_down(
    client, db, cache_outage, caplog
):
    with caplog.at_level(logging.ERROR, logger="newsroom.health"):
        response = client.get("/readyz")

    assert response.status_code == 200
    body = json.loads(response.content)
    assert body == {
        "status": "degraded",
        "checks": {"database": "ok", "cache": "failing", "storage": "ok"},
    }
    assert "127.0.0.1" not in response.text and "Error" not in response.text
    assert "readiness check cache failed" in caplog.text


def test_health_is_not_redirected_to_https(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/").status_code == 301


@pytest.mark.threat(71)
def test_t71_pages_and_the_admin_login_work_during_a_cache_outage(client, db, cache_outage):
    article = ArticleFactory()

    for url in ["/", article.get_absolute_url(), reverse("articles:feed-rss"), "/admin/login/"]:
        assert client.get(url).status_code == 200, url


@pytest.mark.threat(65)
@pytest.mark.urls("tests.error_urls")
def test_t65_a_500_with_debug_off_shows_the_generic_page_and_logs_the_request(client, db, settings):
    settings.DEBUG = False
    client.raise_request_exception = False
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    handler.addFilter(RequestContextFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        response = client.get("/fallo/?id=7")
    finally:
        logger.removeHandler(handler)

    assert response.status_code == 500
    assert "secret detail" not in response.text
    assert "Traceback" not in response.text and "SECRET_KEY" not in response.text
    assert 'href="/static/css/error.css"' in response.text
    [record] = records
    assert "GET /fallo/?id=7" in record.request_context


@pytest.mark.threat(65)
def test_t65_the_404_page_escapes_the_path(client, db):
    response = client.get("/<script>alert(1)</script>/")

    assert response.status_code == 404
    assert "<script>alert(1)" not in response.text
