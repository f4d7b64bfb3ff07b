"""A newsroom's day in minutes: two app servers under skewed reads while the desk works.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench \\
        REDIS_URL=redis://127.0.0.1:6379/8 python bench/newsroom_day.py --seconds 60

The database must hold published stories (``bench/seed.py --count 100000``). Two gunicorn
instances share it and Redis (a key prefix of their own). Readers (wrk, one per instance) ask
for addresses drawn from a skewed mix: most for the newest 200 stories (the newer, the more)
and the home page, a long tail over the whole archive, some section pages and feeds. The mix
runs twice, first with the desk idle, then with the desk publishing new stories, editing
headlines, adding corrections and unpublishing, one change every ``--pause`` seconds, through
the workflow functions the admin uses. After every change this process reads back, from both
instances, the changed story and the lists that must show it (home page, RSS feed, its
section): a page that misses a committed change counts as stale.

Prints, for each run: requests per second, p50/p99, the page cache's hit rate (responses
marked ``X-Page-Cache: hit``), errors (5xx, socket errors, timeouts), the share of the cores
each process used (app servers, PostgreSQL, Redis, wrk, this process: ``cpu_accounts``), and
for the busy run the changes made and the stale pages found; then the busy run's throughput
as a share of the idle one. Exits non-zero on any error or stale page.
"""

import argparse
import random
import re
import sys
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cpu_accounts  # noqa: E402
from load_while_publishing import ROOT, run_wrk, start_gunicorn  # noqa: E402

HOT_STORIES = 200
MIX = {"hot": 0.45, "home": 0.15, "tail": 0.22, "sections": 0.11, "feeds": 0.07}


def reading_mix(rng: random.Random, size: int) -> list[str]:
    """``size`` addresses drawn from the skewed mix ``MIX``."""
    from django.urls import reverse

    from articles.models import Article, Category

    published = Article.objects.published().select_related("category").newest_first()
    hot = [story.get_absolute_url() for story in published[:HOT_STORIES]]
    ids = list(Article.objects.published().values_list("pk", flat=True))
    sample = rng.sample(ids, min(len(ids), 5000))
    tail = [story.get_absolute_url() for story in published.filter(pk__in=sample)]
    sections = [reverse("articles:section", args=[slug]) for slug in _section_slugs(Category)]
    feeds = [reverse("articles:feed-rss"), reverse("articles:feed-atom")] + [
        reverse("articles:section-feed-rss", args=[slug]) for slug in _section_slugs(Category)
    ]
    weights = [1 / (rank + 1) ** 0.7 for rank in range(len(hot))]  # the newer, the more read
    drawn = {
        "hot": rng.choices(hot, weights, k=int(size * MIX["hot"])),
        "home": ["/"] * int(size * MIX["home"]),
        "tail": rng.choices(tail, k=int(size * MIX["tail"])),
        "sections": rng.choices(sections, k=int(size * MIX["sections"])),
        "feeds": rng.choices(feeds, k=int(size * MIX["feeds"])),
    }
    return [path for paths in drawn.values() for path in paths]


def _section_slugs(category_model) -> list[str]:
    return list(category_model.objects.values_list("slug", flat=True))


