"""The one rule for every address an editor types: http, https or mailto, nothing else.

Author links, an organization's website and an image's source are checked by the validators
below when a model is validated (the admin, ``full_clean``), and checked again by
``safe_links`` wherever they leave the site (templates through the ``safe_href`` filter,
JSON-LD ``sameAs``): a row written around validation (an import, the shell, an old database)
still never puts ``javascript:`` or ``data:`` into a page. The Content-Security-Policy is the
second wall, never the only one.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ALLOWED_SCHEMES = ("http", "https", "mailto")
# Browsers drop ASCII tabs and newlines anywhere in an address and controls and spaces at its
# ends before reading the scheme ("java\tscript:" runs), so the check reads it the same way.
_IGNORED_BY_BROWSERS = re.compile(r"[\t\n\r]")
_CONTROLS_AND_SPACE = "".join(map(chr, range(0x21)))
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")
_LOOKS_LIKE_ADDRESS = re.compile(r"[a-zA-Z][a-zA-Z0-9+.\-]*:\S")


def _as_browsers_read(value: str) -> str:
    return _IGNORED_BY_BROWSERS.sub("", value).strip(_CONTROLS_AND_SPACE)


def link_scheme(value: str) -> str | None:
    """The scheme a browser would read from ``value`` (lower case), None when it has none."""
    match = _SCHEME.match(_as_browsers_read(value))
    return match.group(1).lower() if match else None


def is_safe_link(value: str) -> bool:
    """True for an absolute http, https or mailto address."""
    return link_scheme(value) in ALLOWED_SCHEMES


def safe_links(values) -> list[str]:
    """The addresses among ``values`` that may become a link (the others are dropped)."""
    return [value for value in values if is_safe_link(value)]


def _refuse(value: str):
    raise ValidationError(
        _("“%(value)s” is not allowed: web addresses start with http://, https:// or mailto:."),
        code="link_scheme",
        params={"value": value},
    )


def validate_link(value: str) -> None:
    """A field holding one address (an organization's website)."""
    if value and not is_safe_link(value):
        _refuse(value)


def validate_link_lines(value: str) -> None:
    """A field holding one address per line (an author's links)."""
    for line in value.splitlines():
        if line.strip():
            validate_link(line.strip())


def validate_text_or_link(value: str) -> None:
    """A field holding words or an address (an image's source: "Cuartoscuro: archivo",
    "https://…"): words, or an address with an allowed scheme. A scheme is a word and a colon
    followed by more than a space."""
    if _LOOKS_LIKE_ADDRESS.match(_as_browsers_read(value)) and not is_safe_link(value):
        _refuse(value)
