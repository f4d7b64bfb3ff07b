"""How long after a change's commit is acknowledged its notice can be read by another process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench python bench/notice_lag.py \\
        --changes 500 --pause 0.02

A process listening as the site's processes do (``articles/tag_mirror.py``) waits on its
socket and notes when each change's notice arrives; this process makes the changes with
``tag_versions.bump`` (one transaction each, tag ``bench:notice-lag``, which no page shows)
and notes when each commit returns. Both read the same clock (CLOCK_MONOTONIC). A reader's
request arriving inside the difference, after the writer was told "saved" and before the
notice reached the reader's socket, is answered from what the reader knew before the change.
Prints how many notices were not yet readable when the commit returned, and the lag's
median, 99th percentile and maximum.
"""

import argparse
import multiprocessing
import os
import select
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("NEWSROOM_ALLOW_INSECURE_KEY", "1")

TAG = "bench:notice-lag"


def listen(ready, arrivals, expected):
    """The reader: listen, then note the arrival time of each notice carrying ``TAG``."""
    import django

    django.setup()
    from django.db import connection

    from articles import tag_mirror

    params = connection.get_connection_params()
    for django_only in ("cursor_factory", "context", "server_side_binding"):
        params.pop(django_only, None)
    listener = connection.Database.connect(**params, autocommit=True)
    listener.execute(f"LISTEN {tag_mirror.CHANNEL}")
    ready.set()
    seen = {}
    while len(seen) < expected:
        select.select([listener.fileno()], [], [], 5)
        now = time.monotonic()
        for notify in listener.notifies(timeout=0):
            number, *tags = notify.payload.split(" ")
            if TAG in tags:
                seen[int(number)] = now
    arrivals.put(seen)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=500)
    parser.add_argument("--pause", type=float, default=0.02, help="seconds between changes")
    options = parser.parse_args()

    context = multiprocessing.get_context("spawn")
    ready, arrivals = context.Event(), context.Queue()
    reader = context.Process(target=listen, args=(ready, arrivals, options.changes))
    reader.start()
    ready.wait(30)

    import django

    django.setup()
    from django.db import connection, transaction

    from articles import tag_versions

    acknowledged = {}
    for _ in range(options.changes):
        with transaction.atomic():
            tag_versions.bump([TAG])
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT version FROM {tag_versions.TABLE} WHERE tag = %s",
                    [tag_versions.COUNTER],
                )
                number = cursor.fetchone()[0]
        acknowledged[number] = time.monotonic()
        time.sleep(options.pause)
    seen = arrivals.get(timeout=60)
    reader.join(10)

    lags = sorted((seen[number] - at) * 1000 for number, at in acknowledged.items())
    late = [lag for lag in lags if lag > 0]
    print(f"changes: {len(lags)}, load average {os.getloadavg()[0]:.2f}")
    print(
        f"notice not yet readable when the commit returned: {len(late)} ({len(late) / len(lags):.0%})"
    )
    print(
        f"lag after the commit returned, ms: median {statistics.median(lags):.3f}, "
        f"p99 {lags[int(len(lags) * 0.99) - 1]:.3f}, max {lags[-1]:.3f}"
    )


if __name__ == "__main__":
    main()