class Desk(threading.Thread):
    """One change every ``pause`` seconds, each read back from every instance after it commits."""

    def __init__(self, bases: list[str], pause: float, rng: random.Random):
        super().__init__(daemon=True)
        self.bases, self.pause, self.rng = bases, pause, rng
        self.stop = threading.Event()
        self.counts = {"publications": 0, "edits": 0, "corrections": 0, "unpublications": 0}
        self.checked = 0
        self.stale: list[str] = []
        self.failures: list[str] = []

    def run(self):
        from django.db import connection

        step = 0
        try:
            while not self.stop.wait(self.pause):
                try:
                    self.check(*self.change(step))
                except Exception as error:  # noqa: BLE001 - counted and reported; the day goes on
                    self.failures.append(f"step {step}: {error!r}")
                step += 1
        finally:
            connection.close()

    def change(self, step: int):
        """Make change number ``step``; what every instance must now show, and must not."""
        from articles import publishing
        from articles.models import Article

        hot = list(Article.objects.published().newest_first()[:HOT_STORIES])
        kind = ("publications", "edits", "corrections", "edits", "unpublications")[step % 5]
        self.counts[kind] += 1
        if kind == "publications":
            story = self.new_story(hot[self.rng.randrange(len(hot))], step)
            publishing.publish_article(article=story, note="bench")
            return story, [story.headline], [], True
        story = hot[self.rng.randrange(1, 40)]  # the live stories are among the newest
        if kind == "unpublications":
            publishing.unpublish_article(article=story, note="bench")
            # Its link, not its headline: seeded headlines repeat.
            return story, [], [f"/{story.slug}/"], False
        if kind == "corrections":
            text = f"Corregimos una cifra (corrección {step})."
            publishing.add_correction(article=story, text=text)
            return story, [text], [], None
        story.headline = re.sub(r" \(versión \d+\)$", "", story.headline) + f" (versión {step})"
        story.save()
        return story, [story.headline], [], None

    def new_story(self, model, step: int):
        """A new story drafted like ``model`` (section, byline), ready to publish."""
        from articles.editing import save_new_article
        from articles.models import Article, Byline

        story = Article(
            headline=f"Última hora {step}: {model.headline}"[:200],
            slug=f"ultima-hora-{step}-{uuid.uuid4().hex[:8]}",
            body=model.body,
            category_id=model.category_id,
        )
        save_new_article(article=story)
        for position, byline in enumerate(Byline.objects.filter(article=model)):
            Byline.objects.create(article=story, author_id=byline.author_id, position=position)
        return story

    def check(self, story, shown: list[str], gone: list[str], listed: bool | None):
        """Read back the story and its lists from every instance; count pages that are stale."""
        import urllib.error
        import urllib.request

        from django.urls import reverse
        from django.utils.html import escape

        from articles.models import Article

        visible = Article.objects.published().filter(pk=story.pk).exists()
        home_ids = set(Article.objects.published().newest_first().values_list("pk", flat=True)[:20])
        pages = [story.get_absolute_url()]
        if story.pk in home_ids or listed is False:
            pages += ["/", reverse("articles:feed-rss")]
        for base in self.bases:
            for path in pages:
                self.checked += 1
                try:
                    with urllib.request.urlopen(f"{base}{path}", timeout=10) as response:
                        page = response.read().decode()
                except urllib.error.HTTPError as error:
                    if error.code == 410 and not visible and path == story.get_absolute_url():
                        continue
                    self.stale.append(f"{base}{path}: {error.code}")
                    continue
                on_story_page = path == story.get_absolute_url()
                missing = [text for text in shown if escape(text) not in page]
                if not on_story_page and listed is None:
                    # A list shows the headline, not a correction's text.
                    missing = [text for text in missing if text == story.headline]
                left = [text for text in gone if escape(text) in page]
                if missing or left or (on_story_page and not visible):
                    self.stale.append(f"{base}{path}: missing {missing}, still {left}")


def run_day(bases, paths, conns, seconds, desk=None, server_pids=()) -> dict:
    """wrk on every instance at once (``conns`` connections each), the desk working meanwhile;
    with the CPU each account used (``cpu_accounts``)."""
    before = cpu_accounts.snapshot(list(server_pids))
    if desk is not None:
        desk.start()
    with ThreadPoolExecutor(len(bases)) as pool:
        results = list(pool.map(lambda base: run_wrk(base, paths, conns, seconds), bases))
    if desk is not None:
        desk.stop.set()
        desk.join()
    total = {key: sum(result[key] for result in results) for key in results[0]}
    total["seconds"] = max(result["seconds"] for result in results)
    total["p50_ms"] = max(result["p50_ms"] for result in results)
    total["p99_ms"] = max(result["p99_ms"] for result in results)
    total["cpu"] = cpu_accounts.spent(before, cpu_accounts.snapshot(list(server_pids)))
    return total


