"""The story page's read model (``StoryPage``): written when a story or anything its page
shows changes, read back by ``story_page_reads``.

A published story's row holds its columns, its section, its byline rows with their people,
its tags, organizations and current corrections, and its lead image with the renditions, as
JSON. The page builds from it the same model instances ``for_detail()`` gives (nothing the
templates read changes), so a cache miss costs one query for the story, whatever the number
of its authors, tags, organizations and corrections, and one for the pictures of the stories
it lists beside it (read from their own rows). Related stories and "More from" the section
are not stored: they change when other stories are published, so they are chosen at request
time among the newest stories (``ArticleQuerySet.related_to()``).

Written like the rendered Markdown, on save, in the change's own transaction: the receivers
connected in ``ArticlesConfig.ready()`` hear every save of a story, a byline, a tag, an
organization, a section, a person, a correction or a picture; bulk writers that send no
signals call ``write_pages`` themselves. Drafts never get a row: the publishing rule is
applied again when the row is read (a scheduled story's row waits for its time).

A row keeps every column of the story but those no page prints (``NEVER_PRINTED``). A
migration that adds a column readers see should call ``write_every_page`` (as ``0020``
does): until a row is rewritten, the page reads that column with a query of its own.
"""

from datetime import datetime

from django.apps import apps as installed_apps
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import Signal
from taggit.models import Tag

from .models import (
    Article,
    Author,
    Byline,
    Category,
    Correction,
    Image,
    Organization,
    Rendition,
    StoryPage,
    TaggedArticle,
)
from .page_relations import relation_rows
from .querysets import NEVER_PRINTED
from .story_page_reads import time_fields

RELATIONS = ("bylines", "tags", "organizations", "corrections")
# The columns a row's rewrite sets.
PAGE_COLUMNS = ("story", "lead_image", *StoryPage.PIECE_COLUMNS, "rendered_with")
# Stories written per round of queries when many are (re)written at once.
BATCH = 500
# The PostgreSQL advisory lock that writers of the read model take until their commit.
WRITERS_LOCK = 0x5709_9A6E

# Sent with the rows about to be written (``pages``: unsaved ``StoryPage`` instances, ``using``):
# a receiver may set their pieces' columns (``story_fragments`` marks them pending). Not sent
# from migrations, which write through their own historical models.
pages_ready = Signal()


# Writing.


def write_pages(story_ids, *, using=DEFAULT_DB_ALIAS, models=installed_apps) -> None:
    """Write the rows of these stories as they are now: published ones (re)written, any
    other's row removed. A few queries per ``BATCH`` stories, whatever they show.

    ``story_ids``: ids, or a query of them, read once no other writer is at work.
    ``models``: the app registry to read through (a migration passes its own).
    """
    with transaction.atomic(using=using):
        # Even with nothing to write: the change that found no rows to rewrite must still
        # keep a story written meanwhile from reading what it changed before it commits.
        _one_writer_at_a_time(using)
        story_ids = list(dict.fromkeys(story_ids))
        for start in range(0, len(story_ids), BATCH):
            _write_batch(story_ids[start : start + BATCH], using, models)


def _one_writer_at_a_time(using) -> None:
    """Wait until no other transaction that wrote rows is still open, and keep the others
    waiting until this one ends.

    A row copies other rows (a person's name, a section's): without this, a story published
    while its author is renamed in another transaction would be written with the old name
    (neither sees the other's change before its commit), and its row would stay stale. With
    it, each writer reads after the previous one committed (PostgreSQL reads what is committed
    at each statement). SQLite lets one transaction write at a time anyway.
    """
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [WRITERS_LOCK])


def write_every_page(*, using=DEFAULT_DB_ALIAS, models=installed_apps) -> int:
    """Write the row of every published story (after a bulk change, or to fill the table);
    the number of stories written."""
    article_model = models.get_model("articles", "Article")
    published = article_model.objects.using(using).filter(status=Article.Status.PUBLISHED)
    ids = list(published.order_by().values_list("pk", flat=True))
    models.get_model("articles", "StoryPage").objects.using(using).exclude(
        article_id__in=published.values("pk")
    ).delete()
    write_pages(ids, using=using, models=models)
    return len(ids)


def _write_batch(story_ids, using, models) -> None:
    get = models.get_model
    article_model, page_model = get("articles", "Article"), get("articles", "StoryPage")
    stored = [
        field.attname
        for field in article_model._meta.concrete_fields
        if field.attname not in NEVER_PRINTED
    ]
    stories = list(
        article_model.objects.using(using)
        .filter(pk__in=story_ids, status=Article.Status.PUBLISHED)
        .values(*stored)
    )
    published = [story["id"] for story in stories]
    page_model.objects.using(using).filter(article_id__in=story_ids).exclude(
        article_id__in=published
    ).delete()
    if not stories:
        return
    sections = _rows_by_id(get("articles", "Category"), {s["category_id"] for s in stories}, using)
    pictures = _pictures(get, {story["lead_image_id"] for story in stories}, using)
    relations = {story_id: {name: [] for name in RELATIONS} for story_id in published}
    for story_id, relation, row in relation_rows(published, RELATIONS, using):
        relations[story_id][relation].append(_row_to_json(row))
    pages = [
        page_model(
            article_id=story["id"],
            story={
                "fields": _to_json(article_model, story),
                "section": sections.get(story["category_id"]),
                "relations": relations[story["id"]],
            },
            lead_image=pictures.get(story["lead_image_id"]),
        )
        for story in stories
    ]
    if models is installed_apps:
        pages_ready.send(sender=page_model, pages=pages, using=using)
    # A migration's model may predate the fragments; where it has them, a row it writes loses
    # its old ones (left empty, so readers render the story until they are rendered again).
    columns = {field.name for field in page_model._meta.concrete_fields}
    page_model.objects.using(using).bulk_create(
        pages,
        update_conflicts=True,
        unique_fields=["article"],
        update_fields=[name for name in PAGE_COLUMNS if name in columns],
    )


