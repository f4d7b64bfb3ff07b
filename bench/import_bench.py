"""Import benchmark: generate Jekyll posts, import them, print posts/second and peak memory.

Usage (PostgreSQL shown; without DATABASE_URL it uses the SQLite file of settings.py):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench4 \\
        python bench/import_bench.py --posts 1000 10000

Each size is imported into emptied story tables, then imported again (every post unchanged).
Sizes run smallest first in one process, so the resident-memory high-water mark printed after
each run shows whether memory grows with the number of posts.
"""

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("NEWSROOM_ALLOW_INSECURE_KEY", "1")

SECTIONS = ["Transparencia", "transparencia", "Datos", "Dataviz", "Servicios", "Elecciones"]
WORDS = [
    "gobierno", "datos", "abiertos", "transparencia", "presupuesto", "municipio", "estado",
    "información", "pública", "ciudadanos", "acceso", "solicitud", "contratos", "obra",
    "recursos", "federales", "auditoría", "plataforma",
]  # fmt: skip
DOMAINS = ["articulo19.org", "fundar.org.mx", "imco.org.mx", "socialtic.org", "r3d.mx"]


def write_site(folder: Path, count: int) -> None:
    """A Jekyll site with ``count`` posts of ~400 words, co-authors, tags, links and images.

    Two paragraphs of six quote someone and have an aside, so curly quotes and dashes cost
    what they cost in real stories.
    """
    rng = random.Random(count)
    (folder / "_posts").mkdir(parents=True)
    (folder / "assets/images").mkdir(parents=True)
    for number in range(20):
        (folder / f"assets/images/grafica-{number}.png").write_bytes(os.urandom(2048))
    (folder / "_config.yml").write_text(
        "permalink: /:categories/:year/:month/:day/:title\ntitle: Gobierno Fácil\n",
        encoding="utf-8",
    )
    authors = [f"Autora {number} Pérez" for number in range(40)] + ["Gobierno Fácil"]
    for number in range(count):
        day = 1 + number % 28
        month = 1 + (number // 28) % 12
        year = 2000 + number // 336
        paragraphs = []
        for paragraph in range(6):
            words = rng.choices(WORDS, k=65)
            words[10] = f"[{words[10]}](https://{rng.choice(DOMAINS)}/nota/{number})"
            if paragraph % 3 == 1:
                # A quote and an aside, as stories have: smarty has work to do here.
                words[30] = f'dijo: "{words[30]}'
                words[36] = f'{words[36]}" --según'
            paragraphs.append(" ".join(words).capitalize() + ".")
        paragraphs.insert(
            2, f"![Gráfica]({{{{ site.url }}}}/assets/images/grafica-{number % 20}.png)"
        )
        byline = " + ".join(rng.sample(authors, rng.choice([1, 1, 2, 3])))
        tags = ", ".join(f'"tema {rng.randrange(300)}"' for _ in range(3))
        (folder / "_posts" / f"{year}-{month:02d}-{day:02d}-historia-{number}.md").write_text(
            f'---\nlayout: post\ntitle: "Historia {number} sobre {rng.choice(WORDS)}"\n'
            f"description: 'Un resumen de la historia {number}.'\n"
            f"tagline: 'Lo que hay que saber.'\ncategory: {rng.choice(SECTIONS)}\n"
            f"tags: [{tags}]\nauthor: {byline}\n---\n{{% include JB/setup %}}\n\n"
            + "\n\n".join(paragraphs)
            + "\n",
            encoding="utf-8",
        )


def peak_rss_mib(who=resource.RUSAGE_SELF) -> float:
    """The resident memory high-water mark so far, in MiB (Linux reports KiB): this process's,
    or with ``RUSAGE_CHILDREN`` the largest of its finished children (the render worker)."""
    return resource.getrusage(who).ru_maxrss / 1024


def markdown_ms_per_post(site: Path, sample: int = 200) -> float:
    """What ``rendering.render_markdown`` alone costs per post (paid on every story save)."""
    from articles.rendering import render_markdown

    bodies = [
        path.read_text(encoding="utf-8").split("---", 2)[2]
        for path in sorted((site / "_posts").iterdir())[:sample]
    ]
    started = time.perf_counter()
    for body in bodies:
        render_markdown(body)
    return 1000 * (time.perf_counter() - started) / len(bodies)


def empty_story_tables() -> None:
    """Start from empty story tables without loading the old rows (that would show in RSS)."""
    from django.db import connection
    from reversion.models import Revision

    from articles.models import Article, Author, Category

    if connection.vendor == "postgresql":
        tables = ", ".join(model._meta.db_table for model in (Article, Author, Category, Revision))
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        return
    for model in (Article, Author, Category, Revision):
        model.objects.all().delete()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, nargs="+", default=[1000, 10000])
    options = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from articles.importers.jekyll_import import import_site

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}")
    for count in options.posts:
        with tempfile.TemporaryDirectory() as temp:
            site = Path(temp) / "site"
            write_site(site, count)
            settings.MEDIA_ROOT = Path(temp) / "media"
            empty_story_tables()
            for label in ("first import", "second run (unchanged)"):
                started = time.perf_counter()
                report = import_site(site)
                elapsed = time.perf_counter() - started
                assert not report.failures, report.failures[:3]
                print(
                    f"{count:>6} posts, {label:<22}: {count / elapsed:7.0f} posts/s, "
                    f"{1000 * elapsed / count:6.2f} ms/post, "
                    f"peak RSS so far {peak_rss_mib():6.1f} MiB "
                    f"(render worker {peak_rss_mib(resource.RUSAGE_CHILDREN):5.1f} MiB)"
                )
            print(f"        Markdown rendering alone: {markdown_ms_per_post(site):6.2f} ms/post")


if __name__ == "__main__":
    main()
