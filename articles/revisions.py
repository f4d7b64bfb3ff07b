"""Revisions of stories (django-reversion): what gets kept, readable diffs, and restoring.

Every save of a story inside ``reversion.create_revision()`` (the admin, ``publishing.py``,
``restore_version``) keeps a snapshot of the story with its byline rows and tags.
"""

import json
from dataclasses import dataclass

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reversion.models import Revision, Version

# How a model was registered (fields, follow, format). Reversion keeps it in a private
# function; the bulk path below needs it to make exactly the versions reversion would.
from reversion.revisions import _get_options as reversion_options
from taggit.models import Tag

from . import story_checks
from .models import Article, Author, Byline, Organization, TaggedArticle
from .word_diff import word_diff

# What an editor compares between two versions, in the order the page shows it.
COMPARED_FIELDS = {
    "headline": gettext_lazy("Headline"),
    "dek": gettext_lazy("Dek"),
    "body": gettext_lazy("Body"),
    "byline": gettext_lazy("Byline"),
    "tags": gettext_lazy("Tags"),
    "organizations": gettext_lazy("Organizations"),
}
# A restore brings back the words, never the publication state (that is publishing.py's job).
STATE_FIELDS = ("status", "published_at", "embargoed_until", "edit_version")
# Worked out from the rest on every save (``Article.save``, the search index): a revision that
# kept them would only grow (the HTML doubles a story's size), and restoring saves the story,
# which derives them again.
DERIVED_FIELDS = ("body_html", "word_count", "reading_time", "search_vector", "todos")
# How far back the conflict view looks for the version a form was opened on.
VERSION_SEARCH_LIMIT = 50


def register_models() -> None:
    """Keep stories with their byline rows and tags (organizations are stored in the story),
    without the fields derived from them."""
    for model in (Byline, TaggedArticle):
        if not reversion.is_registered(model):
            reversion.register(model)
    # The admin's VersionAdmin registers Article by itself, following only its inlines (the
    # bylines), and the admin loads before this app is ready: replace that registration, or
    # revisions would keep no tags.
    if reversion.is_registered(Article):
        reversion.unregister(Article)
    reversion.register(Article, exclude=DERIVED_FIELDS, follow=["bylines", "tagged_items"])


@dataclass
class FieldChange:
    label: str
    before: str
    after: str
    diff: SafeString | None = None


def snapshot_of_article(article: Article) -> dict[str, str]:
    """The compared fields of a story as it is in the database now."""
    bylines = article.bylines.select_related("author").order_by("position", "id")
    return {
        "headline": article.headline,
        "dek": article.dek,
        "body": article.body,
        "byline": ", ".join(byline.author.name for byline in bylines),
        "tags": ", ".join(sorted(tag.name for tag in article.tags.all())),
        "organizations": ", ".join(sorted(str(org) for org in article.organizations.all())),
    }


def keep_revisions_of(comments: dict[Article, str], *, user=None) -> None:
    """Keep a revision of each story written with ``bulk_create``, with its comment.

    Each story gets its own revision holding what saving it inside
    ``reversion.create_revision()`` would have kept (its row and the related rows it follows),
    so history, compare, restore and recover treat it like any other, but the whole batch
    takes five queries. Bulk writes send no signals, so reversion cannot do this by itself.
    """
    # With their authors and tags, so each row's name (kept with its version) needs no query.
    articles = list(comments)
    prefetch_related_objects(articles, "bylines__author", "tagged_items__tag", "organizations")
    now = timezone.now()
    kept = Revision.objects.bulk_create(
        Revision(date_created=now, user=user, comment=comments[article]) for article in articles
    )
    rows = [
        (revision, row)
        for revision, article in zip(kept, articles, strict=True)
        for row in [article, *_followed_rows(article)]
    ]
    serialized = _serialized_rows([row for _, row in rows])
    Version.objects.bulk_create(
        _version_of(row, revision, data)
        for (revision, row), data in zip(rows, serialized, strict=True)
    )


def _serialized_rows(rows) -> list[str]:
    """Each row as reversion stores it (a JSON list holding the one object).

    One pass of Django's serializer per model for the whole batch: calling it once per row
    cost as much as writing the rows. The JSON is encoded as Django's JSON serializer does it.
    """
    by_model: dict[type, list] = {}
    for row in rows:
        by_model.setdefault(type(row), []).append(row)
    data = {}
    for model, instances in by_model.items():
        options = reversion_options(model)  # registered in register_models(), format "json"
        objects = serializers.serialize(
            "python",
            instances,
            fields=options.fields,
            use_natural_foreign_keys=options.use_natural_foreign_keys,
        )
        for instance, obj in zip(instances, objects, strict=True):
            data[id(instance)] = json.dumps([obj], cls=DjangoJSONEncoder, ensure_ascii=False)
    return [data[id(row)] for row in rows]


