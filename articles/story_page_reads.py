"""Reading the story page's read model (``StoryPage``, written by ``story_pages``): the story
as its page prints it in one query, and the pictures of the stories it lists beside it.

The page gets the same model instances ``for_detail()`` gives (the columns it read, the
section, the lists ``Article.ordered_bylines``, ``tag_list``, ``organization_list`` and
``current_corrections`` read, the lead image with its renditions), so no template changes.
"""

from datetime import datetime

from . import page_tags
from .models import Article, Category, Image, Rendition, StoryPage
from .page_relations import ATTRIBUTES, instance_of, loaded
from .prepared_statements import planned_once


def published_story(slug: str) -> Article | None:
    """The published story with this slug as its page prints it (None if readers may not
    see one): one query, a prepared statement by the unique slug."""
    visible = Article.objects.published().filter(slug=slug).values("pk")
    rows = StoryPage.objects.filter(article__in=visible).values_list("story", "lead_image")
    with planned_once(rows.db):
        found = list(rows[:1])
    if not found:
        return None
    story, picture = found[0]
    article = story_from_row(story, picture, rows.db)
    page_tags.shows_stories([article])
    return article


def attach_lead_images(stories) -> None:
    """Give stories read without their pictures (related stories, "More from") their lead
    images with renditions, from their rows: one query for all of them."""
    ids = [story.pk for story in stories if story.lead_image_id]
    if not ids:
        return
    rows = StoryPage.objects.filter(article_id__in=ids).values_list("article_id", "lead_image")
    pictures = dict(rows)
    for story in stories:
        picture = pictures.get(story.pk)
        if story.lead_image_id and picture is not None:
            story.lead_image = _image_from(picture, rows.db)


def story_from_row(story: dict, picture: dict | None, using) -> Article:
    """The story as its page prints it, from a row's ``story`` and ``lead_image`` (which it
    changes: times become datetimes)."""
    article = _instance(Article, story["fields"], using)
    if story["section"] is not None:
        article.category = _instance(Category, story["section"], using)
    if picture is not None:
        article.lead_image = _image_from(picture, using)
    for relation, rows in story["relations"].items():
        setattr(
            article,
            ATTRIBUTES[relation],
            [instance_of(relation, article.pk, _row_from(row), using) for row in rows],
        )
    return article


def _image_from(picture: dict, using) -> Image:
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
    for name in time_fields(model) & values.keys():
        if values[name] is not None:
            values[name] = datetime.fromisoformat(values[name])
    return loaded(model, using, **values)


def _row_from(row: dict) -> dict:
    if row["moment"] is not None:
        row["moment"] = datetime.fromisoformat(row["moment"])
    return row


def time_fields(model) -> set[str]:
    """The names of the model's date-and-time columns, stored as ISO 8601 text."""
    return {
        field.attname
        for field in model._meta.concrete_fields
        if field.get_internal_type() == "DateTimeField"
    }
