"""Pieces rendered for a story's read-model row (``articles/story_fragments.py``): pending while
the change is open, rendered once when it commits with the current stamp, never in the way of
a save, never over a newer change's row, dropped by a migration's rewrite, and marked stale
when what shapes them changes."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import get_script_prefix, set_script_prefix
from django.utils import timezone, translation

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
    story_fragments.COLUMNS.pop("test_piece")
    story_fragments._SOURCES[:] = sources_before
    story_fragments.current_stamp.cache_clear()


def row(story) -> StoryPage:
    return StoryPage.objects.get(article=story)


def test_a_saved_story_gets_its_pieces_with_the_current_stamp(piece, committed):
    section = CategoryFactory(name="Salud")
    author = AuthorFactory()
    with committed():
        story = ArticleFactory(headline="Vacunas", category=section, authors=[author])

    page = row(story)
    assert page.fragments["test_piece"] == "<p>Vacunas · Salud</p>"
    assert page.rendered_with == story_fragments.current_stamp()
    assert set(page.list_pieces[story_fragments.TAGS_KEY]) == {
        f"story:{story.pk}",
        f"section:{section.pk}",
        f"author:{author.pk}",
    }

    with committed():
        section.name = "Salud pública"
        section.save()
    assert row(story).fragments["test_piece"] == "<p>Vacunas · Salud pública</p>"


def test_until_the_change_commits_the_row_is_pending_and_its_pieces_render_once(piece, committed):
    renders = []
    render = story_fragments.RENDERERS["test_piece"]
    story_fragments.RENDERERS["test_piece"] = lambda story: renders.append(story) or render(story)
    with committed():
        # A save, its byline, its tags: each rewrites the row in the same transaction.
        story = ArticleFactory(
            headline="Una vez", category=None, authors=AuthorFactory.create_batch(2)
        )
        story.tags.add("agua", "salud")
        page = row(story)
        assert page.fragments == page.list_pieces == page.feed_pieces == {}
        assert page.rendered_with.startswith(story_fragments.PENDING_PREFIX)
        assert page.rendered_with != story_fragments.current_stamp()
        assert renders == []
    assert len(renders) == 1
    assert row(story).fragments["test_piece"] == "<p>Una vez · -</p>"


def test_a_row_rewritten_by_a_later_change_keeps_that_changes_pieces(
    piece, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as first_change:
        story = ArticleFactory(headline="Primera", category=None)
    with django_capture_on_commit_callbacks() as second_change:
        story.headline = "Segunda"
        story.save()
    # The first change's work runs late, after the second rewrote the row: it leaves it be.
    for callback in first_change:
        callback()
    page = row(story)
    assert page.fragments == page.list_pieces == page.feed_pieces == {}
    assert page.rendered_with.startswith(story_fragments.PENDING_PREFIX)
    for callback in second_change:
        callback()
    assert row(story).fragments["test_piece"] == "<p>Segunda · -</p>"


def test_rows_left_pending_are_rendered_by_the_command(piece, django_capture_on_commit_callbacks):
    # A process that stopped between the commit and its pieces: the work never ran.
    with django_capture_on_commit_callbacks():
        stories = ArticleFactory.create_batch(3, category=None)
    out = StringIO()
    call_command("write_story_pages", "--pending", stdout=out)
    assert "3 stories" in out.getvalue()
    assert all(row(story).rendered_with == story_fragments.current_stamp() for story in stories)


def test_a_piece_that_fails_leaves_the_row_without_pieces_and_the_save_succeeds(
    piece, committed, caplog
):
    def broken(story):
        raise RuntimeError("a template's fault")

    story_fragments.RENDERERS["test_piece"] = broken
    with committed():
        story = ArticleFactory(headline="Sigue guardada")
    page = row(story)
    assert page.story["fields"]["headline"] == "Sigue guardada"
    assert page.fragments == page.list_pieces == page.feed_pieces == {}
    assert page.rendered_with != story_fragments.current_stamp()
    assert "Could not render the pieces of story" in caplog.text


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
    after_setting = story_fragments.current_stamp()
    assert after_setting not in (before, after_source)

    hashed = "whitenoise.storage.CompressedManifestStaticFilesStorage"
    plain = "django.contrib.staticfiles.storage.StaticFilesStorage"
    backend = settings.STORAGES["staticfiles"]["BACKEND"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": plain if backend == hashed else hashed},
    }
    story_fragments.current_stamp.cache_clear()
    assert story_fragments.current_stamp() not in (before, after_source, after_setting)


def test_the_stamp_moves_when_a_static_file_changes(settings, tmp_path):
    # Pieces print static files' hashed addresses (the JSON-LD's logo, say).
    (tmp_path / "img").mkdir()
    logo = tmp_path / "img" / "logo.png"
    logo.write_bytes(b"one picture")
    settings.STATICFILES_DIRS = [tmp_path]
    story_fragments.current_stamp.cache_clear()
    before = story_fragments.current_stamp()

    logo.write_bytes(b"another picture")
    story_fragments.current_stamp.cache_clear()
    assert story_fragments.current_stamp() != before
    story_fragments.current_stamp.cache_clear()


def test_a_rewrite_through_a_migrations_models_drops_the_pieces(piece, committed):
    with committed():
        story = ArticleFactory(headline="Antes", category=None)
    assert row(story).fragments["test_piece"] == "<p>Antes · -</p>"

    class MigrationModels:
        """A registry other than the installed apps, as a migration passes."""

        def get_model(self, app_label, name):
            return apps.get_model(app_label, name)

    story_pages.write_pages([story.pk], models=MigrationModels())
    page = row(story)
    assert page.fragments == page.list_pieces == page.feed_pieces == {} and page.rendered_with == ""
    assert page.story["fields"]["headline"] == "Antes"


@pytest.fixture
def reading_conditions():
    """A registered piece printing the language, time zone and script prefix it was rendered
    in; removed afterwards."""

    def render(story):
        zone = timezone.get_current_timezone_name()
        return f"{translation.get_language()} {zone} {get_script_prefix()}"

    story_fragments.register("test_conditions", render)
    yield "test_conditions"
    story_fragments.RENDERERS.pop("test_conditions")
    story_fragments.current_stamp.cache_clear()


@pytest.fixture
def script_prefix():
    """``script_prefix(prefix)`` sets the script prefix until the test ends."""
    before = get_script_prefix()
    yield set_script_prefix
    set_script_prefix(before)


def test_pieces_are_rendered_as_readers_allowed_to_print_them_read_them(
    reading_conditions, committed, settings, script_prefix
):
    script_prefix("/redaccion/")
    with translation.override("en"), timezone.override("Asia/Tokyo"), committed():
        story = ArticleFactory()

    site = f"{settings.LANGUAGE_CODE} {settings.TIME_ZONE} /"
    assert row(story).fragments[reading_conditions] == site
    assert get_script_prefix() == "/redaccion/"  # given back to the request that wrote it


def test_only_a_request_read_as_pieces_are_rendered_may_print_them(script_prefix):
    stamp = story_fragments.current_stamp()
    assert story_fragments.stamp_to_read() == stamp
    with translation.override("en"):
        assert story_fragments.stamp_to_read() is None
    with timezone.override("Asia/Tokyo"):
        assert story_fragments.stamp_to_read() is None
    script_prefix("/redaccion/")
    assert story_fragments.stamp_to_read() is None
