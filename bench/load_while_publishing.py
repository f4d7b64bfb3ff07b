"""Load the story page and the feed under gunicorn while editors publish, edit and correct.

    createdb -h 127.0.0.1 -U postgres newsroom_load
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_load python bench/seed.py --quick
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_load \\
        REDIS_URL=redis://127.0.0.1:6379/8 python bench/load_while_publishing.py

The database must already hold published stories (``bench/seed.py``). The script starts gunicorn
(production settings, DEBUG off, the page cache on) on 127.0.0.1, runs wrk (32 connections,
60 s by default) on a few story pages and the RSS feed, and meanwhile, in this process, edits
those stories' headlines and bodies, appends corrections to them, and publishes and unpublishes
other stories through the same workflow functions the admin uses. It prints wrk's figures, the
editorial changes made, and whether the last headline is what readers get at the end. It exits
non-zero on any 5xx, socket error or timeout, or a stale page at the end.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
# One site address for every instance and for this process's own changes: the pieces stored
# with each story are printed only by a process with the address they were rendered with.
os.environ.setdefault("SITE_URL", "http://127.0.0.1")

SERVER_ENV = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "LOG_LEVEL": "WARNING",
    "PAGE_CACHE": "1",
}


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    """Gunicorn serving the project with the current DATABASE_URL/REDIS_URL, once it answers."""
    env = {**os.environ, **SERVER_ENV}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "newsroom.wsgi:application"]
        + ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 30 s")


class Newsroom(threading.Thread):
    """Editors at work: every ``pause`` seconds, one more change to what readers see."""

    def __init__(self, stories, spare, pause: float):
        super().__init__(daemon=True)
        self.stories, self.spare, self.pause = stories, spare, pause
        self.stop = threading.Event()
        self.counts = {"edits": 0, "corrections": 0, "publications": 0, "unpublications": 0}
        self.failures: list[str] = []
        self.last_headline: dict[int, str] = {}

    def run(self):
        from django.db import connection

        step = 0
        try:
            while not self.stop.is_set():
                try:
                    self.change(step)
                except Exception as error:  # noqa: BLE001 - counted and reported, the load goes on
                    self.failures.append(f"step {step}: {error!r}")
                step += 1
                self.stop.wait(self.pause)
        finally:
            connection.close()

    def change(self, step: int):
        import reversion

        from articles import publishing

        story = self.stories[step % len(self.stories)]
        if step % 5 == 4:
            publishing.add_correction(
                article=story, text=f"Corregimos una cifra (corrección {step})."
            )
            self.counts["corrections"] += 1
        elif step % 5 == 2:
            other = self.spare[(step // 5) % len(self.spare)]
            other.refresh_from_db()
            if other.status == other.Status.PUBLISHED:
                publishing.unpublish_article(article=other, note="bench")
                self.counts["unpublications"] += 1
            else:
                publishing.publish_article(article=other, note="bench")
                self.counts["publications"] += 1
        else:
            story.refresh_from_db()
            story.headline = re.sub(r" \(versión \d+\)$", "", story.headline) + f" (versión {step})"
            story.body += f"\n\nActualización {step}: la dependencia respondió."
            with reversion.create_revision():
                story.save()
            self.last_headline[story.pk] = story.headline
            self.counts["edits"] += 1


def run_wrk(base: str, paths: list[str], conns: int, seconds: int) -> dict:
    """wrk on random picks of ``paths``; its JSON result line."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listing:
        listing.write("\n".join(paths) + "\n")
    result = subprocess.run(
        ["wrk", "-t2", f"-c{conns}", f"-d{seconds}s", "--timeout", "10s"]
        + ["-s", str(ROOT / "bench" / "wrk_paths.lua"), base],
        env={**os.environ, "WRK_PATHS": listing.name},
        capture_output=True,
        text=True,
        check=True,
    )
    os.unlink(listing.name)
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8120)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--conns", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--stories", type=int, default=5, help="story pages under load")
    parser.add_argument("--pause", type=float, default=0.5, help="seconds between changes")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")

    import django

    django.setup()
    from django.urls import reverse
    from django.utils.html import escape

    from articles.models import Article

    published = list(Article.objects.published().order_by("-published_at")[: args.stories + 6])
    if len(published) < args.stories + 6:
        raise SystemExit("seed the database first: python bench/seed.py --quick")
    stories, spare = published[: args.stories], published[args.stories :]
    paths = [story.get_absolute_url() for story in stories] + [reverse("articles:feed-rss")]

    server = start_gunicorn(args.port, args.workers)
    newsroom = Newsroom(stories, spare, args.pause)
    try:
        newsroom.start()
        load = run_wrk(f"http://127.0.0.1:{args.port}", paths, args.conns, args.seconds)
        newsroom.stop.set()
        newsroom.join()
        stale = []
        for story in stories:
            expected = newsroom.last_headline.get(story.pk)
            url = f"http://127.0.0.1:{args.port}{story.get_absolute_url()}"
            with urllib.request.urlopen(url, timeout=10) as response:
                page = response.read().decode()
            if expected and escape(expected) not in page:
                stale.append(url)
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(
        f"wrk {args.conns} connections, {args.seconds} s, {args.workers} gunicorn workers, "
        f"{len(stories)} story pages + the RSS feed"
    )
    print(
        f"  {load['requests']:,} requests, {load['requests'] / load['seconds']:.0f} req/s, "
        f"p50 {load['p50_ms']:.1f} ms, p99 {load['p99_ms']:.1f} ms, max {load['max_ms']:.0f} ms"
    )
    print(
        f"  2xx {load['status_2xx']:,}, 3xx {load['status_3xx']}, 4xx {load['status_4xx']}, "
        f"5xx {load['status_5xx']}, socket errors {load['socket_errors']}, "
        f"timeouts {load['timeouts']}"
    )
    print("  while publishing: " + ", ".join(f"{n} {what}" for what, n in newsroom.counts.items()))
    print(f"  editorial changes that failed: {len(newsroom.failures)}")
    for failure in newsroom.failures[:5]:
        print(f"    {failure}")
    print(f"  story pages still showing an old headline at the end: {len(stale)}")
    clean = (
        load["status_5xx"] == 0
        and load["socket_errors"] == 0
        and load["timeouts"] == 0
        and not newsroom.failures
        and not stale
    )
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
