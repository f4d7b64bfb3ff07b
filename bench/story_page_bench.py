"""The uncached story page in-process: milliseconds per page, of which templates, and queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench \\
        python bench/story_page_bench.py --pages 100 --rounds 3

Requests go through Django's test client (every middleware, the page cache's checks), each to
a different published story, with the stored pages dropped before each one, so every page is
a cache miss; one page is asked for first, so the lists read once per change (the menu, the
related stories' window) are read before the timing starts, as on a running site. Prints the
median of the rounds. Run it on a database seeded by ``bench/seed.py``.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("NEWSROOM_ALLOW_INSECURE_KEY", "1")
os.environ.setdefault("ALLOWED_HOSTS", "localhost")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from jinja2 import Template  # noqa: E402

from articles.models import Article  # noqa: E402

template_seconds = 0.0
_render = Template.render
_depth = [0]


def timed_render(self, *args, **kwargs):
    """Jinja's Template.render, adding the time of the outermost one to ``template_seconds``
    (the page's template, and the related lists' rendered before it; a picture or a list
    rendered inside another template counts once)."""
    global template_seconds
    _depth[0] += 1
    started = time.perf_counter()
    try:
        return _render(self, *args, **kwargs)
    finally:
        _depth[0] -= 1
        if not _depth[0]:
            template_seconds += time.perf_counter() - started


def one_round(client, addresses) -> tuple[float, float, float, float]:
    """(ms per page, of which this process's CPU, template ms, queries) per page over these
    addresses. The CPU time leaves out the database's work and the time spent waiting for a
    core, which on a busy machine can be most of the wall-clock time."""
    global template_seconds
    template_seconds = total = cpu = 0.0
    queries = 0
    for address in addresses:
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(address, HTTP_HOST="localhost")
            total += time.perf_counter() - started
            cpu += time.process_time() - started_cpu
        assert response.status_code == 200, (address, response.status_code)
        queries += len(captured)
    count = len(addresses)
    return (
        total / count * 1000,
        cpu / count * 1000,
        template_seconds / count * 1000,
        queries / count,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    Template.render = timed_render
    stories = Article.objects.published().select_related("category").order_by("-id")
    addresses = [story.get_absolute_url() for story in stories[: args.pages + 1]]
    client = Client()
    client.get(addresses.pop(), HTTP_HOST="localhost")  # the lists read once per change
    rounds = [one_round(client, addresses) for _ in range(args.rounds)]
    page, cpu, templates, queries = (
        statistics.median(column) for column in zip(*rounds, strict=True)
    )
    spread = ", ".join(f"{round_[0]:.2f}" for round_ in rounds)
    print(
        f"{len(addresses)} uncached story pages on {connection.vendor}, median of {args.rounds}"
        f" rounds: {page:.2f} ms/page (rounds: {spread}), this process's CPU {cpu:.2f} ms,"
        f" templates {templates:.2f} ms,"
        f" {queries:.1f} queries/page"
    )


if __name__ == "__main__":
    main()
