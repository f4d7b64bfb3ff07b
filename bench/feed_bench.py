"""Uncached feeds in-process: milliseconds (wall and CPU) and queries per request.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench \\
        python bench/feed_bench.py --requests 200 /feeds/rss/ /feeds/atom/ section

Requests go through Django's test client (every middleware) with the page cache off
(``PAGE_CACHE=0``), so every request renders the feed. ``section`` stands for the RSS feed of
the section with the most stories. Prints the median of each. Run it on a database seeded by
``bench/seed.py`` (``manage.py write_story_pages`` after changing what a row's pieces print).
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
os.environ.setdefault("SECRET_KEY", "bench")
os.environ.setdefault("ALLOWED_HOSTS", "localhost,testserver")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["PAGE_CACHE"] = "0"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402

from articles.models import Category  # noqa: E402


def busiest_section_feed() -> str:
    section = Category.objects.annotate(stories=Count("articles")).order_by("-stories").first()
    return f"/feeds/secciones/{section.slug}/rss/"


def measure(client, path, requests) -> tuple[float, float, int]:
    """Median wall and CPU milliseconds of ``requests`` requests, and one request's queries."""
    statements = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        assert client.get(path).status_code == 200, path
    for _ in range(20):
        client.get(path)
    wall, cpu = [], []
    for _ in range(requests):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(path)
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000, len(statements)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="*", default=["/feeds/rss/", "/feeds/atom/", "section"])
    parser.add_argument("--requests", type=int, default=200)
    arguments = parser.parse_args()
    client = Client()
    for path in arguments.paths:
        path = busiest_section_feed() if path == "section" else path
        wall, cpu, queries = measure(client, path, arguments.requests)
        print(f"{path}: {wall:.2f} ms, {cpu:.2f} ms CPU, {queries} queries")


if __name__ == "__main__":
    main()
