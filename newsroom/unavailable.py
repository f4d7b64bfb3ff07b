"""The database is down: readers get a 503 page that says so, not a 500.

``DatabaseUnavailableMiddleware`` sits right below the page cache in ``MIDDLEWARE``: a page the
cache holds is answered before this middleware and before anything that reads the database,
so stored pages keep being served during the outage; any page that needs the database gets
the standalone 503 page (rendered without a query, without the site's base template) with
``Retry-After``. When the database returns, the next request opens a new connection (Django's
health checks drop the dead one): nothing has to be restarted.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger("newsroom.unavailable")

# Seconds a reader's browser or a crawler is asked to wait before trying again.
RETRY_AFTER_SECONDS = 30
# What a refused, dropped or timed-out connection raises (also SQLite's "database is locked"
# past its timeout: "try again shortly" is the right answer there too). A query's own errors
# (IntegrityError, ProgrammingError) stay 500s: those are bugs to see.
UNREACHABLE = (OperationalError, InterfaceError)


class DatabaseUnavailableMiddleware:
    """Turn a lost database connection into a 503 with ``Retry-After``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, UNREACHABLE):
            return None
        logger.warning("database unreachable: %s", exception, extra={"request": request})
        return database_unavailable_response()


def database_unavailable_response() -> HttpResponse:
    """The 503 page: standalone HTML, no query, never stored by a cache."""
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response
