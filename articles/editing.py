"""Several people on one story: lost-update protection, who has it open, autosaved typing,
and two new stories created at once under the same address."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import merging, revisions
from .models import Article, ArticleAutosave, Byline, EditPresence, TaggedArticle
from .publishing import can_edit

# The story's fields a stale form is merged on, field by field (the body paragraph by
# paragraph), and how each is compared: text as typed, a chosen row by its id, sets unordered.
MERGED_TEXT = ("headline", "slug", "dek", "summary", "lead_image_caption", "lead_image_credit")
MERGED_CHOICES = ("category", "lead_image")
# Someone is "on the story" if their page sent a heartbeat this recently (the page pings every 30 s).
PRESENCE_WINDOW = timedelta(minutes=2)
# The form fields worth keeping while someone types; everything else is chosen, not typed.
AUTOSAVED_FIELDS = ("headline", "slug", "dek", "summary", "body", "tags")
AUTOSAVE_FIELD_LIMIT = 1_000
# How many numbered addresses ("-2", "-3", ...) a new story tries before giving up.
SLUG_SUFFIX_LIMIT = 20


class EditConflict(Exception):
    """Someone else saved the story after this form was opened."""

    def __init__(self, current: Article, submitted_version: int):
        super().__init__(current.pk)
        self.current = current
        self.submitted_version = submitted_version


def claim_for_saving(*, article_pk, submitted_version: int) -> Article:
    """Lock the story's row until the surrounding transaction ends and check nobody saved it
    since ``submitted_version``; raise ``EditConflict`` if someone did.

    The row lock (a write lock on SQLite) makes a second simultaneous save wait here and then
    see the first one's new version, so two saves cannot both pass.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("claim_for_saving() must run inside the saving transaction")
    current = Article.objects.select_for_update().get(pk=article_pk)
    if current.edit_version != submitted_version:
        raise EditConflict(current, submitted_version)
    return current


def save_new_article(*, article: Article) -> Article:
    """Save a new story; if another one took its slug after the form checked it (two editors
    creating "Última hora" at the same moment), take the first free "-2", "-3", ... instead.

    The database's unique constraint decides; each attempt runs in a savepoint, so the
    surrounding transaction (the admin's) goes on after a refused one.
    """
    wanted = article.slug
    max_length = Article._meta.get_field("slug").max_length
    for number in range(1, SLUG_SUFFIX_LIMIT + 1):
        if number > 1:
            suffix = f"-{number}"
            article.slug = wanted[: max_length - len(suffix)] + suffix
        try:
            with transaction.atomic():
                article.save()
        except IntegrityError:
            if not Article.objects.filter(slug=article.slug).exists():
                raise  # another constraint refused it: not ours to paper over
        else:
            return article
    raise IntegrityError(f"no free address for “{wanted}” after {SLUG_SUFFIX_LIMIT} tries")


def comparable_text(value) -> str:
    """Text as a form posts it back unchanged: a browser sends CRLF line endings, and
    Django's form fields strip the ends."""
    return (value or "").replace("\r\n", "\n").strip()


def values_of_article(article: Article) -> dict:
    """The merged fields of a story as it is in the database now."""
    values = {name: comparable_text(getattr(article, name)) for name in (*MERGED_TEXT, "body")}
    values.update({name: getattr(article, f"{name}_id") for name in MERGED_CHOICES})
    values["tags"] = tuple(sorted(article.tags.names()))
    values["organizations"] = frozenset(article.organizations.values_list("pk", flat=True))
    values["bylines"] = tuple(
        article.bylines.order_by("position", "id").values_list("author_id", flat=True)
    )
    return values


def values_of_version(version) -> dict:
    """The merged fields of a story as one revision kept them."""
    from taggit.models import Tag

    fields = version.field_dict
    values = {name: comparable_text(fields.get(name)) for name in (*MERGED_TEXT, "body")}
    values.update({name: fields.get(f"{name}_id") for name in MERGED_CHOICES})
    values["organizations"] = frozenset(fields.get("organizations", []))
    bylines, tag_ids = [], []
    for related in version.revision.version_set.select_related("content_type"):
        model, data = related.content_type.model_class(), related.field_dict
        if model is Byline and str(data["article_id"]) == version.object_id:
            bylines.append((data["position"], data["id"], data["author_id"]))
        elif model is TaggedArticle and str(data["content_object_id"]) == version.object_id:
            tag_ids.append(data["tag_id"])
    values["bylines"] = tuple(author_id for _position, _id, author_id in sorted(bylines))
    values["tags"] = tuple(
        sorted(Tag.objects.filter(pk__in=tag_ids).values_list("name", flat=True))
    )
    return values


