"""The Redis cache backend keeps one client per connection pool (``newsroom/redis_cache.py``)."""

import os

import pytest
from django.core.cache import cache, caches

from newsroom.redis_cache import RedisCache

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL), as in CI's second run"
)


def test_the_configured_cache_is_ours_and_reuses_its_client():
    backend = caches["default"]
    assert isinstance(backend, RedisCache)
    client = backend._cache.get_client("any", write=True)
    assert backend._cache.get_client("other") is client


def test_the_shared_client_reads_what_it_wrote_across_operations():
    cache.set("redis-cache-test", {"página": 1}, timeout=30)
    cache.incr(cache.add("redis-cache-count", 1, timeout=30) and "redis-cache-count")
    assert cache.get_many(["redis-cache-test", "redis-cache-count"]) == {
        "redis-cache-test": {"página": 1},
        "redis-cache-count": 2,
    }
    cache.delete_many(["redis-cache-test", "redis-cache-count"])
    assert cache.get("redis-cache-test") is None
