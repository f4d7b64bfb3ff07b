"""The durable record of what changed: one version per cache tag, in the database.

A change readers can see moves its tags on (``bump``) in the same transaction as the change
itself, so the record commits or rolls back with it and no cache outage can lose it. Every
tag's version is the number of the change that last moved it: changes take their numbers
from one counter row (the tag ``COUNTER``), which the transaction keeps locked until it
commits, so numbers are handed out in commit order and a page built while the counter read
``n`` shows every change numbered ``n`` or less and none after (``fresh_as_of``).

After the commit the new versions are copied to the cache and the CDN is told which tags to
purge; neither is needed for exactness: pages are checked against the database, and against
the cache's copies only while the database cannot be read (``fresh_as_of``).

On PostgreSQL the change also sends a notice that PostgreSQL delivers at its commit, and
each process answers from its mirror of what moved (``tag_mirror``) without asking the
database, whenever the mirror can be sure; otherwise it reads the database as above.

``remember()`` keeps a value every page shares (the navigation's sections, the newest stories
related stories come from) in this process's memory while the versions of its tags stay put.

The lowest layer that knows of the cache: plain SQL on the table of ``PageTagVersion``, so it
imports no model, and the reads below models can use it.
"""

import contextvars
import json
import logging
import time
import urllib.request

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction

from . import page_tags, tag_mirror
from .prepared_statements import planned_once

logger = logging.getLogger(__name__)

TABLE = "articles_pagetagversion"
# The counter every change takes its number from; its version is the newest change's number.
COUNTER = "#"
# Where the cache keeps its copy of a tag's version (read only while the database is down).
CACHE_KEY = "pages:tag:{}"
# The cache's copy of the counter: the newest change whose writer has told the cache, read
# with every stored page, so a mirror still waiting for that change's notice knows it is behind.
COUNTER_COPY = CACHE_KEY.format(COUNTER)

# Values every page shares: name -> (number of the change it was read after, the tags it
# depends on, time it expires, value). A value is never changed once stored.
_remembered: dict[str, tuple[int, frozenset, float, object]] = {}
# The counter and the versions of ``SHARED_TAGS`` read once per request (``begin_request``).
_request_versions = contextvars.ContextVar("request_versions", default=None)
# The tags the values kept by ``remember`` depend on, read with the counter in one query.
SHARED_TAGS = (COUNTER, page_tags.SITE, page_tags.SECTIONS)
# What moved, as PostgreSQL tells this process (``tag_mirror``).
_mirror = tag_mirror.TagMirror(TABLE, COUNTER)


