"""WordPress import benchmark: generate a WXR export of N posts, import it, print items per
second and peak memory.

Usage (each size runs in a child process with a new SQLite database, so each peak is its own):

    python bench/wordpress_bench.py --posts 5000 20000

Set DATABASE_URL to run on PostgreSQL instead (the story tables are emptied before each size).
Memory is flat when the peak for 20,000 posts is about the peak for 5,000: the file is
streamed and posts are written in batches, so nothing grows with the export.
"""

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("NEWSROOM_ALLOW_INSECURE_KEY", "1")

WORDS = ["gobierno", "datos", "abiertos", "transparencia", "presupuesto", "municipio",
         "información", "pública", "contratos", "obra", "recursos", "auditoría"]  # fmt: skip
HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Bench</title><link>https://viejo.example.org</link>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_blog_url>https://viejo.example.org</wp:base_blog_url>
"""


def write_export(path: Path, count: int) -> None:
    """A WXR file of ``count`` published posts (~400 words, classic HTML, categories, tags)."""
    rng = random.Random(count)
    with path.open("w", encoding="utf-8") as out:
        out.write(HEAD)
        for number in range(8):
            out.write(
                f"<wp:author><wp:author_login>autora{number}</wp:author_login>"
                f"<wp:author_display_name><![CDATA[Autora {number}]]></wp:author_display_name>"
                "</wp:author>\n"
            )
        for number in range(count):
            paragraphs = "\n\n".join(
                " ".join(rng.choices(WORDS, k=65)).capitalize() + "." for _ in range(6)
            )
            day = 1 + number % 28
            out.write(
                f"<item><title>Historia {number}</title>"
                f"<link>https://viejo.example.org/2020/01/{day:02d}/historia-{number}/</link>"
                f"<dc:creator>autora{number % 8}</dc:creator>"
                f"<content:encoded><![CDATA[<strong>Intro</strong> {paragraphs}]]></content:encoded>"
                "<excerpt:encoded><![CDATA[Un resumen.]]></excerpt:encoded>"
                f"<wp:post_id>{number + 1}</wp:post_id>"
                f"<wp:post_date>2020-01-{day:02d} 10:00:00</wp:post_date>"
                f"<wp:post_date_gmt>2020-01-{day:02d} 16:00:00</wp:post_date_gmt>"
                f"<wp:post_name>historia-{number}</wp:post_name><wp:status>publish</wp:status>"
                "<wp:post_type>post</wp:post_type><wp:post_password></wp:post_password>"
                f'<category domain="category" nicename="seccion-{number % 6}">'
                f"<![CDATA[Sección {number % 6}]]></category>"
                f'<category domain="post_tag" nicename="tema-{number % 300}">'
                f"<![CDATA[tema {number % 300}]]></category></item>\n"
            )
        out.write("</channel></rss>\n")


def run_one(count: int) -> None:
    """Import one generated export in this process and print its figures."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from articles.importers.wordpress import import_wordpress

    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory() as temp:
        export = Path(temp) / "export.xml"
        write_export(export, count)
        settings.MEDIA_ROOT = Path(temp) / "media"
        size_mib = export.stat().st_size / 2**20
        baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        for label in ("first import", "second run (unchanged)"):
            started, cpu_started = time.perf_counter(), time.process_time()
            report = import_wordpress(export)
            elapsed = time.perf_counter() - started
            # CPU time too: on a shared machine the wall clock measures the neighbours.
            cpu = time.process_time() - cpu_started
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"{count:>6} posts ({size_mib:.0f} MiB) {label}: {count / elapsed:7.0f} items/s, "
                f"{elapsed:6.1f} s ({count / cpu:.0f} items per CPU second), peak RSS {peak:.0f} MiB (before import {baseline:.0f} MiB); "
                f"created {report.counts['created']}, unchanged {report.counts['unchanged']}",
                flush=True,
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.one:
        run_one(options.one)
        return
    for count in options.posts:
        with tempfile.TemporaryDirectory() as temp:
            env = dict(os.environ)
            env.setdefault("DATABASE_URL", f"sqlite:///{temp}/bench.sqlite3")
            subprocess.run([sys.executable, __file__, "--one", str(count)], env=env, check=True)


if __name__ == "__main__":
    main()
