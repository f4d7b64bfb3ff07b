"""The load balancer's probe: is this instance able to serve (database and cache answer)?"""

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger("newsroom.health")


def _database_answers() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def _cache_answers() -> bool:
    key, value = f"healthz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    answered = cache.get(key) == value
    cache.delete(key)
    return answered


CHECKS = {"database": _database_answers, "cache": _cache_answers}


@never_cache
def healthz(request):
    """200 when the database and the cache answer, else 503; the reasons go to the log only."""
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception:  # noqa: BLE001 (any failure means "not healthy", and is logged)
            logger.exception("health check %s failed", name, extra={"request": request})
            results[name] = False
    healthy = all(results.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            "checks": {name: "ok" if passed else "failing" for name, passed in results.items()},
        },
        status=200 if healthy else 503,
    )
