"""Template context every public page needs: the site's name and canonical address."""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

from . import front_pages, page_tags, tag_versions
from .models import Category
from .page_relations import loaded


def site(request):
    """The site's identity and its sections for the navigation."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_TAGLINE": settings.SITE_TAGLINE,
        "SITE_URL": settings.SITE_URL,
        # A callable, so a page that shows no menu asks for nothing.
        "nav_sections": navigation_sections,
        "breaking_news": front_pages.breaking_news,
    }


def navigation_sections() -> list[Category]:
    """The sections, in the menu's order: read once per process until a section changes (or
    everything does), each page gets its own instances."""
    page_tags.shows(page_tags.SECTIONS)
    return [
        loaded(Category, DEFAULT_DB_ALIAS, id=pk, name=name, slug=slug)
        for pk, name, slug in navigation_rows()
    ]


def navigation_rows() -> tuple[tuple[int, str, str], ...]:
    """The sections' (id, name, slug), in the menu's order, kept as ``navigation_sections``
    says; the page records the ``SECTIONS`` tag itself."""
    return tag_versions.remember(
        "navigation-sections",
        [page_tags.SITE, page_tags.SECTIONS],
        lambda: tuple(Category.objects.values_list("id", "name", "slug")),
    )
