"""Absolute addresses on the site's one canonical URL (``settings.SITE_URL``).

Feeds, sitemaps, structured data and e-mails travel away from the site, so their links must be
absolute; they are built from configuration, never from the request's Host header, which a
client controls.
"""

import re

from django.conf import settings

_ROOT_RELATIVE_ATTRIBUTE = re.compile(r'\b(href|src)="/(?!/)')


def absolute_url(path_or_url: str) -> str:
    """Turn a site path ("/a/b/") into an absolute URL on the canonical site address."""
    if path_or_url.startswith(("http://", "https://")):
        return path_or_url
    return settings.SITE_URL + "/" + path_or_url.lstrip("/")


def absolutize_links(html: str) -> str:
    """Make root-relative links and images in sanitized HTML absolute (for feeds)."""
    return _ROOT_RELATIVE_ATTRIBUTE.sub(rf'\1="{settings.SITE_URL}/', html)
