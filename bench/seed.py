"""Seed N published stories for load tests, on SQLite or PostgreSQL, and print the seed time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench \\
        python bench/seed.py --count 100000 --paths /tmp/bench/newsroom_paths.txt

``--quick`` seeds 1,000; ``--pictures N`` stores N library images (into ``MEDIA_ROOT``) and
leads every other story with one. The database is migrated and emptied of stories first. Bodies are
Spanish Markdown with links to the organizations' sites; each distinct body is rendered once
through ``rendering.render_markdown`` (the site's only renderer) and shared by the stories that
use it; rows go in with ``bulk_create``, then the search index is built in one pass. Every story
has 1-3 authors, 2-4 tags and 0-2 organizations; a few are scheduled for tomorrow.
"""

import argparse
import io
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("NEWSROOM_ALLOW_INSECURE_KEY", "1")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from taggit.models import Tag  # noqa: E402

from articles import cache_tags, rendering, search, story_pages  # noqa: E402
from articles.images import store_uploaded_image  # noqa: E402
from articles.models import (  # noqa: E402
    Article,
    ArticleSearchEntry,
    Author,
    Byline,
    Category,
    Organization,
    OrganizationDomain,
    StoryPage,
    TaggedArticle,
)

SECTIONS = [
    ("Transparencia", "transparencia"),
    ("Presupuesto", "presupuesto"),
    ("Salud", "salud"),
    ("Política", "politica"),
    ("Medio ambiente", "medio-ambiente"),
    ("Seguridad", "seguridad"),
    ("Educación", "educacion"),
    ("Datos", "datos"),
]
ORGANIZATIONS = [
    ("Instituto Nacional de Transparencia", "INAI", "inai.org.mx"),
    ("Instituto Mexicano para la Competitividad", "IMCO", "imco.org.mx"),
    ("Fundar, Centro de Análisis e Investigación", "", "fundar.org.mx"),
    ("Artículo 19", "", "articulo19.org"),
    ("Auditoría Superior de la Federación", "ASF", "asf.gob.mx"),
    ("Instituto Nacional Electoral", "INE", "ine.mx"),
    ("Secretaría de Salud", "SSA", "salud.gob.mx"),
    ("Comisión Nacional del Agua", "Conagua", "conagua.gob.mx"),
    ("México Evalúa", "", "mexicoevalua.org"),
    ("Transparencia Mexicana", "", "tm.org.mx"),
]
SUBJECTS = [
    "el gobierno federal", "la secretaría", "el instituto", "la auditoría", "el congreso local",
    "la fiscalía", "el ayuntamiento", "la comisión", "las organizaciones civiles", "el tribunal",
]  # fmt: skip
VERBS = [
    "publicó", "reservó", "omitió", "entregó", "negó", "actualizó", "recortó", "amplió",
    "documentó", "revisó",
]  # fmt: skip
OBJECTS = [
    "los contratos de obra pública", "las solicitudes de información", "el presupuesto de salud",
    "los registros de concesiones de agua", "las cifras de homicidios", "los padrones de becas",
    "las auditorías de 2023", "los datos abiertos de compras", "las actas de las sesiones",
    "el gasto en publicidad oficial",
]  # fmt: skip
CONTEXTS = [
    "según un análisis de la redacción", "de acuerdo con documentos obtenidos por transparencia",
    "aunque la ley obliga a hacerlo", "tras meses de retraso", "en su informe trimestral",
    "sin explicar los criterios", "mientras la demanda de información crece",
]  # fmt: skip
TAG_WORDS = [
    "agua", "contratos", "salud", "elecciones", "presupuesto", "becas", "seguridad", "datos",
    "opacidad", "auditoría", "periodistas", "migración", "energía", "educación", "obra-pública",
    "medicamentos", "concesiones", "municipios", "congreso", "fiscalía",
]  # fmt: skip
DISTINCT_BODIES = 300
SCHEDULED = 5
MINUTES_BETWEEN_STORIES = 50  # 100,000 stories reach back about 9.5 years
BATCH = 2000


def sentence(rng: random.Random) -> str:
    """One plausible newsroom sentence."""
    text = " ".join(
        (rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS), rng.choice(CONTEXTS))
    )
    return text[0].upper() + text[1:] + "."


def body_markdown(rng: random.Random) -> str:
    """About 500 words in 7 paragraphs, a subheading and links to organizations' sites."""
    paragraphs = [" ".join(sentence(rng) for _ in range(rng.randint(4, 6))) for _ in range(7)]
    for position in rng.sample(range(7), 3):
        name, _, domain = rng.choice(ORGANIZATIONS)
        paragraphs[position] += f" Lo confirmó [{name}](https://www.{domain}/informes/)."
    paragraphs.insert(4, "## Lo que dicen los datos")
    return "\n\n".join(paragraphs)


def rendered_bodies(rng: random.Random) -> list[tuple[str, str, int]]:
    """Markdown, HTML and word count of each distinct body, each rendered once."""
    bodies = []
    for _ in range(DISTINCT_BODIES):
        markdown = body_markdown(rng)
        html = rendering.render_markdown(markdown)
        bodies.append((markdown, html, rendering.count_words(html)))
    return bodies


