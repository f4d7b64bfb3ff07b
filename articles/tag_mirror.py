"""What changed, told by PostgreSQL rather than asked of it: each process's mirror of the
versions of the cache tags that moved since it started listening.

``tag_versions.bump`` sends a notice on ``CHANNEL`` in the change's own transaction
(``pg_notify``), so PostgreSQL delivers it only if the change commits, after the commit, and
in commit order, which is the order of the changes' numbers. Each process keeps one
connection listening, and before answering it takes whatever notices have reached that
connection's socket, without waiting (a poll, no round trip). Committed numbers follow each
other without holes (a rolled-back change gives its number back), so the mirror knows every
tag that moved between ``start`` (the counter read once listening) and ``last`` (the newest
number received with none missing before it).

It answers only when it can be sure, and says None otherwise, so the caller reads the
database as before: a number skipped (a notice too long for PostgreSQL, a counter started
again), the listening connection lost, a page built before ``start``, or a question asked
inside a transaction (which may hold changes of its own that no notice tells). After a skip
it reads what moved since ``last`` (listening first, so nothing falls in between); every
``CHECK_INTERVAL`` it does the same, which finds a connection that died silently. The moment
between a writer's commit and its notice reaching a reader's socket (docs/performance.md
measures it) is closed by the cache: right after its commit a writer copies the change's
number there (``tag_versions.COUNTER_COPY``), the reader reads that copy with the page, and a
mirror that has not received notices up to it reads what moved before it answers. A process's own changes are
recorded at their commit, so it never misses those.

PostgreSQL only: on SQLite the database is in the process and its read is cheap.
"""

import logging
import os
import select
import threading
import time

from django.db import DEFAULT_DB_ALIAS, connections

logger = logging.getLogger(__name__)

CHANNEL = "page_tags"
# PostgreSQL refuses a notice of 8,000 bytes or more; a longer one carries the number and
# ``RELOAD``, and the mirror reads that change's tags from the database.
PAYLOAD_LIMIT = 7900
RELOAD = "*"
RETRY_INTERVAL = 1.0  # seconds between two attempts to listen again after a failure
WARNING_INTERVAL = 60  # seconds between two warnings that listening failed
CHECK_INTERVAL = 1.0  # seconds between two reads confirming no notice was missed
MAX_TAGS = 200_000  # tags kept before the mirror starts again from the current number
# The listening connection notices a silent network failure within seconds (TCP keepalives).
KEEPALIVE = dict(
    keepalives=1, keepalives_idle=5, keepalives_interval=1, keepalives_count=3,
    tcp_user_timeout=3000, connect_timeout=2,
)  # fmt: skip


def notice(number: int, tags) -> str:
    """The payload announcing change ``number`` and its tags (only the number if too long)."""
    payload = " ".join([str(number), *sorted(tags)])
    return payload if len(payload.encode()) <= PAYLOAD_LIMIT else f"{number} {RELOAD}"


