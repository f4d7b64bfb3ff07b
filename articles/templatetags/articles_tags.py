"""Template helpers for the public site."""

from django import template
from taggit.models import Tag

from articles.addresses import address as route_address
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


@register.simple_tag
def address(route, **kwargs):
    """``{% url %}`` for the public pages, without walking the URL patterns (``addresses``)."""
    return route_address(route, **kwargs)


@register.filter(expects_localtime=True)
def html_datetime(value):
    """A datetime in the site's time zone as a ``<time datetime>`` value: ISO 8601 to the second.

    The ``c`` date format keeps microseconds, and HTML allows at most three fraction digits.
    """
    if not value:
        return ""
    return value.replace(microsecond=0).isoformat()
