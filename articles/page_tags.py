"""What a page shows, as cache tags: the names, and the record a page keeps while it renders.

The lowest layer of the page cache: it imports nothing of the project, so the reads that put
stories on a page (``page_relations``, ``querysets``) can say what they put there. A tag names
one thing readers see; a page carries the tags of everything it shows, and a change moves on
only the tags of what it changed (``cache_tags``), so only the pages showing it are rendered
again (Drupal's cache tags; Fastly's surrogate keys and Varnish's xkey at the edge).

Two kinds of tag:

* a thing's own tag (``story:12``, ``author:3``): its name, address, picture (a story's
  body and corrections, printed only on its page and in feeds, have ``story:12:text``);
* a list's tag (``author:3:stories``, ``STORIES``): which stories the list holds, moved on
  when a published story enters or leaves it.

A page may render one **part** whose tags are recorded apart (``render_part``): the story
page's related stories and "More from" list, which every publication in its section or under
its tags changes while the story itself stays as it was. A page cache can then render that
part again alone, with the renderer registered under the part's name (``register_part``),
when only tags the part shows moved on.
"""

import contextvars
from collections.abc import Callable
from typing import Any, NamedTuple

# Everything: every page carries it; moved on by bulk writes that send no signals.
SITE = "site"
# The site-wide lists of published stories: the home page, the archive, the feeds and the
# corrections page. Moved on when a story is published, unpublished, deleted, or moved in
# time or section.
STORIES = "stories"
# The sitemaps: every published story's address and last change, every subject's address.
SITEMAP = "sitemap"
# The navigation's sections.
SECTIONS = "sections"
# The corrections page's corrections.
CORRECTIONS = "corrections"
# The list of organizations.
ORGANIZATIONS = "organizations"

# The kinds of subject a story is listed under, by the tag prefix of each.
SUBJECT_KINDS = ("section", "author", "tag", "organization")


class Part(NamedTuple):
    """A part of a page rendered by a registered renderer: its name, what the renderer was
    given, what it printed, and the tags recorded while it rendered."""

    name: str
    inputs: Any
    html: str
    tags: frozenset


class _Record:
    """What a page showed so far: its tags outside its part, and its part."""

    def __init__(self):
        self.tags = {SITE}
        self.part: Part | None = None
        self.current = self.tags  # where ``shows()`` records: the part's own set while it renders


_shown: contextvars.ContextVar[_Record | None] = contextvars.ContextVar("page_tags", default=None)
_part_renderers: dict[str, Callable[[Any], str]] = {}


def story(pk) -> str:
    """The tag of one story as any page showing it prints it: headline, dek, picture, byline,
    section, date and address (its own page and its feed items carry ``story_text`` too)."""
    return f"story:{pk}"


def story_text(pk) -> str:
    """The tag of what only a story's own page and its feed items print of it: the body, the
    corrections, the last change's time, the picture's caption. Moved on alone when nothing a
    list prints changed (a correction, a body edit), so the lists showing the story stay."""
    return f"story:{pk}:text"


def subject(kind: str, pk) -> str:
    """The tag of one section, author, tag or organization (``kind``): its name and page."""
    return f"{kind}:{pk}"


def front(section_id) -> str:
    """The tag of a front: the places an editor arranged on the home page (``section_id``
    None) or on a section's page."""
    return f"front:{section_id or 'home'}"


def subject_stories(kind: str, pk) -> str:
    """The tag of the list of a subject's published stories (its page, feed, sitemap row)."""
    return f"{kind}:{pk}:stories"


def related(kind: str, pk) -> str:
    """The tag of the stories a story page may list as related through one of its subjects:
    moved on when a published story with that subject enters the newest stories, or one
    re-enters them."""
    return f"related:{kind}:{pk}"


def related_through(story, *, section: bool = True) -> list[str]:
    """The related-stories tags of a story's page: one per tag and organization it has (read
    from ``for_detail()``) and its section (unless ``section`` is False: no story sharing
    only the section could join the list), through which a new story could join its list."""
    tags = [related("organization", item.pk) for item in story.organization_list]
    tags += [related("tag", item.pk) for item in story.tag_list]
    if section and story.category_id is not None:
        tags.append(related("section", story.category_id))
    return tags


def start_page() -> contextvars.Token:
    """Begin recording what the page being rendered shows (``end_page`` returns it)."""
    return _shown.set(_Record())


def end_page(token: contextvars.Token) -> frozenset:
    """Stop recording; the tags the page showed, its part's included."""
    outside, part = end_page_with_part(token)
    return outside | part.tags if part is not None else outside


def end_page_with_part(token: contextvars.Token) -> tuple[frozenset, Part | None]:
    """Stop recording; the tags the page showed outside its part, and its part (or None)."""
    record = _shown.get()
    _shown.reset(token)
    if record is None:
        return frozenset(), None
    return frozenset(record.tags), record.part


def register_part(name: str, render: Callable[[Any], str]) -> None:
    """``render(inputs)`` prints the part called ``name``: what the page printed, given the
    same inputs, with what the database holds now (see ``render_part``)."""
    _part_renderers[name] = render


def render_part(name: str, inputs) -> str:
    """The part ``name`` rendered by its registered renderer from ``inputs`` (kept by a page
    cache, which must be able to store them), its tags recorded apart from the rest of the
    page being recorded. A page has one part at most: another renders as any other markup,
    its tags the page's own."""
    record = _shown.get()
    render = _part_renderers[name]
    if record is None or record.part is not None or record.current is not record.tags:
        return render(inputs)
    record.current = set()
    try:
        html = render(inputs)
        record.part = Part(name, inputs, html, frozenset(record.current))
    finally:
        record.current = record.tags
    return html


def render_recorded_part(name: str, inputs) -> Part:
    """The part ``name`` rendered on its own (a page cache refreshing it), with its tags."""
    token = _shown.set(_Record())
    try:
        render_part(name, inputs)
        return _shown.get().part
    finally:
        _shown.reset(token)


def can_render_part(name: str) -> bool:
    """Whether a renderer is registered under ``name`` (a page stored by another release may
    name one this one lacks)."""
    return name in _part_renderers


def shows(*tags: str) -> None:
    """The page being rendered shows these things (nothing is recorded outside a page)."""
    record = _shown.get()
    if record is not None:
        record.current.update(tags)


def shows_stories(stories) -> None:
    """The page shows these stories with what their teasers or pages print around them:
    section, byline people, tags and organizations (whichever were read)."""
    record = _shown.get()
    if record is None:
        return
    recorded = record.current
    for item in stories:
        recorded.add(story(item.pk))
        if getattr(item, "category_id", None) is not None:
            recorded.add(subject("section", item.category_id))
        for byline in getattr(item, "prefetched_bylines", ()):
            recorded.add(subject("author", byline.author_id))
        for tag in getattr(item, "prefetched_tags", ()):
            recorded.add(subject("tag", tag.pk))
        for organization in getattr(item, "prefetched_organizations", ()):
            recorded.add(subject("organization", organization.pk))