def report(name: str, result: dict) -> float:
    rate = result["requests"] / result["seconds"]
    errors = result["status_5xx"] + result["socket_errors"] + result["timeouts"]
    print(
        f"{name:<28} {rate:8.0f} req/s  p50 {result['p50_ms']:6.1f} ms  "
        f"p99 {result['p99_ms']:6.1f} ms  hit rate {result['cache_hits'] / result['requests']:6.1%}"
        f"  errors {errors}"
    )
    misses = {kind: result[f"{kind}_misses"] for kind in ("story", "feed", "other")}
    if any(misses.values()) or result["parts"]:
        print(
            f"{'':<28} rendered whole: "
            + ", ".join(f"{count:,} {kind} pages" for kind, count in misses.items())
            + f"; {result['parts']:,} story pages with their related lists rendered again"
        )
    print(
        f"{'':<28} " + cpu_accounts.describe(result["cpu"], result["seconds"], result["requests"])
    )
    return rate


def current_pieces() -> str:
    """How many stories' rows carry pieces the servers may print: rows rendered with another
    stamp (other templates, another SITE_URL) are rendered live, a dearer miss."""
    from articles import story_fragments
    from articles.models import StoryPage

    current = StoryPage.objects.filter(rendered_with=story_fragments.current_stamp()).count()
    return (
        f"stored pieces current for {current:,} of {StoryPage.objects.count():,} stories"
        " (run manage.py write_story_pages with this SITE_URL if not all)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ports", type=int, nargs=2, default=[9260, 9261])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance")
    parser.add_argument("--conns", type=int, default=8, help="wrk connections per instance")
    parser.add_argument("--seconds", type=int, default=60, help="length of each run")
    parser.add_argument("--pause", type=float, default=2.0, help="seconds between changes")
    parser.add_argument("--warmup", type=int, default=30, help="seconds of reads first, unreported")
    parser.add_argument("--seed", type=int, default=25)
    args = parser.parse_args()

    import os

    import django

    os.environ.setdefault("CACHE_KEY_PREFIX", f"day-{uuid.uuid4().hex[:8]}")
    django.setup()
    print(current_pieces())
    rng = random.Random(args.seed)
    paths = reading_mix(rng, 20_000)
    servers = [start_gunicorn(port, args.workers) for port in args.ports]
    bases = [f"http://127.0.0.1:{port}" for port in args.ports]
    try:
        if args.warmup:
            run_day(bases, paths, args.conns, args.warmup)
        pids = [server.pid for server in servers]
        idle = run_day(bases, paths, args.conns, args.seconds, server_pids=pids)
        desk = Desk(bases, args.pause, rng)
        busy = run_day(bases, paths, args.conns, args.seconds, desk, server_pids=pids)
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)

    print(
        f"{len(bases)} instances x {args.workers} workers, wrk {args.conns} connections each, "
        f"{args.seconds} s per run; mix {MIX} over {len(set(paths)):,} addresses ({ROOT.name})"
    )
    quiet = report("no changes", idle)
    working = report(f"a change every {args.pause:g} s", busy)
    print(
        "desk: "
        + ", ".join(f"{count} {kind}" for kind, count in desk.counts.items())
        + f"; {desk.checked} pages read back, {len(desk.stale)} stale, "
        + f"{len(desk.failures)} failed changes"
    )
    for line in desk.stale[:10] + desk.failures[:10]:
        print("  " + line)
    print(f"throughput with changes: {working / quiet:.0%} of the same mix without")
    errors = sum(r["status_5xx"] + r["socket_errors"] + r["timeouts"] for r in (idle, busy))
    return 1 if errors or desk.stale or desk.failures else 0


if __name__ == "__main__":
    sys.exit(main())
