"""What a page prints around its stories (bylines, tags, organizations, corrections), read for
all of the page's stories in one query.

``ArticleQuerySet.for_listing()``, ``for_detail()`` and ``for_feed()`` evaluate through the
iterables below, which fill the plain lists that ``Article.ordered_bylines``, ``tag_list``,
``organization_list`` and ``current_corrections`` read. One ``UNION ALL`` replaces a prefetch
query per relation: each of those took longer to build in the ORM than to run, and on an
uncached story page the four of them were a quarter of the time.

Rows become model instances through ``from_db`` with the columns read here; any other column
loads when something asks for it, as after ``only()``.
"""

from itertools import islice

from django.apps import apps
from django.db import connections
from django.db.models.query import ModelIterable
from taggit.models import Tag

from . import page_tags
from .prepared_statements import planned_once

# Where each story's list of a relation goes.
ATTRIBUTES = {
    "bylines": "prefetched_bylines",
    "tags": "prefetched_tags",
    "organizations": "prefetched_organizations",
    "corrections": "current_corrections",
}
# Every relation's rows share one shape; a relation leaves the columns it has no use for empty.
COLUMNS = (
    "row_id", "author_id", "name", "slug", "text_1", "text_2", "text_3", "sort_name", "text_4",
)  # fmt: skip


class ListingIterable(ModelIterable):
    """Stories with their bylines (authors included) and tags; one query per batch of
    stories as ``iterator(chunk_size=)`` asks (100 when a queryset is simply evaluated)."""

    relations = ("bylines", "tags")

    def __iter__(self):
        stories = super().__iter__()
        while batch := list(islice(stories, self.chunk_size)):
            attach_relations(batch, self.relations, using=self.queryset.db)
            yield from batch


class FeedIterable(ListingIterable):
    """Stories with bylines, tags and the corrections readers see: a feed item carries them."""

    relations = ("bylines", "tags", "corrections")


class StoryPageIterable(ListingIterable):
    """Stories with bylines, tags, organizations and the corrections readers see."""

    relations = ("bylines", "tags", "organizations", "corrections")


def attach_relations(stories, relations, *, using) -> None:
    """Fill each story's lists for these relations (see ``ATTRIBUTES``) in one query.

    Bylines come in signing order, tags in the order they were added, organizations by name
    and corrections oldest first, without those a later correction replaced.
    """
    if not stories:
        return
    lists = {relation: {story.pk: [] for story in stories} for relation in relations}
    for story_id, relation, row in relation_rows([story.pk for story in stories], relations, using):
        lists[relation][story_id].append(instance_of(relation, story_id, row, using))
    for story in stories:
        for relation in relations:
            setattr(story, ATTRIBUTES[relation], lists[relation][story.pk])
    page_tags.shows_stories(stories)


def articles_models(*names: str) -> list:
    """The app's models by name, from Django's registry: the reads of this layer sit below the
    models, which use them, so they look the models up instead of importing them."""
    return [apps.get_model("articles", name) for name in names]


def relation_rows(story_ids, relations, using):
    """(story id, relation, row) for every row of these relations of these stories, in the
    order pages print them; a row is a dict of ``COLUMNS``, ``rank`` and ``moment`` (a time),
    which ``instance_of`` turns into the model instance a template reads."""
    for story_id, relation, rank, *columns, moment in _rows(story_ids, relations, using):
        yield story_id, relation, dict(zip(COLUMNS, columns, strict=True), rank=rank, moment=moment)


def instance_of(relation: str, story_id, row: dict, using):
    """The byline (with its author), tag, organization or correction a row of
    ``relation_rows`` stands for, as if read by the ORM."""
    return _INSTANCES[relation](story_id, row, using)


