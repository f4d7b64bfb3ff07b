"""Write the addresses of N random published stories, one per line, for wrk to spread load over.

DATABASE_URL=... python bench/story_paths.py --count 1000 > /tmp/bench/newsroom_paths_pg100k.txt
"""

import argparse
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")

import django  # noqa: E402

django.setup()

from articles.models import Article  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    ids = list(Article.objects.published().values_list("pk", flat=True))
    picked = random.Random(args.seed).sample(ids, min(args.count, len(ids)))
    for story in Article.objects.filter(pk__in=picked).for_listing():
        print(story.get_absolute_url())


if __name__ == "__main__":
    main()
