"""The importer's batch path: new posts written together, and the careful path it falls back to."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from reversion.models import Version

from articles import search
from articles.importers.jekyll_import import import_site
from articles.models import (
    Article,
    ArticlePath,
    ArticleTransition,
    Author,
    Byline,
    Organization,
    TaggedArticle,
)
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def write_post(site, name, *, author="Ana Pérez", title=None, body=None, category="Datos"):
    """A Jekyll post file in ``site/_posts`` with a link to fundar.org.mx."""
    (site / "_posts").mkdir(parents=True, exist_ok=True)
    slug = name.split("-", 3)[3]
    (site / "_posts" / f"{name}.md").write_text(
        f'---\ntitle: "{title or slug.capitalize()}"\ncategory: {category}\n'
        f"tags: [presupuesto, datos]\nauthor: {author}\n---\n"
        + (body or f"El [informe](https://fundar.org.mx/{slug}) sobre {slug}.\n"),
        encoding="utf-8",
    )


def import_command(site):
    out = StringIO()
    with translation.override("en"):
        call_command("import_jekyll", str(site), stdout=out)
    return out.getvalue()


def test_new_posts_are_written_in_a_fixed_number_of_queries(tmp_path):
    """The batch path costs the same queries for 1 new post as for 30 (no query per post)."""
    write_post(tmp_path / "first", "2019-12-31-antes")
    import_site(tmp_path / "first")  # the author, section and tags exist from here on
    counts = []
    for size in (1, 30):
        site = tmp_path / f"site-{size}"
        for number in range(size):
            write_post(site, f"2020-01-{1 + number % 28:02d}-nota-{size}-{number}")
        with CaptureQueriesContext(connection) as queries:
            report = import_site(site)
        assert report.counts["created"] == size and not report.failures
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_batch_story_gets_what_a_story_saved_alone_gets(tmp_path):
    organization = OrganizationFactory(domains=["fundar.org.mx"])
    write_post(tmp_path, "2020-03-04-presupuesto-abierto")
    import_command(tmp_path)
    article = Article.objects.get()
    assert article.is_published
    assert "<a href=" in article.body_html and article.word_count == 4
    assert list(article.organizations.all()) == [organization]
    assert [tag.name for tag in article.tags.order_by("name")] == ["datos", "presupuesto"]
    transition = ArticleTransition.objects.get(article=article)
    assert (transition.from_status, transition.to_status) == ("draft", "published")
    assert ArticlePath.objects.filter(article=article).exists()
    assert search.search_articles("presupuesto").get() == article
    version = Version.objects.get_for_object(article).get()
    assert version.revision.comment == "Imported from _posts/2020-03-04-presupuesto-abierto.md"
    # The story, its byline row and its two tag rows, as the admin's revisions keep them.
    assert version.revision.version_set.count() == 4


def test_a_batch_whose_write_fails_is_redone_post_by_post(tmp_path):
    """A post that passes every check but breaks a database constraint (the same author
    twice in its byline) takes its batch back; the batch is redone one post at a time, so the
    broken post leaves nothing behind and the good ones are imported."""
    write_post(tmp_path, "2020-01-01-primera")
    write_post(tmp_path, "2020-01-02-rota", author="Rosa Díaz + rosa díaz", category="Única")
    write_post(tmp_path, "2020-01-03-tercera")
    out = StringIO()
    with translation.override("en"), pytest.raises(CommandError, match="1 post"):
        call_command("import_jekyll", str(tmp_path), stdout=out)
    report = out.getvalue()
    assert "FAILED: _posts/2020-01-02-rota.md:" in report
    assert "posts imported 2, updated 0, unchanged 0, failed 1" in report
    assert "sections created 1" in report and "authors created 1" in report
    assert sorted(Article.objects.values_list("slug", flat=True)) == ["primera", "tercera"]
    assert not Author.objects.filter(name__iexact="Rosa Díaz").exists()
    assert not ArticlePath.objects.filter(path__contains="rota").exists()
    assert Byline.objects.count() == 2 and TaggedArticle.objects.count() == 4
    assert ArticleTransition.objects.count() == 2
    assert Version.objects.get_for_model(Article).count() == 2


def test_a_refused_post_in_a_batch_leaves_nothing_and_the_batch_is_written(tmp_path):
    """A post refused by the checks in Python is reported; its author and section are never
    created, and the other posts of its batch are written together."""
    write_post(tmp_path, "2020-01-01-primera")
    write_post(tmp_path, "2020-01-02-nulo", author="Nadie Más", category="Ninguna",
               title="Nulo\\0 oculto")  # fmt: skip
    with translation.override("en"):
        report = import_site(tmp_path)
    assert [source for source, _reason in report.failures] == ["_posts/2020-01-02-nulo.md"]
    assert "NUL" in report.failures[0][1]
    assert report.counts["created"] == 1 and report.counts["authors"] == 1
    assert not Author.objects.filter(name="Nadie Más").exists()
    assert not Organization.objects.exists()
    assert Article.objects.get().slug == "primera"


def test_two_new_posts_with_one_slug_in_a_batch_get_two_addresses(tmp_path):
    write_post(tmp_path, "2020-01-01-informe")
    write_post(tmp_path, "2020-02-01-informe")
    report = import_site(tmp_path)
    assert report.counts["created"] == 2 and not report.failures
    assert sorted(Article.objects.values_list("slug", flat=True)) == [
        "informe",
        "informe-2020-02-01",
    ]


def test_imported_story_history_compare_and_restore_in_the_admin(tmp_path, editor):
    write_post(tmp_path, "2020-05-06-primera", title="Título importado")
    write_post(tmp_path, "2020-05-07-vecina", title="La vecina")
    import_command(tmp_path)
    article = Article.objects.get(slug="primera")
    neighbour = Article.objects.get(slug="vecina")
    client = Client()
    client.force_login(editor)
    imported = Version.objects.get_for_object(article).get()
    history = client.get(reverse("admin:articles_article_history", args=[article.pk]))
    assert history.status_code == 200 and "Imported from" in history.content.decode()
    article.headline = "Título cambiado"
    article.save()
    article.bylines.all().delete()
    neighbour.headline = "La vecina cambiada"
    neighbour.save()
    compare = client.get(
        reverse("admin:articles_article_compare", args=[article.pk]) + f"?from={imported.pk}"
    )
    assert "Título importado" in compare.content.decode()
    response = client.post(
        reverse("admin:articles_article_restore", args=[article.pk, imported.pk])
    )
    assert response.status_code == 302
    article.refresh_from_db()
    neighbour.refresh_from_db()
    assert article.headline == "Título importado" and article.is_published
    assert [byline.author.name for byline in article.bylines.all()] == ["Ana Pérez"]
    assert neighbour.headline == "La vecina cambiada"


def test_dry_run_of_a_batch_saves_nothing(tmp_path):
    write_post(tmp_path, "2020-01-01-primera")
    write_post(tmp_path, "2020-01-02-segunda")
    report = import_site(tmp_path, dry_run=True)
    assert report.counts["created"] == 2
    assert not Article.objects.exists() and not Author.objects.exists()
    assert not Version.objects.exists()