def bump(tags, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Record that what these tags name changed, in the current transaction.

    Takes the next number from the counter (locking its row until the transaction ends) and
    sets every tag's version to it. After the commit the cache's copies are updated and the
    CDN purges the tags, once per transaction however many changes it made.
    """
    tags = set(tags) | {COUNTER}
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        # A counter that is missing (a flushed database) starts again from the clock, above
        # any number a page kept in the cache can carry.
        cursor.execute(
            f"INSERT INTO {TABLE} (tag, version) VALUES (%s, %s) "
            f"ON CONFLICT (tag) DO UPDATE SET version = {TABLE}.version + 1",
            [COUNTER, time.time_ns() // 1000],
        )
        cursor.execute(f"SELECT version FROM {TABLE} WHERE tag = %s", [COUNTER])
        number = cursor.fetchone()[0]
        others = sorted(tags - {COUNTER})
        if others:
            values = ", ".join(["(%s, %s)"] * len(others))
            cursor.execute(
                f"INSERT INTO {TABLE} (tag, version) VALUES {values} "
                "ON CONFLICT (tag) DO UPDATE SET version = excluded.version",
                [value for tag in others for value in (tag, number)],
            )
        if connection.vendor == "postgresql":
            # Delivered to every listening process only once the transaction commits.
            cursor.execute(
                "SELECT pg_notify(%s, %s)", [tag_mirror.CHANNEL, tag_mirror.notice(number, others)]
            )
    slot = _request_versions.get()
    if slot is not None:
        slot.clear()  # this request changed things: read the versions again when next asked
    # One copy and one purge per transaction, however many changes it made: the callback
    # already waiting for this transaction's commit, in the same savepoint, takes these tags
    # too. A rollback drops it.
    savepoints = set(connection.savepoint_ids)
    waiting = next(
        (
            callback
            for registered_in, callback, *_robust in connection.run_on_commit
            if isinstance(callback, _AfterCommit) and registered_in == savepoints
        ),
        None,
    )
    first = waiting is None
    if first:
        waiting = _AfterCommit()
    waiting.versions.update(dict.fromkeys(tags, number))
    if first:
        # Registered once filled: outside a transaction (autocommit) ``on_commit`` calls it
        # at once.
        transaction.on_commit(waiting, using=using)


class _AfterCommit:
    """What a transaction's changes tell the cache and the CDN once it commits."""

    def __init__(self):
        self.versions: dict[str, int] = {}

    def __call__(self):
        _after_commit(self.versions)


def _after_commit(versions: dict[str, int]) -> None:
    """Tell this process's mirror, copy the committed versions to the cache and purge
    their tags at the CDN."""
    _mirror.record({tag: number for tag, number in versions.items() if tag != COUNTER})
    try:
        cache.set_many({CACHE_KEY.format(tag): number for tag, number in versions.items()}, None)
    except Exception:  # every backend raises its own errors; the database has the record
        logger.warning("Could not copy changed cache tags to the cache.", exc_info=True)
    purge_cdn(sorted(versions.keys() - {COUNTER}))


def purge_cdn(tags) -> None:
    """POST the changed tags to ``CDN_PURGE_URL``, if set: JSON ``{"tags": [...]}`` (what
    Cloudflare's purge API takes), with the tags also in ``Surrogate-Key`` and ``xkey-purge``
    headers (Fastly, Varnish xkey; docs/performance.md)."""
    target = settings.CDN_PURGE_URL
    if not target or not tags:
        return
    body = json.dumps({"tags": list(tags)}).encode()
    keys = " ".join(tags)
    request = urllib.request.Request(
        target,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Surrogate-Key": keys, "xkey-purge": keys},
    )
    try:
        urllib.request.urlopen(request, timeout=settings.CDN_PURGE_TIMEOUT).close()
    except (OSError, ValueError):
        logger.warning("CDN purge at %s failed; the CDN keeps pages until they expire.", target)


def _versions(tags, using: str) -> dict[str, int]:
    """The database's versions of these tags (a tag never changed has none): one query."""
    tags = list(tags)
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement text whatever the number of tags, so every page's check runs one
            # prepared statement, planned once per connection.
            with planned_once(using):
                cursor.execute(f"SELECT tag, version FROM {TABLE} WHERE tag = ANY(%s)", [tags])
        else:
            placeholders = ", ".join(["%s"] * len(tags))
            cursor.execute(f"SELECT tag, version FROM {TABLE} WHERE tag IN ({placeholders})", tags)
        return dict(cursor.fetchall())


def begin_request() -> contextvars.Token:
    """Start a request's record of the versions it read (``end_request`` returns it)."""
    return _request_versions.set({})


def end_request(token: contextvars.Token) -> None:
    """Forget the request's versions."""
    _request_versions.reset(token)


def shared_versions(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """The counter and the versions of ``SHARED_TAGS``, read once per request (every time
    outside one). Read before a page is rendered: the page is built "as of" the counter."""
    slot = _request_versions.get()
    if slot:
        return slot
    versions = _mirror.shared_versions(SHARED_TAGS) if using == _mirror.using else None
    if versions is None:
        versions = _versions(SHARED_TAGS, using)
    versions.setdefault(COUNTER, 0)
    if slot is not None:
        slot.update(versions)
    return versions


def fresh_as_of(
    tags, number: int, using: str = DEFAULT_DB_ALIAS, *, newest_told: int | None = None
) -> int | None:
    """If none of these tags moved on after change ``number``, the number of the newest
    change a page built after ``number`` is known to show (``number`` or later); None if one
    moved on, or nothing can tell.

    Answered by this process's mirror when it can be sure (``tag_mirror``), otherwise by one
    indexed read of the database. ``newest_told`` is the cache's copy of the counter
    (``COUNTER_COPY``, read with the page): a writer sets it right after its commit, so a
    mirror that has not yet received notices up to it asks the database instead. A page the database finds fresh while the mirror listens
    shows every change up to the mirror's start, so a page stored before this process
    listened can be kept as of then (and answered by the mirror next time). While the
    database cannot be read the cache's copies of the versions answer (a page stored before
    an outage is still served, see docs/performance.md).
    """
    listening_since = None
    if using == _mirror.using:
        moved = _mirror.moved_after(tags, number, newest_told=newest_told)
        if moved is not None:
            return None if moved else number
        listening_since = _mirror.listening_since()  # before the read: it then shows as much
    try:
        versions = _versions(tags, using)
    except DatabaseError:
        logger.warning("Cache tag versions unreadable in the database; asking the cache.")
        try:
            versions = cache.get_many([CACHE_KEY.format(tag) for tag in tags])
        except Exception:  # every backend raises its own errors
            return None
        listening_since = None  # the copies may lag the database: vouch for nothing more
    if any(version > number for version in versions.values()):
        return None
    return max(number, listening_since or 0)


def remember(name: str, tags, compute, *, lifetime=None):
    """``compute()``, kept in this process's memory until one of ``tags`` (all among
    ``SHARED_TAGS``) moves on, or ``lifetime`` seconds pass (a number, or a function asked
    before computing and returning one or None: the next scheduled story).

    Asks nothing of the database but the request's one read of the shared versions. With
    ``PER_GENERATION_MEMORY`` off, computed every time.
    """
    if not settings.PER_GENERATION_MEMORY:
        return compute()
    tags = frozenset(tags)
    versions = shared_versions()
    number = versions[COUNTER]
    now = time.time()
    held = _remembered.get(name)
    if (
        held is not None
        and held[1] == tags
        and held[2] > now
        and all(versions.get(tag, 0) <= held[0] for tag in tags)
    ):
        return held[3]
    if callable(lifetime):
        lifetime = lifetime()  # asked before computing: what happens meanwhile ends the value
    value = compute()
    expires = now + (settings.PAGE_CACHE_TIMEOUT if lifetime is None else lifetime)
    _remembered[name] = (number, tags, expires, value)
    return value


def stop_listening() -> None:
    """Close this process's listening connection (tests, whose database is new); the next
    question listens again."""
    _mirror.stop()


def forget_remembered(name: str | None = None) -> None:
    """Drop the value ``remember`` keeps under ``name`` (every value without one: tests, whose
    new database starts its numbers again)."""
    if name is None:
        _remembered.clear()
    else:
        _remembered.pop(name, None)
