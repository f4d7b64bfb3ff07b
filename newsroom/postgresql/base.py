"""Django's PostgreSQL backend, with a health check that asks the server only when needed.

With ``CONN_HEALTH_CHECKS`` Django checks a kept connection before the first query of each
request, and its check is a ``SELECT 1``: one more round trip on every request that reads the
database (a page served from stored pieces makes two queries, a story page's related lists
rendered again one). A server that ends a connection (a restart, ``pg_terminate_backend``, a
crashed backend) sends its reason and closes the socket, which makes the socket readable
while no query runs. So the check reads nothing when libpq counts the connection as good,
idle outside a transaction, with nothing waiting on its socket; anything else gets Django's
``SELECT 1``. A connection cut without a word (a dead network) passes both checks alike:
the request's first query fails, and the next request connects again.
"""

import select

from django.db.backends.postgresql import base
from psycopg import OperationalError, pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        """Whether the kept connection can take a query: known without a round trip while
        the server has said nothing since its last answer."""
        connection = self.connection
        if connection is not None and _quiet(connection.pgconn):
            return True
        return super().is_usable()


def _quiet(pgconn) -> bool:
    """Good, idle outside a transaction, and with nothing arrived on the socket unasked."""
    if pgconn.status != pq.ConnStatus.OK:
        return False
    if pgconn.transaction_status != pq.TransactionStatus.IDLE:
        return False
    try:
        readable, _writable, _failed = select.select([pgconn.socket], [], [], 0)
    except (OSError, ValueError, OperationalError):  # no socket, or one select cannot watch
        return False
    return not readable
