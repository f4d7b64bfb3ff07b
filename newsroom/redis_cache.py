"""Django's Redis cache backend, with one redis-py client per connection pool.

Django's client makes a new ``redis.Redis`` for every cache call. The connections are pooled,
but each new client rebuilds its table of about 170 response callbacks: on a page served from
the cache that was a fifth of the request's time. A client is safe to share between calls and
threads (it holds no connection of its own; the pool hands them out), so we keep one.
"""

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` with the client above."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
