"""Template helpers for the public site."""

from django import template
from django.urls import reverse
from taggit.models import Tag

from articles.models import Author, Category, Organization

register = template.Library()

FEED_URL_PREFIXES = {
    Category: "section-feed",
    Tag: "tag-feed",
    Author: "author-feed",
    Organization: "organization-feed",
}


@register.simple_tag
def feed_urls(subject=None):
    """The RSS and Atom addresses of a subject's feeds, or of the whole site's without one."""
    if subject is None:
        return {"rss": reverse("articles:feed-rss"), "atom": reverse("articles:feed-atom")}
    prefix = FEED_URL_PREFIXES[type(subject)]
    kwargs = {"slug": subject.slug}
    return {
        "rss": reverse(f"articles:{prefix}-rss", kwargs=kwargs),
        "atom": reverse(f"articles:{prefix}-atom", kwargs=kwargs),
    }


@register.filter(expects_localtime=True)
def html_datetime(value):
    """A datetime in the site's time zone as a ``<time datetime>`` value: ISO 8601 to the second.

    The ``c`` date format keeps microseconds, and HTML allows at most three fraction digits.
    """
    if not value:
        return ""
    return value.replace(microsecond=0).isoformat()
