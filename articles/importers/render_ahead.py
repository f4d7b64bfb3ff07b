"""Rendering the next batch's Markdown in a second process while this one writes the current one.

Markdown is the largest cost of importing a post, and while a batch is written this process
mostly waits for the database. So a forked worker renders the bodies of batch N+1 during
batch N, giving back both the reader's HTML and the HTML before sanitizing that the story's
to-dos are read from once the whole blog is in. The importer takes a body's HTML from the worker only for exactly the text the
worker rendered, and renders anything else itself (a body the worker failed on included, so
errors surface where they always did): a wrong guess costs time, never correctness.
"""

import multiprocessing
import os
from concurrent.futures import BrokenExecutor, Future, ProcessPoolExecutor

from ..rendering import LIBRARY_IMAGE_MARK, markdown_to_unsafe_html, render_markdown


def render_for_readers_and_checks(body: str) -> tuple[str, str]:
    """The body's HTML for readers and, from the same render, the HTML before sanitizing
    that its to-dos and link checks read (``rendering.markdown_to_unsafe_html``)."""
    return render_markdown(body), markdown_to_unsafe_html(body)


class RenderAhead:
    """One worker process rendering bodies for the next batch (or nothing, where it can't)."""

    def __init__(self, *, batches: int):
        self._pool = None
        self._current: dict[str, Future] = {}
        self._next: dict[str, Future] = {}
        can_fork = "fork" in multiprocessing.get_all_start_methods()
        # With one batch there is no next batch to render ahead.
        if batches > 1 and can_fork and (os.cpu_count() or 1) > 1:
            self._pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("fork")
            )

    @property
    def enabled(self) -> bool:
        """False when rendering ahead would not pay (a single batch, a single core)."""
        return self._pool is not None

    def submit(self, next_bodies: list[str]) -> None:
        """Start rendering the next batch's bodies; the ones submitted before become current."""
        for future in self._current.values():
            future.cancel()
        self._current, self._next = self._next, {}
        if self._pool is None:
            return
        try:
            for body in next_bodies:
                # Library images are looked up in the database while rendering; a forked
                # worker must never use its parent's connection: those stay with the importer.
                if LIBRARY_IMAGE_MARK not in body and body not in self._next:
                    self._next[body] = self._pool.submit(render_for_readers_and_checks, body)
        except BrokenExecutor:
            # The worker died (killed, out of memory): the import goes on rendering by itself.
            self._next = {}
            self.close()

    def take(self, body: str) -> tuple[str, str] | None:
        """``render_for_readers_and_checks(body)`` made ahead for exactly this body, or None
        (render it yourself)."""
        future = self._current.pop(body, None)
        if future is None:
            return None
        try:
            return future.result()
        except Exception:  # noqa: BLE001 (the importer's own render reports it properly)
            return None

    def close(self) -> None:
        """Stop the worker; bodies still waiting are dropped."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