def _rows(story_ids, relations, using):
    """(story id, relation, rank, *COLUMNS, moment) for every row of these relations, sorted
    by relation, then rank, then name in the database's collation, then time, then id."""
    Article, Author, Byline, Correction, Organization, TaggedArticle = articles_models(
        "Article", "Author", "Byline", "Correction", "Organization", "TaggedArticle"
    )

    connection = connections[using]
    story_ids = list(story_ids)
    placeholders = ", ".join(["%s"] * len(story_ids))
    models = {
        "byline": Byline,
        "author": Author,
        "tagged": TaggedArticle,
        "tag": Tag,
        "named": Article.organizations.through,
        "organization": Organization,
        "correction": Correction,
    }
    table = {
        name: connection.ops.quote_name(model._meta.db_table) for name, model in models.items()
    }
    # Written as SQL: the same union through the ORM took longer to build than the four
    # prefetch queries it replaces. NULLs are typed, or PostgreSQL types a column that starts
    # with them as text whatever the later rows hold.
    number, text, time = "CAST(NULL AS integer)", "CAST(NULL AS text)", _null_time(connection)
    selects = {
        "bylines": f"""
            SELECT b.article_id, 'bylines', b.position, b.id, b.author_id, a.name, a.slug,
                b.role, a.kind, a.links, {text}, a.photo, {time}
            FROM {table["byline"]} AS b JOIN {table["author"]} AS a ON a.id = b.author_id
            WHERE b.article_id IN ({placeholders})""",
        "tags": f"""
            SELECT i.content_object_id, 'tags', i.id, t.id, {number}, t.name, t.slug,
                {text}, {text}, {text}, {text}, {text}, {time}
            FROM {table["tagged"]} AS i JOIN {table["tag"]} AS t ON t.id = i.tag_id
            WHERE i.content_object_id IN ({placeholders})""",
        "organizations": f"""
            SELECT n.article_id, 'organizations', 0, o.id, {number}, o.name, o.slug,
                o.acronym, o.website, {text}, o.name, {text}, {time}
            FROM {table["named"]} AS n JOIN {table["organization"]} AS o
                ON o.id = n.organization_id
            WHERE n.article_id IN ({placeholders})""",
        "corrections": f"""
            SELECT c.article_id, 'corrections', 0, c.id, {number}, {text}, {text},
                c.kind, c.text, {text}, {text}, {text}, c.published_at
            FROM {table["correction"]} AS c
            WHERE c.article_id IN ({placeholders}) AND c.superseded_by_id IS NULL""",
    }
    sql = " UNION ALL ".join(selects[relation] for relation in relations)
    # Columns: 2 relation, 3 rank, 11 name to sort by, 13 time, 4 id.
    sql += " ORDER BY 2, 3, 11, 13, 4"
    # Rows found by their stories' ids: the best plan is the same whatever the ids.
    with planned_once(using), connection.cursor() as cursor:
        cursor.execute(sql, story_ids * len(relations))
        rows = cursor.fetchall()
    converters = _time_converters(connection)
    for row in rows:
        yield (*row[:-1], time_from_database(row[-1], connection, converters))


def _null_time(connection) -> str:
    """A NULL of the type the database gives a ``DateTimeField``."""
    (Correction,) = articles_models("Correction")

    column_type = Correction._meta.get_field("published_at").db_type(connection)
    return f"CAST(NULL AS {column_type})"


def time_from_database(value, connection, converters=None):
    """A ``DateTimeField`` value read with plain SQL, as the ORM would give it (SQLite keeps
    text, for instance); pass ``converters`` when converting many."""
    for converter in _time_converters(connection) if converters is None else converters:
        value = converter(value, None, connection)
    return value


def _time_converters(connection) -> list:
    """What the database backend does to a ``DateTimeField`` value read from it (SQLite keeps
    text, for instance)."""
    (Correction,) = articles_models("Correction")

    field = Correction._meta.get_field("published_at")
    return connection.ops.get_db_converters(field.get_col(Correction._meta.db_table))


def loaded(model, using, **values):
    """An instance as if read from the database with only these columns (any other loads when
    read, as after ``only()``)."""
    names = [field.attname for field in model._meta.concrete_fields if field.attname in values]
    return model.from_db(using, names, [values[name] for name in names])


def _byline(story_id, row, using):
    Author, Byline = articles_models("Author", "Byline")

    byline = loaded(
        Byline,
        using,
        id=row["row_id"],
        article_id=story_id,
        author_id=row["author_id"],
        position=row["rank"],
        role=row["text_1"],
    )
    byline.author = loaded(
        Author,
        using,
        id=row["author_id"],
        name=row["name"],
        slug=row["slug"],
        kind=row["text_2"],
        links=row["text_3"],
        photo=row["text_4"],
    )
    return byline


def _tag(story_id, row, using):
    return loaded(Tag, using, id=row["row_id"], name=row["name"], slug=row["slug"])


def _organization(story_id, row, using):
    (Organization,) = articles_models("Organization")
    return loaded(
        Organization,
        using,
        id=row["row_id"],
        name=row["name"],
        slug=row["slug"],
        acronym=row["text_1"],
        website=row["text_2"],
    )


def _correction(story_id, row, using):
    (Correction,) = articles_models("Correction")
    return loaded(
        Correction,
        using,
        id=row["row_id"],
        article_id=story_id,
        kind=row["text_1"],
        text=row["text_2"],
        published_at=row["moment"],
        superseded_by_id=None,
    )


_INSTANCES = {
    "bylines": _byline,
    "tags": _tag,
    "organizations": _organization,
    "corrections": _correction,
}
