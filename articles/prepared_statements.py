"""The few reads PostgreSQL plans once per connection instead of once per page.

Planning was most of PostgreSQL's work for an uncached story page: 0.45 ms to plan the story's
query and 0.12 ms to run it, 0.52 and 0.28 ms for its bylines, tags, organizations and
corrections. A prepared statement is planned once; but after a few runs PostgreSQL may keep a
*generic* plan, chosen without looking at the parameters, and where the best plan depends on
them (a search term, a rare tag whose stories are found by walking the newest first) that plan
can be many times slower: search fell from about 60 to 13 req/s when every repeated query was
prepared. So psycopg prepares nothing by itself (``prepare_threshold`` is None in the
settings), and only reads whose best plan cannot depend on their parameters ask for it, with
``planned_once()``: a story by its unique slug, the rows around a page's stories by their ids,
the newest stories of the site or of a section.
"""

import contextlib

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections


@contextlib.contextmanager
def planned_once(using: str = DEFAULT_DB_ALIAS):
    """Queries run inside are prepared statements on PostgreSQL: planned at their first run
    on a connection, then only executed. Elsewhere, or with ``DB_PREPARED_STATEMENTS`` off
    (a pooler that cannot keep them), it changes nothing."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not settings.DB_PREPARED_STATEMENTS:
        yield
        return
    with connection.execute_wrapper(_prepare_at_first_run):
        yield


def _prepare_at_first_run(execute, sql, params, many, context):
    """Run one statement with psycopg preparing it if it is not prepared yet (a threshold of
    zero runs), and leave the connection preparing nothing on its own again."""
    driver_connection = context["connection"].connection
    driver_connection.prepare_threshold = 0
    try:
        return execute(sql, params, many, context)
    finally:
        driver_connection.prepare_threshold = None
