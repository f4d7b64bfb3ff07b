"""Seed many stories on PostgreSQL and print search latency (p50/p99) for common queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench6 \\
        python bench/search_bench.py --count 100000

The database is migrated and emptied of stories first. Stories are inserted with bulk_create
(no per-story save), then every search vector is computed with one UPDATE.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("NEWSROOM_ALLOW_INSECURE_KEY", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles import search  # noqa: E402
from articles.models import Article, Author, Byline, Category, Organization  # noqa: E402

QUERIES = [
    "transparencia",
    "organizaciones civiles",
    "informacion publica",
    "presupuesto de salud",
    "corrupción",
    "elecciones 2024",
    "agua potable",
    '"gobierno abierto"',
    "INAI solicitudes de acceso",
    "violencia contra periodistas",
]
FILLER_TEXT = (
    "el la los las de del en y a que por con para una un su sus al se como más pero sobre "
    "año años según dijo informó mientras también desde hasta entre durante cuando donde "
    "país ciudad estado federal nacional local gobierno autoridades personas casos cifras "
    "datos análisis revisión documentos registros meses semana semanas millones pesos"
)
FILLER = FILLER_TEXT.split()
TOPICS = [
    "transparencia información pública solicitudes acceso instituto opacidad archivos",
    "presupuesto hacienda gasto recursos auditoría superior federación subejercicio",
    "salud hospitales medicamentos vacunas clínicas médicos pacientes abasto",
    "corrupción contratos licitación empresas fantasma desvío fiscalía denuncia",
    "elecciones votos casillas candidatos partidos campaña 2024 2018 consulta",
    "agua potable sequía pozos acuíferos concesiones tandeo drenaje",
    "violencia periodistas agresiones amenazas protección mecanismo asesinatos",
    "gobierno abierto alianza sociedad civil organizaciones plan compromisos",
    "migrantes frontera asilo albergues deportaciones caravanas",
    "medio ambiente bosques deforestación emisiones energía petróleo",
    "educación escuelas maestros alumnos aulas becas deserción",
    "seguridad policía militares guardia homicidios desaparecidos",
]
TOPIC_WORDS = [topic.split() for topic in TOPICS]


def sentence(rng, words, topic):
    picked = [rng.choice(topic) if rng.random() < 0.3 else rng.choice(FILLER) for _ in range(words)]
    if rng.random() < 0.1:
        picked.append(rng.choice(rng.choice(TOPIC_WORDS)))
    text = " ".join(picked)
    return text[0].upper() + text[1:] + "."


def seed(count: int, rng: random.Random) -> None:
    with connection.cursor() as cursor:
        # TRUNCATE, not delete(): no per-story signals, and the bench owns this database.
        cursor.execute("TRUNCATE articles_article RESTART IDENTITY CASCADE")
    sections = [
        Category.objects.get_or_create(slug=slug, defaults={"name": name})[0]
        for slug, name in [
            ("transparencia", "Transparencia"),
            ("salud", "Salud"),
            ("politica", "Política"),
            ("medio-ambiente", "Medio ambiente"),
        ]
    ]
    authors = [
        Author.objects.get_or_create(slug=f"autora-{n}", defaults={"name": f"Autora {n}"})[0]
        for n in range(40)
    ]
    organizations = [
        Organization.objects.get_or_create(slug=slug, defaults={"name": name, "acronym": acronym})[
            0
        ]
        for slug, name, acronym in [
            ("inai", "Instituto Nacional de Transparencia", "INAI"),
            ("imco", "Instituto Mexicano para la Competitividad", "IMCO"),
            ("fundar", "Fundar, Centro de Análisis e Investigación", ""),
            ("articulo-19", "Artículo 19", ""),
        ]
    ]
    now = timezone.now()
    batch = 2000
    for start in range(0, count, batch):
        stories = []
        for n in range(start, min(count, start + batch)):
            topic = rng.choice(TOPIC_WORDS)
            paragraphs = [
                sentence(rng, rng.randint(15, 40), topic) for _ in range(rng.randint(4, 10))
            ]
            body_html = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
            stories.append(
                Article(
                    headline=sentence(rng, 8, topic).rstrip("."),
                    slug=f"bench-{n}",
                    dek=sentence(rng, 20, topic),
                    summary=sentence(rng, 12, topic),
                    body="\n\n".join(paragraphs),
                    body_html=body_html,
                    word_count=sum(len(p.split()) for p in paragraphs),
                    reading_time=2,
                    status=Article.Status.PUBLISHED,
                    published_at=now - timedelta(minutes=n * 7),
                    category=rng.choice(sections),
                )
            )
        created = Article.objects.bulk_create(stories)
        Byline.objects.bulk_create(
            Byline(article=story, author=rng.choice(authors), position=0) for story in created
        )
        links = Article.organizations.through
        links.objects.bulk_create(
            links(article_id=story.pk, organization_id=rng.choice(organizations).pk)
            for story in created
            if rng.random() < 0.3
        )
        print(f"  seeded {start + len(created):,}", end="\r", flush=True)
    print()


def measure(runs: int) -> None:
    print(f"{'query':32} {'results':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for query in QUERIES:
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            results = search.search_articles(query).for_search_results()
            total = results.count()
            page = list(results[:20])
            for article in page:
                search.highlight(search.story_text(article), query)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
        print(f"{query:32} {total:>8,} {statistics.median(timings):>8.1f} {p99:>8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=50, help="timed runs per query")
    parser.add_argument("--skip-seed", action="store_true", help="reuse the stories already there")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run this on PostgreSQL: set DATABASE_URL=postgres://...")
    call_command("migrate", verbosity=0)
    if not args.skip_seed:
        rng = random.Random(6)
        started = time.perf_counter()
        seed(args.count, rng)
        print(f"seeded {args.count:,} stories in {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        search.update_search_index(Article.objects.values("pk"))
        print(f"one UPDATE of every search vector: {time.perf_counter() - started:.0f} s")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE articles_article")
    print("(each timing: count + first page of 20 with bylines, tags and snippets)")
    measure(args.runs)


if __name__ == "__main__":
    main()