def _rows_by_id(model, ids, using) -> dict:
    rows = model.objects.using(using).filter(pk__in=ids - {None}).values(*_columns(model))
    return {row["id"]: _to_json(model, row) for row in rows}


def _pictures(get, image_ids, using) -> dict:
    image_model, rendition_model = get("articles", "Image"), get("articles", "Rendition")
    pictures = {
        pk: {"image": image, "renditions": []}
        for pk, image in _rows_by_id(image_model, image_ids, using).items()
    }
    # In the order ``image.renditions.all()`` gives them (the model's ordering).
    renditions = rendition_model.objects.using(using).filter(image_id__in=list(pictures))
    for row in renditions.order_by("image", "width", "spec").values(*_columns(rendition_model)):
        pictures[row["image_id"]]["renditions"].append(_to_json(rendition_model, row))
    return pictures


def _columns(model) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


def _to_json(model, row: dict) -> dict:
    for name in time_fields(model) & row.keys():
        if row[name] is not None:
            row[name] = row[name].isoformat()
    return row


def _row_to_json(row: dict) -> dict:
    if isinstance(row["moment"], datetime):
        row["moment"] = row["moment"].isoformat()
    return row


# What rewrites a row: the receivers, connected in ``ArticlesConfig.ready()``.


def _story_saved(sender, instance, **kwargs):
    write_pages([instance.pk])


def _link_row_changed(sender, instance, origin=None, **kwargs):
    """A byline, tag link or correction saved or deleted (not as its story is deleted)."""
    if _deleting_stories(origin):
        return
    story_id = instance.content_object_id if sender is TaggedArticle else instance.article_id
    write_pages([story_id])


def _deleting_stories(origin) -> bool:
    if isinstance(origin, QuerySet):
        return origin.model is Article
    return isinstance(origin, Article)


def _links_m2m_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Tags or organizations added to or removed from stories, from either side."""
    if action == "pre_clear" and reverse:
        # The stories are unknown after the clear: name them now.
        instance._cleared_stories = list(_stories_of(sender, instance))
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        write_pages([instance.pk])
    elif action == "post_clear":
        write_pages(getattr(instance, "_cleared_stories", ()))
    else:
        write_pages(pk_set or ())


def _stories_of(sender, instance) -> QuerySet:
    """The stories with a page row that show this author, tag, organization, section or
    picture (``sender``: what it is, or the link table it is reached through), as a query
    that ``write_pages`` runs once it holds the writers' lock."""
    lookup = {
        Author: "article__bylines__author",
        Tag: "article__tagged_items__tag",
        TaggedArticle: "article__tagged_items__tag",
        Organization: "article__organizations",
        Article.organizations.through: "article__organizations",
        Category: "article__category",
        Image: "article__lead_image",
    }[sender]
    return StoryPage.objects.filter(**{lookup: instance.pk}).values_list("pk", flat=True)


def _subject_changed(sender, instance, **kwargs):
    """A person, tag, organization, section or picture saved: the stories showing it."""
    write_pages(_stories_of(sender, instance))


def _organization_going(sender, instance, **kwargs):
    # Its links go without signals: name the stories now, rewrite them once it is gone.
    instance._shown_by = list(_stories_of(Organization, instance))


def _organization_gone(sender, instance, **kwargs):
    write_pages(getattr(instance, "_shown_by", ()))


def _rendition_changed(sender, instance, **kwargs):
    write_pages(_stories_of(Image, Image(pk=instance.image_id)))


def connect_receivers() -> None:
    """Connect every receiver above (called once, from ``ArticlesConfig.ready()``)."""
    uid = "story_pages_"
    post_save.connect(_story_saved, sender=Article, dispatch_uid=f"{uid}article")
    for model in (Byline, TaggedArticle, Correction):
        for signal in (post_save, post_delete):
            signal.connect(_link_row_changed, sender=model, dispatch_uid=f"{uid}{model}{signal}")
    for through in (TaggedArticle, Article.organizations.through):
        m2m_changed.connect(_links_m2m_changed, sender=through, dispatch_uid=f"{uid}{through}")
    for model in (Author, Tag, Organization, Category, Image):
        post_save.connect(_subject_changed, sender=model, dispatch_uid=f"{uid}{model}")
    pre_delete.connect(_organization_going, sender=Organization, dispatch_uid=f"{uid}org_pre")
    post_delete.connect(_organization_gone, sender=Organization, dispatch_uid=f"{uid}org_post")
    for signal in (post_save, post_delete):
        signal.connect(_rendition_changed, sender=Rendition, dispatch_uid=f"{uid}rendition{signal}")
