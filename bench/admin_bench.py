"""Print how long the editors' admin pages take on a seeded archive (``bench/seed.py``).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench7_100k \\
        python bench/admin_bench.py [--repeat 5]

Each page is asked for once with its queries captured (their number and the slowest one's
time are printed), then ``--repeat`` times, timed, through Django's test client with a
logged-in superuser (made here if missing: ``bench-editor``); the median time is printed. Searches include a word found in
almost every benchmark story ("contratos"), a section's name, two words, a word in about one
story in seven ("periodistas"), an author's name (about 3 % of stories), and a word in none;
the list with its filters' counts shown ("Mostrar recuentos", ``_facets``) is timed too.
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
# Django's test client sends "testserver" as its host.
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from taggit.models import Tag  # noqa: E402

from articles.models import Article, Author, Category, Organization  # noqa: E402

STORIES = "/admin/articles/article/"


def pages() -> list[str]:
    """The story list as editors use it, a story's form, and the subjects' lists."""
    story = Article.objects.order_by("-id").first()
    tag, author = Tag.objects.order_by("id").first(), Author.objects.order_by("id").first()
    organization = Organization.objects.order_by("id").first()
    section = Category.objects.order_by("id").first()
    return [
        STORIES,
        f"{STORIES}?p=200",
        f"{STORIES}?status__exact=draft",
        f"{STORIES}?q=contratos",
        f"{STORIES}?q=Transparencia",
        f"{STORIES}?q=gobierno+abierto",
        f"{STORIES}?q=periodistas",
        f"{STORIES}?q={author.name.replace(' ', '+')}",
        f"{STORIES}?q=zzzqqq",
        f"{STORIES}?q=contratos&published_at__year=2019",
        f"{STORIES}?tags__id__exact={tag.pk}",
        f"{STORIES}?bylines__author__id__exact={author.pk}",
        f"{STORIES}?organizations__id__exact={organization.pk}",
        f"{STORIES}?_facets=True",
        f"/admin/articles/article/{story.pk}/change/",
        f"/admin/articles/category/{section.pk}/change/",
        f"/admin/articles/author/{author.pk}/change/",
        f"/admin/taggit/tag/{tag.pk}/change/",
        "/admin/articles/author/",
        "/admin/articles/organization/",
        "/admin/taggit/tag/",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    editor, _ = get_user_model().objects.get_or_create(
        username="bench-editor", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(editor)
    print(f"{Article.objects.count():,} stories on {connection.vendor}")
    print(f"{'ms (median)':>12} {'queries':>8} {'slowest query ms':>17}  page")
    for page in pages():
        # Queries are captured on a request of their own: capturing formats every query's
        # SQL with its parameters, which would be timed too.
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page)
        assert response.status_code == 200, (page, response.status_code)
        # Read now: the next request clears the connection's query log they are read from.
        count = len(queries)
        slowest = max(float(query["time"]) * 1000 for query in queries.captured_queries)
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            client.get(page)
            times.append((time.perf_counter() - start) * 1000)
        print(f"{statistics.median(times):12.1f} {count:8d} {slowest:17.1f}  {page}")


if __name__ == "__main__":
    main()