class TagMirror:
    """One process's mirror of the versions of tags moved since it started listening.

    ``table`` and ``counter`` name the record's table and its counter row (``tag_versions``).
    Safe for threaded servers (one lock); a forked worker opens its own connection.
    """

    def __init__(self, table: str, counter: str, using: str = DEFAULT_DB_ALIAS):
        self.table, self.counter, self.using = table, counter, using
        self.lock = threading.Lock()
        self.listener = None
        self.pid = None
        self.start = self.last = None  # None: nothing known yet
        self.versions: dict[str, int] = {}
        self.own_newest = 0  # this process's newest own change, whose notice may lag ``last``
        self.retry_at = self.check_at = self.warned_at = 0.0
        self.reads = 0  # database reads made by the mirror (tests and benchmarks look)

    def moved_after(self, tags, number: int, *, newest_told: int | None = None) -> bool | None:
        """Whether any of ``tags`` moved on after change ``number``; None if not sure.

        ``newest_told``: a change known to have committed (its writer told the cache). If its
        notice has not reached this process yet, the mirror reads what moved from the
        database first (one query), so it answers as of that change."""
        with self.lock:
            if not self._ready() or number < self.start:
                return None
            if newest_told is not None and newest_told > self.last and not self._caught_up():
                return None
            if number >= self.last and number >= self.own_newest:
                return False  # built after every change known: no need to look at its tags
            versions = self.versions
            return any(versions.get(tag, 0) > number for tag in tags)

    def shared_versions(self, tags) -> dict[str, int] | None:
        """The counter and an upper bound of each tag's version, as ``tag_versions`` reads
        them from the database (a tag that has not moved since ``start`` gets ``start``);
        None if not sure."""
        with self.lock:
            if not self._ready():
                return None
            found = {tag: self.versions.get(tag, self.start) for tag in tags}
            found[self.counter] = self.last
            return found

    def listening_since(self) -> int | None:
        """The number from which the mirror knows every change, if it is listening now."""
        with self.lock:
            if self.listener is None or self.pid != os.getpid():
                return None
            return self.start

    def record(self, versions: dict[str, int]) -> None:
        """This process's own committed change: known at once, whatever its notice does."""
        with self.lock:
            for tag, number in versions.items():
                if number > self.versions.get(tag, 0):
                    self.versions[tag] = number
                self.own_newest = max(self.own_newest, number)

    def stop(self) -> None:
        """Close the listening connection and forget what it told; the next question starts
        listening again."""
        with self.lock:
            self._drop()
            self.start = self.last = None
            self.versions = {}
            self.own_newest = 0
            self.retry_at = 0.0

    def _ready(self) -> bool:
        """Listening, every notice received taken in, and nothing missed."""
        if connections[self.using].vendor != "postgresql":
            return False
        if connections[self.using].in_atomic_block:
            return False
        now = time.monotonic()
        if self.listener is None or self.pid != os.getpid():
            if now < self.retry_at:
                return False
            return self._listen(now)
        try:
            self._drain()
            if now >= self.check_at:
                self._catch_up(now)
        except Exception:  # a lost connection raises psycopg's errors, or worse
            self._failed(now, "Listening for changes failed")
            return False
        return True

    def _drain(self) -> None:
        """Take every notice that reached the socket, without waiting. One poll reads one
        packet: a backend that was ended sends its error, then closes, and only a second
        poll finds the closed socket. So poll until nothing is left to read."""
        while True:
            # Taken in whole first: a read on the connection cannot run while it yields.
            for notify in list(self.listener.notifies(timeout=0)):
                self._take(notify.payload)
            if not select.select([self.listener.fileno()], [], [], 0)[0]:
                return

    def _take(self, payload: str) -> None:
        number, *tags = payload.split(" ")
        number = int(number)
        if number <= self.last:
            return  # already read from the database
        if number != self.last + 1 or RELOAD in tags:
            self._catch_up(time.monotonic())
            return
        for tag in tags:
            self.versions[tag] = number
        self.last = number

    def _listen(self, now: float) -> bool:
        """Start listening, then read the counter (the mirror knows every change after it),
        or, listening again after a failure, read what moved while nobody listened."""
        self._drop()
        try:
            connection = connections[self.using]
            params = connection.get_connection_params()
            for django_only in ("cursor_factory", "context", "server_side_binding"):
                params.pop(django_only, None)
            self.listener = connection.Database.connect(**params, **KEEPALIVE, autocommit=True)
            self.pid = os.getpid()
            self.listener.execute(f"LISTEN {CHANNEL}")
            if self.last is None:
                row = self.listener.execute(
                    f"SELECT version FROM {self.table} WHERE tag = %s", [self.counter]
                ).fetchone()
                self.reads += 1
                self.start = self.last = row[0] if row else 0
                self.versions = {}
                self.check_at = now + CHECK_INTERVAL
            else:
                self._catch_up(now)
        except Exception:  # the database is down or refuses us: ask it directly meanwhile
            self._failed(now, "Could not listen for changes")
            return False
        return True

    def _catch_up(self, now: float) -> None:
        """Read every tag that moved after ``last`` (notices still on their way are then
        skipped as already known)."""
        rows = self.listener.execute(
            f"SELECT tag, version FROM {self.table} WHERE version > %s", [self.last]
        ).fetchall()
        self.reads += 1
        for tag, number in rows:
            self.versions[tag] = max(number, self.versions.get(tag, 0))
            self.last = max(self.last, number)
        if len(self.versions) > MAX_TAGS:
            self.start, self.versions = self.last, {}
        self.check_at = now + CHECK_INTERVAL

    def _caught_up(self) -> bool:
        """Read what moved since ``last`` now (a change committed whose notice is still on its
        way); False if the read failed."""
        now = time.monotonic()
        try:
            self._catch_up(now)
        except Exception:  # a lost connection raises psycopg's errors, or worse
            self._failed(now, "Reading the changes a notice has not told yet failed")
            return False
        return True

    def _failed(self, now: float, what: str) -> None:
        """Stop listening, try again in ``RETRY_INTERVAL``; warn at most once a minute."""
        self._drop()
        self.retry_at = now + RETRY_INTERVAL
        if now - self.warned_at > WARNING_INTERVAL:
            self.warned_at = now
            logger.warning("%s; reading versions from the database.", what, exc_info=True)

    def _drop(self) -> None:
        # A forked worker leaves its parent's connection alone: closing it would end it for both.
        if self.listener is not None and self.pid == os.getpid():
            self.listener.close()
        self.listener = self.pid = None
