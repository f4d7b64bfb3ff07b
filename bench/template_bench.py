"""Time the public templates alone, per page type, in-process: the median of many renders.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench \\
        python bench/template_bench.py --renders 300 --rounds 3

Each page's view runs once, as a request would run it, and returns its unrendered response;
then only the template is rendered again and again from that same context (the context
processors included, as every render runs them). What the views read is left out, so the
figures are the templates' share of an uncached page; "without queries" leaves out, besides,
the time the queries the templates cause (the menu's and the banner's versions) waited for the
database, the figure that depends least on how busy the machine's database is. Seed the database
first (``bench/seed.py``). Feeds are not listed: ``feed_xml.py`` writes them without a template.
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
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import resolve  # noqa: E402
from django.utils import translation  # noqa: E402

from articles.models import Article, Category  # noqa: E402


def page_paths() -> dict[str, str]:
    """One address of each page type whose HTML or XML comes from a template."""
    story = Article.objects.published().for_detail().newest_first().first()
    section = Category.objects.order_by("name").first()
    return {
        "story": story.get_absolute_url(),
        "home": "/",
        "section": section.get_absolute_url(),
        "sitemap-news": "/sitemap-news.xml",
    }


def unrendered_response(path: str):
    """The view's response before its template is rendered (views return TemplateResponse)."""
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    match = resolve(path)
    response = match.func(request, *match.args, **match.kwargs)
    if not hasattr(response, "rendered_content"):
        raise SystemExit(f"{path}: the view rendered its template itself, it cannot be timed")
    return response


def time_renders(response, renders: int) -> tuple[float, float, int, int]:
    """The median time of one render in ms, the same without the time its queries waited for
    the database, the queries a render made, and the page's size."""
    html = response.rendered_content  # warms the template loader and the helpers' memories
    totals, without_queries = [], []
    waited = [0.0]

    def timed_query(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            waited[0] += time.perf_counter() - started

    with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(timed_query):
        for _ in range(renders):
            waited[0] = 0.0
            started = time.perf_counter()
            response.rendered_content  # noqa: B018 - the property renders the template again
            total = time.perf_counter() - started
            totals.append(total)
            without_queries.append(total - waited[0])
    return (
        statistics.median(totals) * 1000,
        statistics.median(without_queries) * 1000,
        len(queries) // renders,
        len(html),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=300, help="renders timed per page")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over every page")
    options = parser.parse_args()
    # The pages name their stylesheet through the static files' manifest, as in production.
    call_command("collectstatic", interactive=False, verbosity=0)
    translation.activate("es")
    paths = page_paths()
    responses = {name: unrendered_response(path) for name, path in paths.items()}
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in paths}
    extra = {}
    for _ in range(options.rounds):
        for name, response in responses.items():
            median, without_queries, queries, size = time_renders(response, options.renders)
            results[name].append((median, without_queries))
            extra[name] = (queries, size)
    print(f"{connection.vendor}, {Article.objects.count():,} stories,", end=" ")
    print(f"median of {options.renders} renders, {options.rounds} rounds (best / worst round)")
    header = f"{'page':<14}{'render ms':>18}{'without queries':>18}{'queries':>9}{'bytes':>8}"
    print(header + "  address")
    for name, rounds in results.items():
        queries, size = extra[name]
        totals, bare = [total for total, _ in rounds], [without for _, without in rounds]
        total = f"{min(totals):.3f} / {max(totals):.3f}"
        without = f"{min(bare):.3f} / {max(bare):.3f}"
        print(f"{name:<14}{total:>18}{without:>18}{queries:>9}{size:>8}  {paths[name]}")


if __name__ == "__main__":
    main()
