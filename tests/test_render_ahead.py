"""Rendering the next batch in a forked worker (articles/importers/render_ahead.py)."""

import os
import signal
import time

import pytest

from articles import rendering
from articles.importers import jekyll_import
from articles.importers.jekyll_import import import_site
from articles.importers.render_ahead import RenderAhead
from articles.models import Article
from articles.rendering import markdown_to_unsafe_html, render_markdown

pytestmark = pytest.mark.skipif(
    not hasattr(os, "fork") or (os.cpu_count() or 1) < 2,
    reason="rendering ahead needs fork and a second core",
)


def rendered(body):
    """What the worker gives back: the reader's HTML and the HTML the checks read."""
    return render_markdown(body), markdown_to_unsafe_html(body)


BODIES = [
    'Un párrafo "citado" -- con [enlace](https://fundar.org.mx/a).',
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "Texto con nota[^1].\n\n[^1]: La nota.",
]


def test_the_worker_renders_exactly_what_the_importer_would():
    with RenderAhead(batches=2) as ahead:
        assert ahead.enabled
        ahead.submit(BODIES)
        ahead.submit([])  # the next batch begins: what was submitted is current
        for body in BODIES:
            assert ahead.take(body) == rendered(body)
        # Taken once; anything it was not given is the importer's to render.
        assert ahead.take(BODIES[0]) is None
        assert ahead.take("Otro texto") is None


def test_a_body_the_worker_refuses_is_left_for_the_importer_to_refuse():
    refused = "hola\x00mundo"
    with RenderAhead(batches=2) as ahead:
        ahead.submit([refused, "bien"])
        ahead.submit([])
        assert ahead.take(refused) is None
        assert ahead.take("bien") == rendered("bien")


def test_library_images_are_never_rendered_in_the_worker():
    # They need the database, which a forked worker must not touch.
    with RenderAhead(batches=2) as ahead:
        ahead.submit(["![Foto](image:42)"])
        ahead.submit([])
        assert ahead.take("![Foto](image:42)") is None


def test_a_worker_that_dies_leaves_the_rendering_to_the_importer():
    with RenderAhead(batches=3) as ahead:
        ahead.submit(BODIES)
        ahead.submit([])
        assert ahead.take(BODIES[0]) == rendered(BODIES[0])
        for process in ahead._pool._processes.values():
            os.kill(process.pid, signal.SIGKILL)
            process.join()
        ahead.submit(["Otra nota"])  # no error, whether or not the pool knows yet
        ahead.submit([])
        assert ahead.take("Otra nota") is None  # its future failed, or was never made
        # Once the pool has noticed, rendering ahead stops altogether.
        deadline = time.monotonic() + 10
        while ahead.enabled and time.monotonic() < deadline:
            ahead.submit(["Una más"])
            time.sleep(0.05)
        assert not ahead.enabled


def test_a_single_batch_starts_no_worker():
    with RenderAhead(batches=1) as ahead:
        assert not ahead.enabled
        ahead.submit(BODIES)
        ahead.submit([])
        assert ahead.take(BODIES[0]) is None


def write_posts(site, count):
    (site / "_posts").mkdir(parents=True)
    for number in range(count):
        body = BODIES[number % len(BODIES)] + f"\n\nHistoria número {number}."
        if number == 4:
            body = "Un cuerpo con\x00nulo."
        (site / "_posts" / f"2021-03-{1 + number:02d}-nota-{number}.md").write_text(
            f"---\ntitle: Nota {number}\ncategory: Datos\nauthor: Ana Pérez\n---\n{body}\n",
            encoding="utf-8",
        )


@pytest.mark.django_db
def test_an_import_of_several_batches_takes_rendered_bodies_from_the_worker(tmp_path, monkeypatch):
    monkeypatch.setattr(jekyll_import, "BATCH_SIZE", 3)
    taken = []
    original_take = RenderAhead.take

    def counting_take(self, body):
        html = original_take(self, body)
        taken.append(html is not None)
        return html

    monkeypatch.setattr(RenderAhead, "take", counting_take)
    # Markdown passes in this process (the worker, forked, counts in its own copy).
    passes = []
    original_convert = rendering._convert

    def counting_convert(text, **kwargs):
        passes.append(text)
        return original_convert(text, **kwargs)

    monkeypatch.setattr(rendering, "_convert", counting_convert)
    write_posts(tmp_path, 10)

    report = import_site(tmp_path)

    # Batch one is rendered here; batches two to four were rendered ahead in the worker.
    assert taken.count(True) >= 6
    # One pass for each body the worker did not render, none for the to-dos after the last
    # batch: they read the HTML made with the reader's.
    assert len(passes) == taken.count(False), passes
    assert [source for source, _reason in report.failures] == ["_posts/2021-03-05-nota-4.md"]
    stories = Article.objects.order_by("published_at")
    assert stories.count() == 9
    for story in stories:
        assert story.body_html == render_markdown(story.body)
        assert story.word_count > 0
