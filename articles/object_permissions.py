"""What a role may do to one object, beyond the model permissions its group holds.

Django's permissions say "may change images"; the newsroom's rules say which ones. Editors
(``articles.edit_any_article``) act on every story and image; a reporter sees colleagues'
stories only once readers can, changes only images it uploaded that no published story shows,
and uses only the tags that exist unless its role may add tags. The whole table, role by role,
is ``articles.roles.ROLE_TABLE``; the admin asks these functions.
"""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from taggit.models import Tag

from .models import Article, Byline, Image

EDIT_ANY = "articles.edit_any_article"
ADD_TAG = "taggit.add_tag"


def stories_listed_for(user, stories):
    """The stories of ``stories`` this user may find in the admin's list and search: all for
    editors; for others, those readers can see and those they sign."""
    if user.has_perm(EDIT_ANY):
        return stories
    now = timezone.now()
    # Inline, not ``pk__in=published()``: the list's count and date links read this condition
    # on the story row itself, with no second pass over the archive.
    readers_see = Q(
        Q(embargoed_until__isnull=True) | Q(embargoed_until__lte=now),
        status=Article.Status.PUBLISHED,
        published_at__lte=now,
    )
    signs = Exists(Byline.objects.filter(article=OuterRef("pk"), author__user_id=user.pk))
    return stories.filter(readers_see | signs)


def image_on_a_published_story(image: Image) -> bool:
    """True when a published story (scheduled ones included) shows the image, as its lead
    image or in its body (``image:<id>`` in the Markdown)."""
    published = Article.objects.filter(status=Article.Status.PUBLISHED)
    return published.filter(
        Q(lead_image_id=image.pk) | Q(body__regex=rf"image:{image.pk}([^0-9]|$)")
    ).exists()


def can_change_image(user, image: Image) -> bool:
    """Editors change any picture; others only one they uploaded that no published story
    shows, so a published page never changes without an editor."""
    if not user.has_perm("articles.change_image"):
        return False
    if user.has_perm(EDIT_ANY):
        return True
    return image.uploaded_by_id == user.pk and not image_on_a_published_story(image)


def can_delete_image(user, image: Image) -> bool:
    """The delete permission (editors) on a picture this user may change."""
    return user.has_perm("articles.delete_image") and can_change_image(user, image)


def unknown_tags(user, names) -> list[str]:
    """The names among ``names`` that are no tag yet, when this user may not create tags
    (empty when it may). Tags compare without case, as taggit does here."""
    if user.has_perm(ADD_TAG) or not names:
        return []
    named = Q(*[Q(name__iexact=name) for name in names], _connector=Q.OR)
    existing = {name.lower() for name in Tag.objects.filter(named).values_list("name", flat=True)}
    return sorted({name for name in names if name.lower() not in existing}, key=str.lower)
