"""Reading the story page's read model (``StoryPage``, written by ``story_pages``): the story
as its page prints it, from its row, and the outline its page works out around pieces stored
with the row (``story_page_pieces``).

The page gets the same model instances ``for_detail()`` gives (the columns it read, the
section, the lists ``Article.ordered_bylines``, ``tag_list``, ``organization_list`` and
``current_corrections`` read, the lead image with its renditions), so no template changes.
"""

import functools
from datetime import datetime
from typing import NamedTuple

from .models import Article, Category, Image, Rendition
from .page_relations import ATTRIBUTES, instance_of, loaded


def story_from_row(story: dict, picture: dict | None, using) -> Article:
    """The story as its page prints it, from a row's ``story`` and ``lead_image`` (which it
    changes: times become datetimes)."""
    article = _instance(Article, story["fields"], using)
    if story["section"] is not None:
        article.category = _instance(Category, story["section"], using)
    if picture is not None:
        article.lead_image = image_from(picture, using)
    for relation, rows in story["relations"].items():
        setattr(
            article,
            ATTRIBUTES[relation],
            [instance_of(relation, article.pk, _row_from(row), using) for row in rows],
        )
    return article


class Subject(NamedTuple):
    """A tag or organization of an outline, by id: all its related stories are chosen by."""

    pk: int


def outline_from(outline: dict, using) -> Article:
    """The story as its page works it out around its stored pieces, from its outline (left
    as it was: a page cache keeps it to render the page's related stories again): the columns of its address, its section, and its tags and organizations as
    ``Subject`` ids, which its related stories are chosen by (model instances cost 8 µs each,
    and a story may name thirty of each)."""
    article = _instance(Article, outline["fields"], using)
    if outline["section"] is not None:
        article.category = loaded(Category, using, **outline["section"])
    article.prefetched_tags = [Subject(pk) for pk in outline["tags"]]
    article.prefetched_organizations = [Subject(pk) for pk in outline["organizations"]]
    return article


def image_from(picture: dict, using) -> Image:
    """The lead image with its renditions where ``image.renditions.all()`` finds them, as
    after ``prefetch_related("renditions")``."""
    image = _instance(Image, picture["image"], using)
    renditions = image.renditions.all()
    renditions._result_cache = [_instance(Rendition, row, using) for row in picture["renditions"]]
    renditions._prefetch_done = True
    image._prefetched_objects_cache = {"renditions": renditions}
    return image


def _instance(model, values: dict, using):
    """A model instance from the stored columns (times stored as ISO 8601 text)."""
    times = {
        name: datetime.fromisoformat(values[name])
        for name in time_fields(model) & values.keys()
        if values[name] is not None
    }
    return loaded(model, using, **{**values, **times})


def _row_from(row: dict) -> dict:
    if row["moment"] is not None:
        row["moment"] = datetime.fromisoformat(row["moment"])
    return row


@functools.cache
def time_fields(model) -> frozenset[str]:
    """The names of the model's date-and-time columns, stored as ISO 8601 text (kept: each
    story page asks for three models' on every request)."""
    return frozenset(
        {
            field.attname
            for field in model._meta.concrete_fields
            if field.get_internal_type() == "DateTimeField"
        }
    )
