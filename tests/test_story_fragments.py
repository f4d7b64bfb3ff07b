"""Pieces rendered when a story's read-model row is written (``articles/story_fragments.py``):
rendered on every write with the current stamp, never in the way of a save, dropped by a
migration's rewrite, and marked stale when what shapes them changes."""

import pytest
from django.apps import apps

from articles import story_fragments, story_pages
from articles.models import StoryPage
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def piece(tmp_path):
    """A registered piece printing the headline and section; removed afterwards."""
    source = tmp_path / "piece.py"
    source.write_text("# version 1\n")
    sources_before = list(story_fragments._SOURCES)

    def render(story):
        return f"<p>{story.headline} · {story.category.name if story.category else '-'}</p>"

    story_fragments.register("test_piece", render, sources=[source])
    yield source
    story_fragments.RENDERERS.pop("test_piece")
    story_fragments._SOURCES[:] = sources_before
    story_fragments.current_stamp.cache_clear()


def row(story) -> StoryPage:
    return StoryPage.objects.get(article=story)


def test_a_saved_story_gets_its_pieces_with_the_current_stamp(piece):
    section = CategoryFactory(name="Salud")
    author = AuthorFactory()
    story = ArticleFactory(headline="Vacunas", category=section, authors=[author])

    page = row(story)
    assert page.fragments["test_piece"] == "<p>Vacunas · Salud</p>"
    assert page.rendered_with == story_fragments.current_stamp()
    assert set(page.fragments[story_fragments.TAGS_KEY]) == {
        f"story:{story.pk}",
        f"section:{section.pk}",
        f"author:{author.pk}",
    }

    section.name = "Salud pública"
    section.save()
    assert row(story).fragments["test_piece"] == "<p>Vacunas · Salud pública</p>"


def test_a_piece_that_fails_leaves_the_row_without_pieces_and_the_save_succeeds(piece):
    def broken(story):
        raise RuntimeError("a template's fault")

    story_fragments.RENDERERS["test_piece"] = broken
    story = ArticleFactory(headline="Sigue guardada")
    page = row(story)
    assert page.story["fields"]["headline"] == "Sigue guardada"
    assert page.fragments == {} and page.rendered_with == ""


def test_the_stamp_moves_when_a_source_or_a_setting_changes(piece, settings):
    before = story_fragments.current_stamp()
    story_fragments.current_stamp.cache_clear()
    assert story_fragments.current_stamp() == before

    piece.write_text("# version 2\n")
    story_fragments.current_stamp.cache_clear()
    after_source = story_fragments.current_stamp()
    assert after_source != before

    settings.SITE_URL = "https://otro.example"
    story_fragments.current_stamp.cache_clear()
    assert story_fragments.current_stamp() not in (before, after_source)


def test_a_rewrite_through_a_migrations_models_drops_the_pieces(piece):
    story = ArticleFactory(headline="Antes", category=None)
    assert row(story).fragments["test_piece"] == "<p>Antes · -</p>"

    class MigrationModels:
        """A registry other than the installed apps, as a migration passes."""

        def get_model(self, app_label, name):
            return apps.get_model(app_label, name)

    story_pages.write_pages([story.pk], models=MigrationModels())
    page = row(story)
    assert page.fragments == {} and page.rendered_with == ""
    assert page.story["fields"]["headline"] == "Antes"
