"""What a page shows, as cache tags: the names, and the record a page keeps while it renders.

The lowest layer of the page cache: it imports nothing of the project, so the reads that put
stories on a page (``page_relations``, ``querysets``) can say what they put there. A tag names
one thing readers see; a page carries the tags of everything it shows, and a change moves on
only the tags of what it changed (``cache_tags``), so only the pages showing it are rendered
again (Drupal's cache tags; Fastly's surrogate keys and Varnish's xkey at the edge).

Two kinds of tag:

* a thing's own tag (``story:12``, ``author:3``): its text, address, picture;
* a list's tag (``author:3:stories``, ``STORIES``): which stories the list holds, moved on
  when a published story enters or leaves it.
"""

import contextvars

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

_shown: contextvars.ContextVar[set | None] = contextvars.ContextVar("page_tags", default=None)


def story(pk) -> str:
    """The tag of one story: its text, byline, pictures, corrections and address."""
    return f"story:{pk}"


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
    return _shown.set({SITE})


def end_page(token: contextvars.Token) -> frozenset:
    """Stop recording; the tags the page showed."""
    tags = _shown.get()
    _shown.reset(token)
    return frozenset(tags or ())


def shows(*tags: str) -> None:
    """The page being rendered shows these things (nothing is recorded outside a page)."""
    recorded = _shown.get()
    if recorded is not None:
        recorded.update(tags)


def shows_stories(stories) -> None:
    """The page shows these stories with what their teasers or pages print around them:
    section, byline people, tags and organizations (whichever were read)."""
    recorded = _shown.get()
    if recorded is None:
        return
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
