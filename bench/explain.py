"""Print PostgreSQL's EXPLAIN ANALYZE of the queries behind each list page (plans in
bench/results/2026-11-runs.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench python bench/explain.py

Each page's first page of stories is planned exactly as the views build it. A tag on one old
story is added for the run (and rolled back after it), to show how a rare tag's page is read.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("NEWSROOM_ALLOW_INSECURE_KEY", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from taggit.models import Tag  # noqa: E402

from articles.models import Article, Author, Category, Organization  # noqa: E402


def listings(rare_tag):
    """The page-1 query of each list page (a page reads one story more than it shows, to know
    whether an older page follows), and the page cache's next-publication lookup."""
    stories = Article.objects.published().newest_first()
    year = timezone.localtime().year - 3
    read = settings.ARTICLES_PER_PAGE + 1
    last = (settings.MAX_LIST_PAGES - 1) * settings.ARTICLES_PER_PAGE
    tag = Tag.objects.exclude(pk=rare_tag.pk).order_by("pk").first()
    return {
        "home": stories[:read],
        "section": stories.about_for_listing(Category.objects.get(slug="transparencia"))[:read],
        "tag": stories.about_for_listing(tag)[:read],
        "author": stories.about_for_listing(Author.objects.get(slug="autora-1"))[:read],
        "organization": stories.about_for_listing(Organization.objects.get(slug="inai"))[:read],
        "a tag on one old story": stories.about_for_listing(rare_tag)[:read],
        "the same, walking the newest stories (before about_for_listing)": stories.about(rare_tag)[
            :read
        ],
        f"archive {year}": stories.filter(published_at__year=year)[:read],
        "the last page offered of the home page": stories[last : last + read],
    }


class RolledBack(Exception):
    """Leaves the database as it was."""


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("Run this on PostgreSQL: set DATABASE_URL=postgres://...")
    try:
        with transaction.atomic():
            oldest = Article.objects.published().order_by("published_at", "id").first()
            oldest.tags.add("explain: una etiqueta rara")
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            rare_tag = Tag.objects.get(name="explain: una etiqueta rara")
            for name, queryset in listings(rare_tag).items():
                print(f"## {name}\n")
                print(queryset.explain(analyze=True))
                print()
            raise RolledBack
    except RolledBack:
        pass
    print("## next scheduled publication (page cache)\n")
    with CaptureQueriesContext(connection) as captured:
        Article.objects.next_publication_time(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN ANALYZE {captured.captured_queries[-1]['sql']}")
        print("\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
