"""The Jinja2 environment of the public site's templates (``jinja2/``; the admin stays on Django
templates in ``templates/``).

Templates print values the way Django's templates did: every ``{{ }}`` goes through
``print_value`` (times in the site's zone, numbers and dates localized, Django's escaping), and
they call the same Python functions the site uses elsewhere (``template_helpers``,
``metadata``, ``images``), registered here by name. Translations are Django's own gettext
(``jinja2.ext.i18n``); ``makemessages`` finds the strings through Jinja's parser
(``management/commands/makemessages.py``).
"""

import html

from django.template import defaultfilters
from django.template.defaulttags import querystring as django_querystring
from django.templatetags.static import static
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, gettext, ngettext
from jinja2 import ChainableUndefined, Environment, pass_context, pass_environment
from markupsafe import Markup

from . import site_shell, template_helpers
from .addresses import address
from .images import DEFAULT_SIZES, picture_context
from .metadata import page_metadata


def environment(**options) -> Environment:
    """The environment Django's Jinja2 backend builds its templates with (``settings.TEMPLATES``)."""
    # Like Django's templates, a missing value or attribute prints nothing rather than failing.
    options["undefined"] = ChainableUndefined
    # Files keep their last newline, as Django's templates print it.
    options.setdefault("keep_trailing_newline", True)
    env = Environment(**options, extensions=["jinja2.ext.i18n"], finalize=print_value)
    env.install_gettext_callables(gettext, ngettext, newstyle=False)
    env.globals.update(
        address=address,
        byline=template_helpers.byline,
        byline_photos=template_helpers.byline_photos,
        feed_urls=template_helpers.feed_urls,
        get_language=get_language,
        page_meta=page_meta,
        picture=picture,
        querystring=querystring,
        site_footer=site_shell.site_footer,
        site_head=site_shell.site_head,
        site_header=site_shell.site_header,
        static=static,
        time_tag=template_helpers.time_tag,
        url=url,
    )
    env.filters.update(
        date=date,
        linebreaksbr=defaultfilters.linebreaksbr,
        safe_href=template_helpers.safe_href,
        truncatewords=defaultfilters.truncatewords,
    )
    return env


def print_value(value):
    """What ``{{ value }}`` prints, as in Django's templates: an aware time in the site's zone,
    numbers and dates in the active language's format, escaped by Django (``&#x27;``, not
    Jinja's ``&#39;``) unless it is already safe HTML."""
    if type(value) is str:
        # Most values are plain text: escaped as django.utils.html.escape() does it, without
        # the lazy-text wrapper that was a fifth of this function's time.
        return SafeString(html.escape(value))
    return conditional_escape(localize(template_localtime(value)))


def url(name: str, *args, **kwargs) -> str:
    """``{% url %}``: the address of a named route."""
    return reverse(name, args=args or None, kwargs=kwargs or None)


def date(value, format_name=None) -> str:
    """Django's ``|date`` filter, on the moment in the site's time zone as Django gives it."""
    return defaultfilters.date(template_localtime(value), format_name)


@pass_context
def querystring(context, **changes) -> str:
    """``{% querystring %}``: the request's query string with ``changes`` applied."""
    return django_querystring(context, context["request"].GET, **changes)


@pass_environment
def picture(env, image, sizes=DEFAULT_SIZES, alt=None, eager=False, crop="") -> Markup:
    """A responsive ``<picture>``: WebP and fallback srcsets, width, height, alt, lazy loading
    (``crop="square"``: the square crop), from prefetched renditions only."""
    chosen = picture_context(image, alt=alt, sizes=sizes, eager=eager, crop=crop)
    return Markup(env.get_template("articles/includes/picture.html").render(chosen))


@pass_context
def page_meta(context, title="", description="") -> Markup:
    """The ``<head>`` tags for this page: description, canonical, social card, JSON-LD."""
    meta = page_metadata(context, title=title, description=description)
    return Markup(context.environment.get_template("articles/includes/meta.html").render(meta=meta))
