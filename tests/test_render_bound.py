"""The story page's ceiling in ``bench/render_bound`` measures the story page itself: the same
bytes as the story view, and no query for the story once it has been read."""

from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture
def stories_from_memory(monkeypatch):
    """Story addresses answered from memory, with nothing kept from another test's database."""
    monkeypatch.syspath_prepend(str(BENCH))
    from render_bound import urls

    urls._story_and_related.cache_clear()
    yield urls
    urls._story_and_related.cache_clear()


def test_the_story_from_memory_is_the_story_page_with_no_query(
    client, settings, section, rich_story_factory, stories_from_memory, django_assert_num_queries
):
    # The uncached page, as the ceiling is measured: a cached copy would answer every request.
    settings.PAGE_CACHE = False
    older = [rich_story_factory(category=section) for _ in range(3)]
    story = rich_story_factory(category=section)
    story.corrections.create(kind="correction", text="Se corrigió una cifra.")
    address = story.get_absolute_url()
    page = client.get(address)
    assert page.status_code == 200
    assert all(other.headline in page.content.decode() for other in older)

    settings.ROOT_URLCONF = "render_bound.urls"
    first = client.get(address)
    # No query for the story; the one left is the page cache's read of the change number a
    # page is built after (articles/tag_versions.py), which every rendered page makes.
    with django_assert_num_queries(1):
        again = client.get(address)

    assert first.content == page.content
    assert again.content == page.content
