"""An optional read replica (``DATABASE_REPLICA_URL``): readers' pages read from it.

The rule, in one place: a request reads from the replica only when it is a public GET or HEAD
(not the admin), and its client has not written anything for ``REPLICA_LAG_SECONDS``. A
request that writes marks its client with a cookie for that long, so an editor, a reader who
just logged in or anyone who posted a form reads their own writes from the primary while the
replica catches up. Everything outside a request (management commands, the shell, workers)
and every write uses the primary. Without a replica configured nothing changes.
"""

import contextvars

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.urls import reverse

REPLICA = "replica"
WROTE_COOKIE = "newsroom_wrote"
SAFE_METHODS = ("GET", "HEAD")

_reads_from_replica = contextvars.ContextVar("reads_from_replica", default=False)


def replica_configured() -> bool:
    """Whether the settings name a replica database."""
    return REPLICA in connections.settings


class ReplicaRouter:
    """Send a request's reads to the replica when ``ReplicaMiddleware`` allows it."""

    def db_for_read(self, model, **hints):
        return REPLICA if _reads_from_replica.get() else None

    def db_for_write(self, model, **hints):
        # Anything read after a write in the same request must see that write.
        _reads_from_replica.set(False)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same rows: a story read from the replica may point at an
        # author read from the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica follows the primary's schema by replication, never by migrate.
        return False if db == REPLICA else None


class ReplicaMiddleware:
    """Decide per request which database reads go to, and mark clients that wrote."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        token = _reads_from_replica.set(_may_read_replica(request))
        try:
            response = self.get_response(request)
        finally:
            _reads_from_replica.reset(token)
        if request.method not in SAFE_METHODS:
            response.set_cookie(
                WROTE_COOKIE,
                "1",
                max_age=settings.REPLICA_LAG_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response


def _may_read_replica(request) -> bool:
    return (
        request.method in SAFE_METHODS
        and WROTE_COOKIE not in request.COOKIES
        and not request.path_info.startswith(reverse("admin:index"))
    )
