"""Probes: liveness (``/healthz``, this process can serve) and readiness (``/readyz``, what it
depends on answers). docs/operations.md says which one a load balancer follows."""

import logging
import uuid

from django.core.cache import cache
from django.core.files.storage import default_storage
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


def _storage_answers() -> bool:
    # A name that never exists: the store answers "no" when it is up, raises when it is not.
    default_storage.exists(f"readyz/{uuid.uuid4().hex}")
    return True


# What each dependency's loss means: without the database no page can be made; without the
# cache pages are made uncached, and without the media store only uploads fail.
REQUIRED = {"database": _database_answers}
DEGRADING = {"cache": _cache_answers, "storage": _storage_answers}


@never_cache
def healthz(request):
    """Liveness: 200 whenever this process answers requests. It checks nothing else, so a
    cache or database blip never takes every instance out of rotation at once."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    """Readiness: 503 when the database does not answer; a failing cache or media store is
    reported as "degraded" with 200 (pages are still served). Reasons go to the log only."""
    results = {
        name: _run(name, check, request) for name, check in {**REQUIRED, **DEGRADING}.items()
    }
    if not all(results[name] for name in REQUIRED):
        status = "unavailable"
    elif not all(results.values()):
        status = "degraded"
    else:
        status = "ok"
    return JsonResponse(
        {
            "status": status,
            "checks": {name: "ok" if passed else "failing" for name, passed in results.items()},
        },
        status=503 if status == "unavailable" else 200,
    )


def _run(name, check, request) -> bool:
    try:
        return check()
    except Exception:  # noqa: BLE001 (any failure means "not answering", and is logged)
        logger.exception("readiness check %s failed", name, extra={"request": request})
        return False
