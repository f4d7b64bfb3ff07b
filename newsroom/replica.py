"""An optional read replica (``DATABASE_REPLICA_URL``): readers' pages read from it.

The lag rule, in one place: for ``REPLICA_LAG_SECONDS`` after any write, on any instance,
every request reads from the primary; past that, a public GET or HEAD (not the admin) reads
from the replica. The time of the last write is kept in the shared cache, so the rule holds
across instances, and the page cache never stores a page rendered from a replica that has not
caught up with the change that invalidated it. Set the lag above the replica's worst
replication delay. A request that writes reads its own writes from the primary from then on;
everything outside a request (management commands, the shell) uses the primary. If the cache
cannot say when the last write was, reads use the primary. Without a replica nothing changes.
"""

import contextvars
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.urls import reverse

logger = logging.getLogger("newsroom.replica")

REPLICA = "replica"
LAST_WRITE_KEY = "replica:last-write"
SAFE_METHODS = ("GET", "HEAD")

_reads_from_replica = contextvars.ContextVar("reads_from_replica", default=False)
# When this process last told the cache it wrote: a bulk write records its time once a second.
_recorded_at = [0.0]


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
        if replica_configured():
            record_write()
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same rows: a story read from the replica may point at an
        # author read from the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica follows the primary's schema by replication, never by migrate.
        return False if db == REPLICA else None


def record_write() -> None:
    """Tell every instance that the primary changed now (at most once a second per process)."""
    now = time.time()
    if now - _recorded_at[0] < 1:
        return
    try:
        # One second more than the lag covers the writes this process did not record.
        cache.set(LAST_WRITE_KEY, now, timeout=settings.REPLICA_LAG_SECONDS + 1)
    except Exception:  # noqa: BLE001 (a cache outage must not fail the write)
        logger.warning("could not record a write for the replica's lag rule", exc_info=True)
        return
    _recorded_at[0] = now


def replica_has_caught_up() -> bool:
    """True when no write happened in the last ``REPLICA_LAG_SECONDS`` (the cache says so)."""
    try:
        last_write = cache.get(LAST_WRITE_KEY)
    except Exception:  # noqa: BLE001 (unknown: the primary is the safe answer)
        return False
    return last_write is None or time.time() - last_write >= settings.REPLICA_LAG_SECONDS


class ReplicaMiddleware:
    """Decide per request which database its reads go to."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        token = _reads_from_replica.set(_may_read_replica(request))
        try:
            return self.get_response(request)
        finally:
            _reads_from_replica.reset(token)


def _may_read_replica(request) -> bool:
    return (
        request.method in SAFE_METHODS
        and not request.path_info.startswith(reverse("admin:index"))
        and replica_has_caught_up()
    )
