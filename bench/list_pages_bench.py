"""Uncached list pages through the full WSGI handler, in process: median ms and queries.

Usage: DATABASE_URL=... .venv/bin/python bench/list_pages_bench.py / /secciones/x/ ...
(``PROFILE=/`` prints a cProfile of that page). The page cache is off; a copy of the lead's
/work/scratch/prof.py that counts queries with an execute wrapper (Django's request_started
signal empties ``connection.queries``, so a capture around a request sees none).
"""

import cProfile
import os
import pstats
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("PAGE_CACHE", "0")
os.environ.setdefault("SECRET_KEY", "x")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("LOG_LEVEL", "WARNING")
sys.path.insert(0, os.getcwd())

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

client = Client()


def queries_of(path: str) -> int:
    """How many statements one request for ``path`` runs."""
    statements = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(statements)


def median_ms(path: str, runs: int = 200) -> float:
    """The median time of ``runs`` requests for ``path``, after 20 to warm up."""
    for _ in range(20):
        client.get(path)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(times) * 1000


for path in sys.argv[1:] or ["/"]:
    print(f"{path}: {median_ms(path):.2f} ms median, {queries_of(path)} queries")
if os.environ.get("PROFILE"):
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(300):
        client.get(os.environ["PROFILE"])
    profile.disable()
    pstats.Stats(profile).sort_stats("cumulative").print_stats(45)