def empty_the_archive() -> None:
    """Remove every story (and the rows hanging from them) without per-row signals."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE articles_article RESTART IDENTITY CASCADE")
            return
        for model in (TaggedArticle, Byline, Article.organizations.through, StoryPage):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")
        cursor.execute(f"DELETE FROM {ArticleSearchEntry._meta.db_table}")
        cursor.execute(f"DELETE FROM {Article._meta.db_table}")


def subjects(rng: random.Random):
    """Sections, authors, tags and organizations (with their web domains)."""
    sections = [
        Category.objects.get_or_create(slug=slug, defaults={"name": name, "position": n})[0]
        for n, (name, slug) in enumerate(SECTIONS)
    ]
    authors = [
        Author.objects.get_or_create(slug=f"autora-{n}", defaults={"name": f"Autora {n}"})[0]
        for n in range(60)
    ]
    tags = [
        Tag.objects.get_or_create(slug=f"{word}-{n}", defaults={"name": f"{word} {n}"})[0]
        for n in range(15)
        for word in TAG_WORDS
    ]
    organizations = []
    for name, acronym, domain in ORGANIZATIONS:
        organization = Organization.objects.get_or_create(
            slug=domain.split(".")[0], defaults={"name": name, "acronym": acronym}
        )[0]
        OrganizationDomain.objects.get_or_create(domain=domain, organization=organization)
        organizations.append(organization)
    return sections, authors, tags, organizations


def library_pictures(count: int) -> list:
    """``count`` library images stored the admin's way (checked, renditions made): generated
    gradients, each a different size."""
    from PIL import Image as PillowImage

    pictures = []
    for n in range(count):
        buffer = io.BytesIO()
        PillowImage.linear_gradient("L").resize((800 + n, 600)).convert("RGB").save(buffer, "JPEG")
        upload = SimpleUploadedFile(f"foto-{n}.jpg", buffer.getvalue())
        pictures.append(store_uploaded_image(file=upload, alt=f"Foto {n}", credit="Archivo"))
    return pictures


def seed(count: int, rng: random.Random, *, pictures: int = 0) -> list[Article]:
    """Insert ``count`` stories with their bylines, tags and organizations, every other one
    led by one of ``pictures`` library images; returns a sample."""
    sections, authors, tags, organizations = subjects(rng)
    images = library_pictures(pictures)
    bodies = rendered_bodies(rng)
    now = timezone.now()
    sample = []
    for start in range(0, count, BATCH):
        stories = []
        for n in range(start, min(count, start + BATCH)):
            markdown, html, words = rng.choice(bodies)
            published_at = (
                now + timedelta(days=1, minutes=n)
                if n < SCHEDULED
                else now - timedelta(minutes=n * MINUTES_BETWEEN_STORIES)
            )
            stories.append(
                Article(
                    headline=sentence(rng).rstrip(".")[:120],
                    slug=f"historia-{n}",
                    dek=sentence(rng),
                    summary=sentence(rng),
                    body=markdown,
                    body_html=html,
                    word_count=words,
                    reading_time=max(1, words // 200),
                    status=Article.Status.PUBLISHED,
                    published_at=published_at,
                    category=rng.choice(sections),
                    lead_image=images[n % len(images)] if images and n % 2 == 0 else None,
                )
            )
        with transaction.atomic():
            created = Article.objects.bulk_create(stories)
            Byline.objects.bulk_create(
                Byline(article=story, author=author, position=position)
                for story in created
                for position, author in enumerate(rng.sample(authors, rng.randint(1, 3)))
            )
            TaggedArticle.objects.bulk_create(
                TaggedArticle(content_object=story, tag=tag)
                for story in created
                for tag in rng.sample(tags, rng.randint(2, 4))
            )
            links = Article.organizations.through
            links.objects.bulk_create(
                links(article_id=story.pk, organization_id=organization.pk)
                for story in created
                for organization in rng.sample(organizations, rng.randint(0, 2))
            )
        sample.extend(rng.sample(created[SCHEDULED if start == 0 else 0 :], 10))
        print(f"  seeded {start + len(created):,}", end="\r", flush=True)
    print()
    return sample


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="seed 1,000 stories")
    parser.add_argument(
        "--pictures", type=int, default=0, help="library images leading every other story"
    )
    parser.add_argument("--paths", help="write the sampled story addresses to this file")
    args = parser.parse_args()
    count = 1_000 if args.quick else args.count
    call_command("migrate", verbosity=0)
    rng = random.Random(7)

    started = time.perf_counter()
    empty_the_archive()
    sample = seed(count, rng, pictures=args.pictures)
    inserted = time.perf_counter() - started
    # One statement on PostgreSQL (the ids as a subquery), chunks of rows on SQLite.
    search.update_search_index(Article.objects.values_list("pk", flat=True))
    indexed = time.perf_counter() - started
    story_pages.write_every_page()  # the story pages' read model, as after a migration
    paged = time.perf_counter() - started
    cache_tags.everything_changed()  # bulk_create sends no signals: drop every cached page
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(
        f"seeded {count:,} stories on {connection.vendor} in {paged:.1f} s "
        f"({paged / count * 1000:.2f} ms/story; rows {inserted:.1f} s, "
        f"search index {indexed - inserted:.1f} s, story pages {paged - indexed:.1f} s)"
    )
    if args.paths:
        addresses = [story.get_absolute_url() for story in sample]
        Path(args.paths).write_text("\n".join(addresses) + "\n")
        print(f"{len(addresses)} story addresses in {args.paths}")


if __name__ == "__main__":
    main()
