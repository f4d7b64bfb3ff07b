"""Public addresses, built from each route's shape instead of walking the URL patterns.

``reverse()`` matches its arguments against the URL patterns on every call. A story page prints
about forty addresses (navigation, byline, tags, related stories, feeds) and reversing them was
a tenth of its time uncached. ``address()`` reverses a route once per script prefix with marker
arguments, keeps the result as a format string, and fills in later arguments directly when they
are plain ASCII slugs or numbers, which need no quoting and fit every converter this site uses.
Any other argument goes through ``reverse()``, which quotes or refuses it as before.

A shape is kept per script prefix (a site may be served under one, per request) and until the
URL patterns change (``ROOT_URLCONF`` swapped, as tests do). It assumes what holds here: the
patterns are not translated and no middleware sets ``request.urlconf``; reading the language
and the request's URL patterns on every call cost as much as reversing.
"""

import functools
import re

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch, get_script_prefix, reverse

PLAIN_TEXT = re.compile(r"[-a-zA-Z0-9_]+")
DIGITS = re.compile(r"[0-9]+")


def address(route: str, **kwargs) -> str:
    """The path of ``route`` with these arguments, as ``reverse(route, kwargs=kwargs)``."""
    shape = _shape(route, tuple(sorted(kwargs)), get_script_prefix())
    if shape is None:
        return reverse(route, kwargs=kwargs)
    template, digits_only = shape
    values = {name: str(value) for name, value in kwargs.items()}
    for name, value in values.items():
        if not (DIGITS if name in digits_only else PLAIN_TEXT).fullmatch(value):
            return reverse(route, kwargs=kwargs)
    return template.format_map(values)


@functools.cache
def _shape(route, names, _script_prefix) -> tuple[str, frozenset] | None:
    """The route's path as a format string and the arguments it accepts only digits for; None
    when the markers cannot be told apart from the rest of the path. The script prefix only
    keys the cache: reverse() reads it itself."""
    # Digits fit the int, str and slug converters alike, so one marker per argument works.
    markers = {name: f"9{index}0{index}0{index}9" for index, name in enumerate(names)}
    try:
        path = reverse(route, kwargs=markers)
    except NoReverseMatch:
        return None
    if any(path.count(marker) != 1 for marker in markers.values()):
        return None
    template = path.replace("{", "{{").replace("}", "}}")
    for name, marker in markers.items():
        template = template.replace(marker, "{" + name + "}")
    return template, frozenset(
        name for name in names if not _accepts(route, {**markers, name: "a"})
    )


def _accepts(route: str, kwargs: dict) -> bool:
    try:
        reverse(route, kwargs=kwargs)
    except NoReverseMatch:
        return False
    return True


@receiver(setting_changed)
def _forget_shapes(setting, **kwargs):
    """New URL patterns, new shapes (``override_settings(ROOT_URLCONF=...)``)."""
    if setting == "ROOT_URLCONF":
        _shape.cache_clear()
