"""Reading Jekyll posts: front matter, Liquid, co-author bylines.

The demo loader and ``manage.py import_jekyll`` share these functions, so the reference story
reaches the demo exactly the way a migrated blog does.
"""

import re
from dataclasses import dataclass, field
from datetime import date

import yaml

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_FILENAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+?)\.(?:md|markdown|mkdown|html)$")
_RAW_BLOCK = re.compile(r"{%-?\s*raw\s*-?%}(.*?){%-?\s*endraw\s*-?%}", re.DOTALL)
_LIQUID_TAG = re.compile(r"{%-?.*?-?%}", re.DOTALL)
_SITE_VARIABLE = re.compile(r"{{-?\s*(site\.url|site\.baseurl|BASE_PATH)\s*-?}}")
_LIQUID_OUTPUT = re.compile(r"{{-?.*?-?}}", re.DOTALL)
_RAW_PLACEHOLDER = "\x00raw{}\x00"


class JekyllPostError(ValueError):
    """A post that cannot be read; the message says why, for the import report."""


@dataclass
class JekyllPost:
    """One post as Jekyll sees it: its front matter and its Markdown body."""

    front_matter: dict
    body: str
    slug: str = ""
    file_date: date | None = None
    extra: dict = field(default_factory=dict)


def parse_post(text: str, *, filename: str = "") -> JekyllPost:
    """Split a Jekyll post into front matter (YAML) and body; the file name gives date and slug."""
    match = _FRONT_MATTER.match(text)
    if not match:
        raise JekyllPostError("no front matter (the file must start with a line of ---)")
    try:
        front_matter = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as error:
        raise JekyllPostError(f"front matter is not valid YAML: {error}") from error
    if not isinstance(front_matter, dict):
        raise JekyllPostError("front matter is not a set of key: value pairs")
    post = JekyllPost(front_matter=front_matter, body=text[match.end() :])
    name_match = _FILENAME.match(filename.rsplit("/", 1)[-1]) if filename else None
    if name_match:
        year, month, day, post.slug = name_match.groups()
        try:
            post.file_date = date(int(year), int(month), int(day))
        except ValueError as error:
            raise JekyllPostError(f"the date in the file name is impossible: {error}") from error
    return post


def resolve_liquid(body: str, *, site_url: str = "") -> str:
    """Remove Liquid tags and resolve the site's address variables, keeping ``{% raw %}`` text.

    ``{{ site.url }}`` and ``{{ BASE_PATH }}`` become ``site_url`` (empty means site-relative).
    Any other Liquid never reaches a reader.
    """
    raw_blocks: list[str] = []

    def keep_raw(match):
        raw_blocks.append(match.group(1))
        return _RAW_PLACEHOLDER.format(len(raw_blocks) - 1)

    body = _RAW_BLOCK.sub(keep_raw, body)
    body = _SITE_VARIABLE.sub(site_url.rstrip("/"), body)
    body = _LIQUID_TAG.sub("", body)
    body = _LIQUID_OUTPUT.sub("", body)
    for index, raw in enumerate(raw_blocks):
        body = body.replace(_RAW_PLACEHOLDER.format(index), raw)
    return body.strip() + "\n"


def split_authors(value) -> list[str]:
    """Author names from front matter: "A + B", "A & B", a list, or one name; order kept."""
    if not value:
        return []
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        for name in re.split(r"\s+\+\s+|\s*&\s*|,\s*", str(item)):
            if name.strip() and name.strip() not in names:
                names.append(name.strip())
    return names


def as_list(value) -> list[str]:
    """A front-matter value that may be a string (space-separated for Jekyll) or a list."""
    if not value:
        return []
    if isinstance(value, list):
        return [str(item).strip() for item in value if str(item).strip()]
    return [str(value).strip()]
