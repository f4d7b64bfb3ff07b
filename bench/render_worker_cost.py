"""What the render worker (articles/render_worker.py) costs a normal save.

Renders the demo story's body (and a ten times longer one) with ``render_markdown``, in process
with no time limit (``MARKDOWN_RENDER_SECONDS=0``) and through the worker (2 s), alternating,
and prints the medians. Run: ``DEBUG=1 .venv/bin/python bench/render_worker_cost.py``.
"""

import os
import statistics
import sys
import time
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
django.setup()

from django.conf import settings  # noqa: E402

from articles import rendering  # noqa: E402

RUNS = 200


def median_ms(body: str, seconds: float) -> float:
    settings.MARKDOWN_RENDER_SECONDS = seconds
    rendering.render_markdown(body)  # the worker starts once per process; not timed
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        rendering.render_markdown(body)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main():
    post = next((ROOT / "demo" / "posts").glob("*.md")).read_text(encoding="utf-8")
    body = post.split("---", 2)[2]
    for name, text in (("demo story", body), ("demo story x10", body * 10)):
        for label, seconds in (("in process", 0), ("worker", 2), ("in process", 0), ("worker", 2)):
            print(f"{name} ({len(text)} chars), {label}: {median_ms(text, seconds):.2f} ms")


if __name__ == "__main__":
    main()
