"""``manage.py export_jekyll`` and the JSON backup: both give back exactly what was imported."""

import shutil
from datetime import timedelta
from io import StringIO

import pytest
import yaml
from django.core.management import call_command
from taggit.models import Tag

from articles.models import Article, ArticlePath, Author, Category
from tests.factories import ArticleFactory


def snapshot():
    """Everything a reader or editor would notice, per story."""
    return {
        story.slug: {
            "headline": story.headline,
            "dek": story.dek,
            "summary": story.summary,
            "byline": [byline.author.name for byline in story.ordered_bylines],
            "kinds": [byline.author.kind for byline in story.ordered_bylines],
            "section": story.category.name if story.category_id else None,
            "tags": sorted(tag.name for tag in story.tags.all()),
            "published_at": story.published_at,
            "public": story.is_published,
            "updated_for_readers": story.updated_for_readers if story.published_at else None,
            "flags": (story.listed, story.in_sitemaps),
            "body_html": story.body_html,
            "organizations": sorted(org.slug for org in story.organizations.all()),
        }
        for story in Article.objects.for_detail()
    }


def empty_the_newsroom():
    Article.objects.all().delete()
    Author.objects.all().delete()
    Category.objects.all().delete()
    Tag.objects.all().delete()


@pytest.fixture
def imported(db, corpus_dir):
    call_command("import_jekyll", str(corpus_dir), stdout=StringIO())
    return snapshot()


def test_export_writes_posts_drafts_images_and_config(imported, tmp_path):
    call_command("export_jekyll", str(tmp_path / "out"), stdout=StringIO())
    out = tmp_path / "out"
    assert len(list((out / "_posts").glob("*.md"))) == 18
    assert [path.name for path in (out / "_drafts").glob("*.md")] == [
        "jekyll-introduction-draft.md"
    ]
    assert (out / "assets/images/infografia_conagua.png").exists()
    config = yaml.safe_load((out / "_config.yml").read_text(encoding="utf-8"))
    assert config["permalink"] == "/:categories/:year/:month/:day/:title"
    text = (out / "_posts/2017-03-22-agua-en-mexico.md").read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---")[1])
    assert front["author"] == "Alejandra Padilla + Argentina Velasco"
    assert front["permalink"] == "/dataviz/2017/03/22/agua-en-mexico"
    assert front["date"] == "2017-03-22 00:00:00 -0600"
    assert "{{ site.url }}/assets/images/infografia_conagua.png" in text


def test_round_trip_through_jekyll_gives_the_same_stories(imported, tmp_path, settings):
    call_command("export_jekyll", str(tmp_path / "out"), stdout=StringIO())
    empty_the_newsroom()
    shutil.rmtree(settings.MEDIA_ROOT / "imports")
    call_command("import_jekyll", str(tmp_path / "out"), stdout=StringIO())
    assert snapshot() == imported
    assert ArticlePath.objects.count() == 35


def test_unpublished_and_literal_liquid_survive_the_round_trip(db, tmp_path):
    story = ArticleFactory(slug="plantillas", body="Escribe `{{ site.url }}` y {% raw %}.\n")
    hidden = ArticleFactory(slug="retirada", unpublished=True)
    before = snapshot()
    call_command("export_jekyll", str(tmp_path / "out"), stdout=StringIO())
    empty_the_newsroom()
    call_command("import_jekyll", str(tmp_path / "out"), stdout=StringIO())
    after = snapshot()
    assert after[story.slug]["body_html"] == before[story.slug]["body_html"]
    assert after[hidden.slug]["public"] is False
    assert after[hidden.slug]["published_at"] == before[hidden.slug]["published_at"]


def test_json_backup_restores_every_story(transactional_db, corpus_dir, tmp_path):
    # flush truncates tables, which PostgreSQL refuses inside the test's usual transaction.
    call_command("import_jekyll", str(corpus_dir), stdout=StringIO())
    imported = snapshot()
    backup = tmp_path / "backup.json"
    # The command docs/migration.md gives.
    call_command(
        "dumpdata",
        natural_foreign=True,
        exclude=["contenttypes", "auth.permission", "admin.logentry", "sessions"],
        output=str(backup),
        stdout=StringIO(),
    )
    call_command("flush", interactive=False, verbosity=0)
    assert Article.objects.count() == 0
    call_command("loaddata", str(backup), verbosity=0)
    assert snapshot() == imported
    assert ArticlePath.objects.count() == 35


def test_flags_revision_time_and_table_of_contents_survive_the_round_trip(db, tmp_path):
    story = ArticleFactory(
        slug="indice",
        body="[TOC]\n\n## Primera parte\n\nTexto.\n",
        listed=False,
        in_sitemaps=False,
    )
    revised = story.published_at + timedelta(days=30, hours=5)
    Article.objects.filter(pk=story.pk).update(revised_at=revised)
    before = snapshot()
    call_command("export_jekyll", str(tmp_path / "out"), stdout=StringIO())
    text = next((tmp_path / "out" / "_posts").glob("*-indice.md")).read_text()
    front = yaml.safe_load(text.split("---\n")[1])
    assert (front["hidden"], front["sitemap"]) == (True, False)
    assert "* TOC\n{:toc}" in text
    empty_the_newsroom()
    call_command("import_jekyll", str(tmp_path / "out"), stdout=StringIO())
    after = snapshot()["indice"]
    assert after["flags"] == (False, False)
    assert after["updated_for_readers"] == revised
    assert after["body_html"] == before["indice"]["body_html"]
    assert '<div class="toc">' in after["body_html"]
