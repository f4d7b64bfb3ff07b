"""The one map from a change to the cache tags it touches (see ``page_tags`` for the names).

Every write readers can see reaches this module through signals, connected in
``ArticlesConfig.ready()``: the admin, the publishing functions, the importer, restores and
the shell all write these rows, and one forgotten path would leave readers a stale page. Each
receiver names what the write changed and ``tag_versions.bump`` records it in the same
transaction. A new model that public pages show declares its tags here, in ``TAGS_OF``
(a function from a saved or deleted row to its tags), and its pages say they show it with
``page_tags.shows()``.

The models know nothing of this: only this module knows which of their fields readers see.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from taggit.models import Tag

from . import related_stories, tag_versions
from .models import (
    Article,
    Author,
    BreakingNews,
    Byline,
    Category,
    Correction,
    Front,
    FrontSlot,
    Image,
    Organization,
    OrganizationDomain,
    Rendition,
    TaggedArticle,
)
from .page_tags import (
    CORRECTIONS,
    ORGANIZATIONS,
    SECTIONS,
    SITE,
    SITEMAP,
    STORIES,
    front,
    related,
    story,
    story_text,
    subject,
    subject_stories,
)

# What decides whether, when and where a story is listed: a change to one of these moves it
# in or out of lists and sitemaps (and of the related stories' window), not only within them.
LISTING_FIELDS = (
    "status",
    "published_at",
    "embargoed_until",
    "category_id",
    "listed",
    "in_sitemaps",
)
# What only a story's own page and its feed items print (or nothing public does): a save
# changing nothing but these moves the story's ``story_text`` tag alone, so the lists, fronts
# and related-stories lists showing the story stay stored. Any other field, a new one
# included, counts as printed by lists.
PAGE_ONLY_FIELDS = frozenset(
    {
        "body",
        "body_html",
        "edit_version",
        "created_at",
        "updated_at",
        "revised_at",
        "word_count",
        "reading_time",
        "search_vector",
        "lead_image_caption",
        "lead_image_credit",
        "import_metadata",
        "todos",
    }
)
LISTED_FIELDS = tuple(
    field.attname
    for field in Article._meta.concrete_fields
    if field.attname not in PAGE_ONLY_FIELDS and not field.primary_key
)


def everything_changed() -> None:
    """Bulk writes that send no signals (imports, re-rendering, seeding): every page."""
    tag_versions.bump([SITE])


def stories_rewritten(stories) -> None:
    """Published stories whose text was rewritten in bulk (no signals): their own pages."""
    tag_versions.bump({story(item.pk) for item in stories})


def stories_entered_lists(stories) -> None:
    """Stories written in bulk (no signals) were published: their pages and their lists."""
    ids = [item.pk for item in stories]
    sections = {item.category_id for item in stories}
    tags = {story(pk) for pk in ids} | story_listed_tags(ids, sections)
    tag_versions.bump(tags | window_edge_tags(entered=True, left=False))


def story_listed_tags(story_ids, section_ids=()) -> set[str]:
    """The lists these stories are in or leave: the site's, those of their sections, authors,
    tags and organizations (read from their links), and the related-stories lists they may
    join through those subjects."""
    story_ids = list(story_ids)
    tags = {STORIES, SITEMAP}
    for pk in section_ids:
        if pk is not None:
            tags |= {subject_stories("section", pk), related("section", pk)}
    for kind, pk in _subjects_of(story_ids, with_authors=True):
        tags.add(subject_stories(kind, pk))
        if kind != "author":  # related stories are scored by tag and organization
            tags.add(related(kind, pk))
    return tags


def _subjects_of(story_ids, *, with_authors: bool) -> list[tuple[str, int]]:
    """(kind, id) of every author (if asked), tag and organization of these stories."""
    links = [
        (
            "tag",
            TaggedArticle.objects.filter(content_object_id__in=story_ids).values_list("tag_id"),
        ),
        (
            "organization",
            Article.organizations.through.objects.filter(article_id__in=story_ids).values_list(
                "organization_id"
            ),
        ),
    ]
    if with_authors:
        links.append(
            ("author", Byline.objects.filter(article_id__in=story_ids).values_list("author_id"))
        )
    return [(kind, pk) for kind, rows in links for (pk,) in rows]


def window_edge_tags(*, entered: bool, left: bool) -> set[str]:
    """A story entered the newest stories related stories come from (or left them): the one
    pushed out of the window was listed only by pages carrying its ``story:`` tag; the one
    pulled back in may join the lists of pages sharing its subjects."""
    edge = list(
        Article.objects.published()
        .newest_first()
        .values_list("pk", "category_id")[
            related_stories.RELATED_WINDOW - 1 : related_stories.RELATED_WINDOW + 2
        ]
    )
    tags = {story(pk) for pk, _section in edge} if entered else set()
    if left and edge:
        pulled_in = [pk for pk, _section in edge[:2]]
        tags |= {story(pk) for pk in pulled_in}
        tags |= {related("section", section) for pk, section in edge[:2] if section is not None}
        tags |= {related(kind, pk) for kind, pk in _subjects_of(pulled_in, with_authors=False)}
    return tags


def _listed_before(sender, instance, **kwargs):
    """Before a story is saved: what lists print of it and what decided its place in them,
    as the database has it."""
    if instance.pk is None:
        instance._listed_as = None
        return
    instance._listed_as = Article.objects.filter(pk=instance.pk).values(*LISTED_FIELDS).first()


def _story_saved(sender, instance, created=False, update_fields=None, **kwargs):
    """A story saved: its page and the lists it is in; its lists too if it moved in or out.
    A save that changed only what its own page prints (``PAGE_ONLY_FIELDS``) leaves them.

    A story readers never could see (a draft, saved as a draft) changes no public page.
    """
    listed_before = getattr(instance, "_listed_as", None)
    listed_now = {
        name: getattr(instance, name)
        if listed_before is None or _written(name, update_fields)
        else listed_before[name]
        for name in LISTED_FIELDS
    }
    now = {name: listed_now[name] for name in LISTING_FIELDS}
    before = listed_before and {name: listed_before[name] for name in LISTING_FIELDS}
    published = Article.Status.PUBLISHED
    if now["status"] != published and (before is None or before["status"] != published):
        return
    if listed_now == listed_before:
        tag_versions.bump({story_text(instance.pk), SITEMAP})
        return
    tags = {story(instance.pk), SITEMAP}
    if before != now:
        sections = {now["category_id"], (before or {}).get("category_id")}
        tags |= story_listed_tags([instance.pk], sections)
        was_listed = before is not None and before["status"] == published
        is_listed = now["status"] == published
        # Moved in time or section: it may have entered and left the window.
        moved = was_listed == is_listed
        tags |= window_edge_tags(entered=is_listed or moved, left=was_listed or moved)
    tag_versions.bump(tags)


def _written(attname: str, update_fields) -> bool:
    """Whether a save wrote this field: every field, unless it named those it writes (by
    name or by column, as ``Model.save`` accepts them)."""
    if update_fields is None:
        return True
    return attname in update_fields or _NAME_OF.get(attname) in update_fields


_NAME_OF = {field.attname: field.name for field in Article._meta.concrete_fields}


def _story_deleted(sender, instance, **kwargs):
    """A story deleted: its page and every list it was in (its links are gone already, so
    its subjects' lists are named by the pages that showed it: ``story:<id>``), and the
    story its going pulls back into the related stories' window."""
    tags = {story(instance.pk), STORIES, SITEMAP, subject_stories("section", instance.category_id)}
    tag_versions.bump(tags | window_edge_tags(entered=False, left=True))


def _published(story_ids) -> list[int]:
    """Those of these stories that readers can see or were due to (status published)."""
    return list(
        Article.objects.filter(pk__in=list(story_ids), status=Article.Status.PUBLISHED).values_list(
            "pk", flat=True
        )
    )


def _links_changed(story_ids, kind, subject_ids) -> None:
    """Stories gained or lost a byline person, a tag or an organization: their pages, and
    the subjects' lists; the related stories' window scores tags and organizations."""
    visible = _published(story_ids)
    if not visible:
        return
    tags = {story(pk) for pk in visible} | {SITEMAP}
    tags.update(subject_stories(kind, pk) for pk in subject_ids)
    if kind != "author":  # the stories may now be related to pages sharing these subjects
        tags.update(related(kind, pk) for pk in subject_ids)
    tag_versions.bump(tags)


def _link_before(sender, instance, **kwargs):
    """Before a byline or tag row is saved: the subject it named (a row may be re-pointed)."""
    field = _LINK_FIELDS[sender][1]
    instance._linked_before = (
        sender.objects.filter(pk=instance.pk).values_list(field, flat=True).first()
        if instance.pk
        else None
    )


def _link_row_changed(sender, instance, **kwargs):
    """A byline or tag row saved or deleted."""
    story_field, subject_field, kind = _LINK_FIELDS[sender]
    subjects = {getattr(instance, subject_field), getattr(instance, "_linked_before", None)}
    _links_changed([getattr(instance, story_field)], kind, subjects - {None})


_LINK_FIELDS = {
    Byline: ("article_id", "author_id", "author"),
    TaggedArticle: ("content_object_id", "tag_id", "tag"),
}


def _links_m2m_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Organizations or tags added to or removed from stories (either side of the relation)."""
    kind = "tag" if sender is TaggedArticle else "organization"
    if action == "pre_clear":
        # The links are gone after the clear: name them now.
        instance._cleared_links = _linked(sender, instance, reverse)
        return
    if not action.startswith("post_"):
        return
    if action == "post_clear":
        pk_set = getattr(instance, "_cleared_links", set())
    if reverse:  # a tag or organization given or taken stories
        _links_changed(pk_set or (), kind, {instance.pk})
    else:
        _links_changed([instance.pk], kind, pk_set or ())


def _linked(through, instance, reverse) -> set:
    """What ``instance`` is linked to through ``through`` (the other side's ids)."""
    if through is TaggedArticle:
        story_column, subject_column = "content_object_id", "tag_id"
    else:
        story_column, subject_column = "article_id", "organization_id"
    own, other = (subject_column, story_column) if reverse else (story_column, subject_column)
    return set(through.objects.filter(**{own: instance.pk}).values_list(other, flat=True))


def _image_tags(image_id) -> set[str]:
    """The stories that lead with this image."""
    return {
        story(pk)
        for pk in Article.objects.filter(lead_image_id=image_id).values_list("pk", flat=True)
    }


def _correction_tags(correction) -> set[str]:
    """A correction shows on its story's page and in its feed items (``story_text``) and on
    the corrections page; no list prints it."""
    return {story_text(correction.article_id), CORRECTIONS}


# A row of these models changed: the tags of the pages that show it (a set; empty: none).
TAGS_OF = {
    Author: lambda row: {subject("author", row.pk), SITEMAP},
    Category: lambda row: {subject("section", row.pk), SECTIONS, SITEMAP},
    Tag: lambda row: {subject("tag", row.pk), SITEMAP},
    Organization: lambda row: {subject("organization", row.pk), ORGANIZATIONS, SITEMAP},
    OrganizationDomain: lambda row: {subject("organization", row.organization_id)},
    Correction: _correction_tags,
    Image: lambda row: _image_tags(row.pk),
    Rendition: lambda row: _image_tags(row.image_id),
    # Fronts: only the page each one arranges; the banner: every page (the site's tag).
    Front: lambda row: {front(row.section_id)},
    FrontSlot: lambda row: _front_slot_tags(row),
    BreakingNews: lambda row: {SITE},
}


def _front_slot_tags(slot) -> set[str]:
    """A place on a front: that front's page (every page if the front is already gone)."""
    section = Front.objects.filter(pk=slot.front_id).values_list("section_id", flat=True)
    found = list(section)
    return {front(found[0])} if found else {SITE}


def _row_changed(sender, instance, **kwargs):
    """A row that public pages print changed: the tags ``TAGS_OF`` names for it."""
    tags = TAGS_OF[sender](instance)
    if tags:
        tag_versions.bump(tags)


def connect_receivers() -> None:
    """Connect every receiver above (called once, from ``ArticlesConfig.ready()``)."""
    pre_save.connect(_listed_before, sender=Article, dispatch_uid="tags_article_before")
    post_save.connect(_story_saved, sender=Article, dispatch_uid="tags_article_saved")
    post_delete.connect(_story_deleted, sender=Article, dispatch_uid="tags_article_deleted")
    for model in _LINK_FIELDS:
        pre_save.connect(_link_before, sender=model, dispatch_uid=f"tags_{model}_before")
        for signal in (post_save, post_delete):
            signal.connect(_link_row_changed, sender=model, dispatch_uid=f"tags_{model}_{signal}")
    for model in TAGS_OF:
        for signal in (post_save, post_delete):
            signal.connect(_row_changed, sender=model, dispatch_uid=f"tags_{model}_{signal}")
    for through in (TaggedArticle, Article.organizations.through):
        m2m_changed.connect(_links_m2m_changed, sender=through, dispatch_uid=f"tags_{through}")