def merge_edit(conflict: EditConflict, *, mine: dict) -> dict[str, merging.FieldMerge]:
    """Merge a stale form's values (``mine``) with the story as saved since, against the
    revision the form was opened on. With no such revision every difference is a conflict."""
    base_version = revisions.version_at(conflict.current, conflict.submitted_version)
    theirs = values_of_article(conflict.current)
    base = values_of_version(base_version) if base_version is not None else None
    merges = {}
    for name, value in mine.items():
        if base is None:
            merges[name] = merging.merge_value(object(), value, theirs[name])
        elif name == "body":
            merges[name] = merging.merge_text(base[name], value, theirs[name])
        else:
            merges[name] = merging.merge_value(base[name], value, theirs[name])
    return merges


def last_saved_by(article: Article):
    """Who saved the story last (from its newest revision), or None."""
    versions = revisions.versions_of(article.pk)[:1]
    return versions[0].revision.user if versions else None


def record_presence(*, article: Article, user) -> None:
    """Note that ``user`` has the story open now (since now, if they had left it)."""
    now = timezone.now()
    presence, created = EditPresence.objects.get_or_create(
        article=article, user=user, defaults={"last_seen": now, "started_at": now}
    )
    if not created:
        if presence.last_seen < now - PRESENCE_WINDOW:
            presence.started_at = now
        presence.last_seen = now
        presence.save(update_fields=["last_seen", "started_at"])


def others_editing(*, article: Article, user) -> list[EditPresence]:
    """The other people who had the story open in the last couple of minutes, with since when."""
    since = timezone.now() - PRESENCE_WINDOW
    return list(
        EditPresence.objects.filter(article=article, last_seen__gte=since)
        .exclude(user=user)
        .select_related("user")
        .order_by("user__username")
    )


def describe_presence(presence: EditPresence) -> str:
    """ "Ana is editing since 10:42" (the newsroom's time; the day too when it is not today)."""
    started = timezone.localtime(presence.started_at)
    name = presence.user.get_full_name() or presence.user.get_username()
    if started.date() == timezone.localdate():
        time = date_format(started, "TIME_FORMAT")
        return _("%(name)s is editing since %(time)s") % {"name": name, "time": time}
    when = date_format(started, "DATETIME_FORMAT")
    return _("%(name)s is editing since %(when)s") % {"name": name, "when": when}


def _check_may_autosave(*, article: Article | None, user) -> None:
    allowed = (
        can_edit(user, article) if article is not None else user.has_perm("articles.add_article")
    )
    if not allowed:
        raise PermissionDenied(_("You may not edit this story."))


def save_autosave(*, article: Article | None, user, data: dict) -> ArticleAutosave:
    """Keep what ``user`` has typed in the story's form (``article=None`` for a new story)."""
    _check_may_autosave(article=article, user=user)
    kept = {}
    for name in AUTOSAVED_FIELDS:
        value = data.get(name)
        if value is None:
            continue
        limit = settings.ARTICLE_BODY_MAX_CHARS if name == "body" else AUTOSAVE_FIELD_LIMIT
        if not isinstance(value, str) or len(value) > limit:
            raise ValidationError(_("The field “%(name)s” is too long to keep.") % {"name": name})
        kept[name] = value
    if not kept:
        raise ValidationError(_("Nothing to keep."))
    autosave, _created = ArticleAutosave.objects.update_or_create(
        article=article, user=user, defaults={"data": kept, "saved_at": timezone.now()}
    )
    return autosave


def pending_autosave(*, article: Article | None, user) -> ArticleAutosave | None:
    """An autosave of ``user``'s that is newer than the story's last save, to offer back."""
    autosaves = ArticleAutosave.objects.filter(article=article, user=user)
    if article is not None:
        autosaves = autosaves.filter(saved_at__gt=article.updated_at)
    return autosaves.first()


def discard_autosave(*, article: Article | None, user) -> None:
    """Forget ``user``'s autosave of this story (after a save, or when they say so)."""
    ArticleAutosave.objects.filter(article=article, user=user).delete()