def _followed_rows(instance) -> list:
    """The related rows reversion keeps with an instance (its registration's ``follow``)."""
    return [
        row
        for name in reversion_options(type(instance)).follow
        for row in getattr(instance, name).all()
    ]


def _version_of(instance, revision: Revision, serialized_data: str) -> Version:
    """The version reversion itself would make of ``instance`` (see ``add_to_revision``)."""
    options = reversion_options(type(instance))
    return Version(
        revision=revision,
        content_type=ContentType.objects.get_for_model(
            instance, for_concrete_model=options.for_concrete_model
        ),
        object_id=str(getattr(instance, options.object_id_field)),
        db=instance._state.db,
        format=options.format,
        serialized_data=serialized_data,
        object_repr=str(instance),
    )


def snapshot_of_version(version: Version) -> dict[str, str]:
    """The compared fields of a story as one revision kept them."""
    fields = version.field_dict
    bylines, tag_ids = [], []
    for related in version.revision.version_set.select_related("content_type"):
        model = related.content_type.model_class()
        if model is Byline and str(related.field_dict["article_id"]) == version.object_id:
            bylines.append((related.field_dict["position"], related.field_dict["author_id"]))
        elif model is TaggedArticle:
            tag_ids.append(related.field_dict["tag_id"])
    authors = Author.objects.in_bulk([author_id for _position, author_id in bylines])
    tags = Tag.objects.in_bulk(tag_ids)
    organizations = Organization.objects.in_bulk(fields.get("organizations", []))
    return {
        "headline": fields["headline"],
        "dek": fields["dek"],
        "body": fields["body"],
        "byline": ", ".join(
            str(authors.get(author_id, f"#{author_id}")) for _position, author_id in sorted(bylines)
        ),
        "tags": ", ".join(sorted(str(tags.get(pk, f"#{pk}")) for pk in tag_ids)),
        "organizations": ", ".join(sorted(str(org) for org in organizations.values())),
    }


def compare(before: dict[str, str], after: dict[str, str]) -> list[FieldChange]:
    """The fields that differ; long text comes with its changes marked word by word."""
    changes = []
    for name, label in COMPARED_FIELDS.items():
        if before[name] == after[name]:
            continue
        diff = word_diff(before[name], after[name]) if name in {"body", "dek"} else None
        changes.append(FieldChange(str(label), escape(before[name]), escape(after[name]), diff))
    return changes


def versions_of(article_pk) -> list[Version]:
    """A story's revisions, newest first, with who saved them."""
    return list(
        Version.objects.get_for_object_reference(Article, article_pk).select_related(
            "revision__user"
        )
    )


def keep_baseline(article: Article) -> None:
    """Keep a first revision of a story saved outside any revision (an old or imported one),
    so that a later conflict or comparison has something to start from."""
    if not Version.objects.get_for_object(article).exists():
        with reversion.create_revision():
            reversion.add_to_revision(article)
            reversion.set_comment(_("Version kept when the story was first opened"))


def version_at(article: Article, edit_version: int) -> Version | None:
    """The revision a form opened at ``edit_version`` was showing (None if none was kept)."""
    for version in versions_of(article.pk)[:VERSION_SEARCH_LIMIT]:
        if version.field_dict.get("edit_version", 0) <= edit_version:
            return version
    return None


def describe(version: Version) -> str:
    """ "12 May 2026 10:31, by ana" for lists and headings."""
    revision = version.revision
    when = date_format(localtime(revision.date_created), "DATETIME_FORMAT")
    if revision.user is None:
        return when
    return _("%(when)s, by %(user)s") % {"when": when, "user": revision.user.get_username()}


@transaction.atomic
def restore_version(*, version: Version, user=None) -> Article:
    """Bring back a revision's words, byline, tags and organizations as a new revision.

    The story keeps its current publication state: restoring never publishes or unpublishes.
    """
    from .publishing import can_edit

    current = Article.objects.select_for_update().get(pk=version.object_id)
    if user is not None and not can_edit(user, current):
        raise PermissionDenied(_("You may not change this story."))
    with reversion.create_revision():
        version.revision.revert(delete=True)
        restored = Article.objects.get(pk=current.pk)
        for field in STATE_FIELDS:
            setattr(restored, field, getattr(current, field))
        restored._loaded_address = current.address_parts()
        restored.save()
        if user is not None:
            reversion.set_user(user)
        reversion.set_comment(_("Restored the version of %(when)s") % {"when": describe(version)})
    story_checks.refresh_todos(restored)
    return restored
