"""The markup every public page prints around its own: in ``<head>`` the stylesheet and the
site's feeds, then the header (search form, sections' menu) and the footer.

Each is rendered by its template once per process for each language, script prefix and
current section, and kept until the sections change (``tag_versions.remember``): they print
the same on every page, and rendering them was a fifth of an uncached story page. Two pages
print them otherwise: the search page's form holds its query (rendered each time), and a
section's page marks its own link in the menu (kept per section).
"""

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import engines
from django.urls import get_script_prefix
from django.utils.translation import get_language
from jinja2 import pass_context
from markupsafe import Markup

from . import page_tags, tag_versions
from .addresses import address
from .context_processors import navigation_rows

HEAD_TEMPLATE = "articles/includes/site_head.html"
HEADER_TEMPLATE = "articles/includes/site_header.html"
FOOTER_TEMPLATE = "articles/includes/site_footer.html"

_generation = [0]  # moved on by any settings change (tests swap the site's name, its URLs)


def site_head() -> Markup:
    """The stylesheet and the site's feeds, for ``<head>``."""
    return _kept(HEAD_TEMPLATE, None)


@pass_context
def site_header(context) -> Markup:
    """The skip link and the header with the search form and the sections' menu, the link
    to the section being read marked current."""
    page_tags.shows(page_tags.SECTIONS)
    request = context.get("request")
    path = getattr(request, "path", None)
    menu = _menu()
    current = path if path in menu["addresses"] else None
    query = context.get("search_query") or ""
    if query:
        return _rendered(HEADER_TEMPLATE, {**menu, "current": current, "search_query": query})
    return _kept(HEADER_TEMPLATE, current, {**menu, "current": current})


def site_footer() -> Markup:
    """The footer: the site's name and feeds."""
    return _kept(FOOTER_TEMPLATE, None)


def _menu() -> dict:
    """The sections in the menu's order, as (name, address), and the set of those addresses."""
    sections = [
        (name, address("articles:section", slug=slug)) for _pk, name, slug in navigation_rows()
    ]
    return {"sections": sections, "addresses": {url for _name, url in sections}}


def _kept(template: str, variant, context=None) -> Markup:
    """The template rendered once per language, script prefix and ``variant`` until the
    sections or the settings change."""
    kept = tag_versions.remember(
        f"site-shell:{_generation[0]}", [page_tags.SITE, page_tags.SECTIONS], dict
    )
    key = (template, variant, get_language(), get_script_prefix())
    html = kept.get(key)
    if html is None:
        html = kept[key] = _rendered(template, context or {})
    return html


def _rendered(template: str, context: dict) -> Markup:
    site = {"SITE_NAME": settings.SITE_NAME, "SITE_TAGLINE": settings.SITE_TAGLINE}
    return Markup(engines["jinja2"].env.get_template(template).render({**site, **context}))


@receiver(setting_changed)
def _forget(**kwargs):
    """Other settings, other markup (the site's name, its URL patterns, its static files)."""
    _generation[0] += 1
