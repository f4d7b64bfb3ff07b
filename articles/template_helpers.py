"""The public templates' helpers, as plain functions: bylines, dates, feed addresses, safe
links and image addresses. ``jinja2_env.py`` hands them to the templates; Python code (the
structured data) calls them too, so each rule stays in one place."""

import functools

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from taggit.models import Tag

from .addresses import address as route_address
from .canonical import absolute_url
from .links import is_safe_link
from .models import Author, Category, Organization

FEED_URL_PREFIXES = {
    Category: "section-feed",
    Tag: "tag-feed",
    Author: "author-feed",
    Organization: "organization-feed",
}


def feed_urls(subject=None):
    """The RSS and Atom addresses of a subject's feeds, or of the whole site's without one."""
    if subject is None:
        return {
            "rss": route_address("articles:feed-rss"),
            "atom": route_address("articles:feed-atom"),
        }
    prefix = FEED_URL_PREFIXES[type(subject)]
    kwargs = {"slug": subject.slug}
    return {
        "rss": route_address(f"articles:{prefix}-rss", **kwargs),
        "atom": route_address(f"articles:{prefix}-atom", **kwargs),
    }


def safe_href(value):
    """The address when it may be a link's target (http, https, mailto), else an empty string:
    a row written around the model's validation still never reaches a page as ``javascript:``."""
    return value if value and is_safe_link(value) else ""


def byline(article, *, link_authors=False, show_roles=False):
    """“Por Ana, Luis y Marta”: the story's authors in byline order; on the story page linked
    to their pages and with their roles. Empty for a story nobody signs.

    A function rather than an include: a list page prints twenty bylines, and the include's loop of
    conditions and translations cost about 40 µs each, several times this function.
    """
    names = []
    for entry in article.ordered_bylines:
        author = entry.author
        if link_authors:
            name = format_html(
                '<a href="{}" rel="author">{}</a>', author.get_absolute_url(), author.name
            )
        else:
            name = conditional_escape(author.name)
        if show_roles and entry.role:
            name = format_html(
                '{} <span class="byline__role">({})</span>', name, entry.get_role_display()
            )
        names.append(name)
    if not names:
        return ""
    if len(names) > 1:
        # Every name is escaped already, so the joined list is too.
        names = [mark_safe(", ".join(names[:-1])), conditional_escape(_("and")), names[-1]]
    return format_html('<span class="byline">{} {}</span>', _("By"), mark_safe(" ".join(names)))


def byline_photos(article):
    """The photos of the story's authors who have one, in byline order, each described by the
    author's name; empty when none has a photo."""
    photos = [
        format_html(
            '<img class="byline-photos__photo" src="{}" width="48" height="48" alt="{}">',
            entry.author.photo.url,
            entry.author.name,
        )
        for entry in article.ordered_bylines
        if entry.author.photo
    ]
    if not photos:
        return ""
    return format_html('<p class="byline-photos">{}</p>', mark_safe("".join(photos)))


def time_tag(value, format_name="DATE_FORMAT"):
    """``<time datetime="…">`` for a moment in the site's time zone, written out in the active
    language's ``format_name`` (``DATE_FORMAT``, ``DATETIME_FORMAT``): what ``|date`` prints.

    A list page prints forty of them and Django's date formatting was a tenth of its time, so
    each element is remembered, for the moment, its zone, the format and the language.
    """
    if not value:
        return ""
    moment = template_localtime(value)
    return _time_tag(moment, moment.tzinfo, format_name, get_language())


@functools.lru_cache(maxsize=8192)
def _time_tag(moment, _zone, format_name, _language):
    # The zone keys the cache because equal moments compare equal across zones; the language
    # because date_format() reads the active one itself. The attribute drops the microseconds
    # the ``c`` format would keep: HTML allows at most three fraction digits.
    return format_html(
        '<time datetime="{}">{}</time>',
        moment.replace(microsecond=0).isoformat(),
        date_format(moment, format_name),
    )


def rendition_url(image, crop):
    """The absolute URL of a named crop in the fallback format (``"card"`` for social networks),
    from prefetched renditions; absolute because social networks and feed readers fetch it
    from elsewhere."""
    prefix = f"{crop}-"
    for rendition in image.renditions.all():
        if rendition.spec.startswith(prefix) and rendition.media_type != "image/webp":
            return absolute_url(rendition.file.url)
    return absolute_url(image.file.url)


@receiver(setting_changed)
def _forget_time_tags(**kwargs):
    """Formats, languages and time zones come from settings (tests override them)."""
    _time_tag.cache_clear()
