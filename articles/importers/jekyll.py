"""Reading Jekyll posts: front matter, Liquid, co-author bylines.

The demo loader and ``manage.py import_jekyll`` share these functions, so the reference story
reaches the demo exactly the way a migrated blog does.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from datetime import timezone as dt_timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from django.utils.translation import gettext

# Jekyll's own rule: an empty front matter (``---`` then ``---``) counts, and ``...`` closes too.
_FRONT_MATTER = re.compile(
    r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL | re.MULTILINE
)
_FILENAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+?)\.(?:md|markdown|mkdown|mkdn|mkd|html)$")
# libyaml's safe loader when PyYAML was built with it: the same YAML, ten times faster.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PLACEHOLDER = re.compile(r":([a-z_]+)")
# Jekyll's named permalink styles (https://jekyllrb.com/docs/permalinks/#built-in-formats).
PERMALINK_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
# A date as Ruby's Time.parse reads it for Jekyll: the day, maybe a time, then maybe a zone
# somewhere after it (a repeated year, as in "2023-01-29 18:30:22 2023 -0800", is ignored).
_DATE = re.compile(
    r"^\s*(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
    r"(?:[T\s]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?"
    r"(?:\s*(?P<ampm>[ap]m)\b)?)?(?P<rest>.*)$",
    re.IGNORECASE,
)
_ZONE_OFFSET = re.compile(r"(?:^|\s|(?<=\d))(?P<sign>[+-])(?P<hours>\d{2}):?(?P<minutes>\d{2})\b")
_ZONE_NAME = re.compile(r"\b(Z|UTC|GMT|[A-Z][A-Za-z_]+/[A-Za-z_/+-]+)\b")
# Zone abbreviations Ruby's Time.parse knows (its ZoneOffset table, the common ones).
_ZONE_ABBREVIATIONS = {
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    "BST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "IST": 5.5, "JST": 9,
}  # fmt: skip


class JekyllPostError(ValueError):
    """A post that cannot be read; the message says why, for the import report."""


@dataclass
class JekyllPost:
    """One post as Jekyll sees it: its front matter and its Markdown body."""

    front_matter: dict
    body: str
    slug: str = ""
    file_date: date | None = None
    # The file's line where the body starts, so what the report says of a body line is
    # where an editor finds it in the file.
    body_line: int = 1
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SiteConfig:
    """What the importer needs from ``_config.yml``."""

    permalink: str = PERMALINK_STYLES["date"]
    title: str = ""
    author_name: str = ""
    url: str = ""
    baseurl: str = ""
    # The blog's ``timezone`` (an IANA name); empty when _config.yml names none.
    timezone: str = ""
    # ``_data/authors.yml``: the people posts name by key (``author: pat``), by key.
    authors: dict = field(default_factory=dict, compare=False)
    raw: dict = field(default_factory=dict, compare=False)

    @property
    def newsroom_names(self) -> set[str]:
        """Byline names that mean the publication itself (the site's title and author)."""
        return {name.casefold() for name in (self.title, self.author_name) if name}


def read_site_config(site_dir: Path) -> SiteConfig:
    """Read ``_config.yml`` (missing means Jekyll's defaults); raise JekyllPostError if broken."""
    path = Path(site_dir) / "_config.yml"
    if not path.exists():
        return SiteConfig(authors=_read_authors(Path(site_dir)))
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise JekyllPostError(
            gettext("_config.yml cannot be read%(where)s") % {"where": _yaml_place(error, 1)}
        ) from error
    if not isinstance(raw, dict):
        raise JekyllPostError(gettext("_config.yml is not a set of key: value pairs"))
    permalink = str(raw.get("permalink") or "date").strip()
    author = raw.get("author")
    author_name = author.get("name") if isinstance(author, dict) else author
    return SiteConfig(
        permalink=PERMALINK_STYLES.get(permalink, permalink),
        title=str(raw.get("title") or "").strip(),
        author_name=str(author_name or "").strip(),
        url=str(raw.get("url") or raw.get("production_url") or "").strip().rstrip("/"),
        baseurl=str(raw.get("baseurl") or "").strip().rstrip("/"),
        timezone=str(raw.get("timezone") or "").strip(),
        authors=_read_authors(Path(site_dir)),
        raw=raw,
    )


def _read_authors(site_dir: Path) -> dict:
    """``_data/authors.yml`` (or .yaml/.json) as ``{key: details}``; missing means none."""
    for name in ("authors.yml", "authors.yaml", "authors.json"):
        path = site_dir / "_data" / name
        if path.is_file():
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
                raise JekyllPostError(
                    gettext("_data/%(name)s cannot be read%(where)s")
                    % {"name": name, "where": _yaml_place(error, 1)}
                ) from error
            return {
                str(key): value if isinstance(value, dict) else {"name": str(value)}
                for key, value in (data.items() if isinstance(data, dict) else [])
            }
    return {}


def decode_post(data: bytes, *, filename: str) -> "JekyllPost":
    """Parse a post file's bytes; binary or non-UTF-8 content raises JekyllPostError."""
    if b"\x00" in data:
        raise JekyllPostError(
            gettext("the file is binary (it contains NUL bytes), not a text post")
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise JekyllPostError(
            gettext("the file is not valid UTF-8 (byte %(byte)d); save it as UTF-8")
            % {"byte": error.start}
        ) from error
    return parse_post(text, filename=filename)


def parse_post(text: str, *, filename: str = "") -> JekyllPost:
    """Split a Jekyll post into front matter (YAML) and body; the file name gives date and slug."""
    match = _FRONT_MATTER.match(text)
    if not match:
        raise JekyllPostError(gettext("no front matter (the file must start with a line of ---)"))
    try:
        front_matter = yaml.load(match.group(1), Loader=_SAFE_LOADER) or {}
    except yaml.YAMLError as error:
        # Its YAML starts on the line after the opening ``---``.
        raise JekyllPostError(
            gettext("front matter is not valid YAML%(where)s") % {"where": _yaml_place(error, 2)}
        ) from error
    if not isinstance(front_matter, dict):
        raise JekyllPostError(gettext("front matter is not a set of key: value pairs"))
    post = JekyllPost(
        front_matter=front_matter,
        body=text[match.end() :],
        body_line=text.count("\n", 0, match.end()) + 1,
    )
    name_match = _FILENAME.match(filename.rsplit("/", 1)[-1]) if filename else None
    if name_match:
        year, month, day, post.slug = name_match.groups()
        try:
            post.file_date = date(int(year), int(month), int(day))
        except ValueError as error:
            raise JekyllPostError(
                gettext("the date in the file name is impossible: %(date)s")
                % {"date": f"{year}-{month}-{day}"}
            ) from error
    return post


def _yaml_place(error: Exception, first_line: int) -> str:
    """Where YAML went wrong, as " (line 4, column 7)" of the file (its YAML starting on
    ``first_line``); empty when the parser could not say."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if mark is None:
        return ""
    return gettext(" (line %(line)d, column %(column)d)") % {
        "line": mark.line + first_line,
        "column": mark.column + 1,
    }


def resolve_liquid(
    body: str,
    *,
    site_url: str = "",
    page: dict | None = None,
    site: dict | None = None,
    notes: list | None = None,
) -> str:
    """Turn a post's Liquid into what its Jekyll build showed, as Markdown.

    ``{% raw %}`` text is kept as it is; ``{% highlight lang %}`` becomes a fenced code block
    with its code byte for byte; ``{% post_url %}`` and ``{% link _posts/... %}`` become
    ``jekyll-post:NAME`` links that the importer points at the new story once every post is
    in; ``{{ site.url }}`` and ``{{ BASE_PATH }}`` become ``site_url`` (empty: site-relative);
    other ``{{ page.* }}`` and ``{{ site.* }}`` come from ``page`` (front matter) and ``site``
    (_config.yml); ``{% if %}``, ``{% unless %}`` and ``{% for %}`` over them are worked out
    (``_evaluate_block``). Comments and Jekyll-Bootstrap's ``JB/setup`` render nothing.
    Anything else (includes, ``site.posts``, filters, unknown tags) stays in place inside an HTML
    comment, which an editor sees in the Markdown and readers never do, and is added to
    ``notes`` as ``(line, text)``.
    """
    scope = {"page": page or {}, "site": site or {}}
    kept: list[str] = []

    def keep(text: str) -> str:
        """A placeholder no later step touches."""
        kept.append(text)
        return f"\x00{len(kept) - 1}\x00"

    def convert(text: str, scope: dict, first_line: int) -> str:
        def note(match: re.Match, liquid: str) -> str:
            line = first_line + text.count("\n", 0, match.start())
            if notes is not None:
                notes.append(
                    (
                        line,
                        gettext("%(liquid)s kept in a comment for an editor") % {"liquid": liquid},
                    )
                )
            return keep(f"<!-- {_LIQUID_MARK}: {liquid.replace('--', '- -')} -->")

        def replace(match: re.Match) -> str:
            kind = match.lastgroup
            liquid = match.group(0)
            if kind == "raw":
                return keep(match.group("raw_text"))
            if kind == "highlight":
                return keep(_fenced_code(match.group("language"), match.group("code")))
            if kind == "comment":
                return ""
            if kind == "block":
                evaluated = _evaluate_block(liquid, scope)
                if evaluated is None:
                    return note(match, liquid)
                inner, inner_scopes = evaluated
                line = first_line + text.count("\n", 0, match.start())
                return "".join(convert(inner, inner_scope, line) for inner_scope in inner_scopes)
            if kind == "output":
                value = _variable(match.group("expression"), site_url=site_url, scope=scope)
                return note(match, liquid) if value is None else value
            name, _space, argument = match.group("tag").strip().partition(" ")
            argument = argument.strip().strip("\"'")
            if name == "post_url":
                return f"{POST_LINK_PREFIX}{argument.lstrip('/')}"
            if name == "link" and re.match(r"^(?:[^/]+/)?_posts/", argument):
                return POST_LINK_PREFIX + argument.rsplit(".", 1)[0]
            if name == "include" and argument.startswith("JB/"):
                return ""  # Jekyll-Bootstrap's setup: it sets variables and shows nothing
            return note(match, liquid)

        return _LIQUID.sub(replace, text)

    body = convert(body, scope, 1)
    for index in range(len(kept) - 1, -1, -1):
        body = body.replace(f"\x00{index}\x00", kept[index])
    return body.strip() + "\n"


_IF_BLOCK = re.compile(
    r"\A{%-?\s*(?P<tag>if|unless)\s+(?P<condition>.*?)\s*-?%}(?P<inner>.*){%-?\s*end(?P=tag)\s*-?%}\Z",
    re.DOTALL,
)
_FOR_BLOCK = re.compile(
    r"\A{%-?\s*for\s+(?P<item>\w+)\s+in\s+(?P<items>[\w.-]+)\s*-?%}(?P<inner>.*)"
    r"{%-?\s*endfor\s*-?%}\Z",
    re.DOTALL,
)
_ELSE = re.compile(r"{%-?\s*else\s*-?%}")
_CONDITION = re.compile(
    r"^(?P<left>[\w.-]+)(?:\s*(?P<op>==|!=)\s*(?P<right>\"[^\"]*\"|'[^']*'|[\w.-]+))?$"
)


def _evaluate_block(liquid: str, scope: dict) -> tuple[str, list[dict]] | None:
    """An ``if``/``unless`` or ``for`` over the front matter or _config.yml, worked out: the
    text to show and the scopes to show it in (one per loop item); None when it depends on
    anything else (``site.posts``, filters, ``elsif``, nested blocks), so it is reported."""
    conditional = _IF_BLOCK.match(liquid)
    if conditional:
        inner = conditional["inner"]
        if re.search(r"{%-?\s*(?:if|unless|elsif|for|case)\b", inner):
            return None
        condition = _CONDITION.match(conditional["condition"].strip())
        found, value = _lookup(condition["left"], scope) if condition else (False, None)
        if not found:
            return None
        if condition["op"]:
            right = condition["right"]
            if right[0] in "\"'":
                expected = right[1:-1]
            else:
                known, expected = _lookup(right, scope)
                expected = expected if known else right
            holds = (str(value) == str(expected)) == (condition["op"] == "==")
        else:
            holds = value is not None and value is not False
        if conditional["tag"] == "unless":
            holds = not holds
        parts = _ELSE.split(inner, maxsplit=1)
        shown, otherwise = parts if len(parts) == 2 else (inner, "")
        return (shown if holds else otherwise), [scope]
    loop = _FOR_BLOCK.match(liquid)
    if loop and not re.search(r"{%-?\s*(?:for|if|unless|case|else)\b", loop["inner"]):
        found, items = _lookup(loop["items"], scope)
        if found and isinstance(items, list):
            return loop["inner"], [{**scope, loop["item"]: item} for item in items]
    return None


def _lookup(expression: str, scope: dict) -> tuple[bool, object]:
    """``(found, value)`` of a dotted name (``page.tags``, ``item.title``) in the scope; a
    key missing from the front matter is Liquid's nil, anything else unknown is not found."""
    names = expression.split(".")
    if names[0] not in scope:
        return False, None
    value = scope[names[0]]
    for key in names[1:]:
        if not isinstance(value, dict) or key not in value:
            # A front-matter key a post leaves out is nil; a site.* key may come from a plugin.
            return names[0] == "page", None
        value = value[key]
    return True, value


# Where the importer leaves a post's links to other posts until their stories exist.
POST_LINK_PREFIX = "jekyll-post:"
_LIQUID_MARK = "Jekyll Liquid not imported"
_LIQUID = re.compile(
    r"(?P<raw>{%-?\s*raw\s*-?%}(?P<raw_text>.*?){%-?\s*endraw\s*-?%})"
    r"|(?P<highlight>{%-?\s*highlight\s+(?P<language>[\w+#.-]+)[^%]*-?%}"
    r"(?P<code>.*?){%-?\s*endhighlight\s*-?%})"
    r"|(?P<comment>{%-?\s*comment\s*-?%}.*?{%-?\s*endcomment\s*-?%})"
    r"|(?P<block>{%-?\s*(?P<block_name>for|if|unless|case|capture|tablerow)\b.*?"
    r"{%-?\s*end(?P=block_name)\s*-?%})"
    r"|(?P<output>{{-?\s*(?P<expression>.*?)\s*-?}})"
    r"|(?P<single>{%-?\s*(?P<tag>.*?)\s*-?%})",
    re.DOTALL,
)
_VARIABLE = re.compile(r"^\w+(?:\.[\w-]+)*$")


def _fenced_code(language: str, code: str) -> str:
    """A fenced code block Markdown renders as the highlight block showed: Jekyll drops the
    code's leading and trailing line breaks, and nothing else."""
    code = re.sub(r"\A(?:\r?\n)+|(?:\r?\n)+\Z", "", code)
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"\n\n{fence}{language}\n{code}\n{fence}\n\n"


def _variable(expression: str, *, site_url: str, scope: dict) -> str | None:
    """The value of ``{{ expression }}`` for a plain variable of the front matter, _config.yml
    or a loop, else None (a filter, ``site.posts``...)."""
    expression = expression.strip()
    if expression in ("site.url", "site.baseurl", "BASE_PATH"):
        return site_url.rstrip("/")
    if not _VARIABLE.match(expression):
        return None
    found, value = _lookup(expression, scope)
    if not found or isinstance(value, dict):
        return None
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return "" if value is None else str(value)


_TOC = re.compile(r"^[ \t]*(?:[*+-]|\d+\.)[ \t]+[^\n]*\n[ \t]*\{:[ \t]*toc[ \t]*\}[ \t]*$", re.M)
_IAL_LINE = re.compile(r"^[ \t]*\{:[^}\n]*\}[ \t]*$")
_ATX_HEADING = re.compile(r"^#{1,6}[ \t]+\S")


def kramdown_to_markdown(body: str) -> str:
    """What kramdown reads differently from the site's Markdown, made to read the same.

    A ``{:toc}`` list (kramdown's table of contents) becomes ``[TOC]``, which
    ``rendering.py`` turns into the same list of links to the headings; an attribute list
    under an ATX heading moves onto its line; one standing alone before a block (which
    Markdown would show as text) is dropped, as are ``{:name: ...}`` definitions. One right
    under a paragraph or image already works.
    """
    lines = _TOC.sub("[TOC]", body).split("\n")
    kept: list[str] = []
    fenced = False
    for line in lines:
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if fenced or not _IAL_LINE.match(line):
            kept.append(line)
        elif kept and _ATX_HEADING.match(kept[-1]):
            kept[-1] = f"{kept[-1].rstrip()} {line.strip()}"
        elif kept and kept[-1].strip() and not re.match(r"^[ \t]*\{:[\w-]+:", line):
            kept.append(line)
    return "\n".join(kept)


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


def front_matter_list(front_matter: dict, singular: str, plural: str) -> list[str]:
    """Jekyll's reading of category/categories or tag/tags: a plural string splits on spaces."""
    items = []
    for key in (singular, plural):
        value = front_matter.get(key)
        if isinstance(value, str) and key == plural:
            value = value.split()
        for item in as_list(value):
            if item.casefold() not in {existing.casefold() for existing in items}:
                items.append(item)
    return items


def _is_naive(value: datetime) -> bool:
    return value.tzinfo is None or value.utcoffset() is None


def _not_a_date(text: str) -> str:
    return gettext("the date “%(date)s” is not a date Jekyll understands") % {"date": text}


def parse_front_matter_date(value) -> datetime | date | None:
    """A front-matter ``date`` in any form Jekyll accepts; naive values are the site's time.

    YAML gives dates and times already read; strings follow Ruby's ``Time.parse`` as far as
    blogs use it: ``2017-01-19``, ``2017-01-19 08:05``, seconds and fractions, ``T``, am/pm,
    and a zone as an offset (``-0800``, ``+05:30``), ``Z``/``UTC``/``GMT``, a zone name
    (``America/New_York``) or a common abbreviation (``EST``), anywhere after the time.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime) and _is_naive(value):
        # YAML read a timestamp (it has seconds). Ruby's YAML reads one without a zone as
        # UTC and Jekyll keeps that moment, whatever the site's zone (a real ``jekyll
        # build`` puts 2014-07-08 23:30:00 of a London blog on 9 July); a quoted or shorter
        # one is a string, read below in the site's zone.
        return value.replace(tzinfo=UTC)
    if isinstance(value, datetime | date):
        return value
    text = str(value).strip()
    match = _DATE.match(text)
    if not match:
        raise JekyllPostError(_not_a_date(text))
    parts = match.groupdict()
    try:
        hour = int(parts["hour"] or 0)
        if parts["ampm"]:
            hour = hour % 12 + (12 if parts["ampm"].lower() == "pm" else 0)
        when = datetime(
            int(parts["year"]), int(parts["month"]), int(parts["day"]), hour,
            int(parts["minute"] or 0), int(parts["second"] or 0),
            int((parts["fraction"] or "0")[:6].ljust(6, "0")),
        )  # fmt: skip
        zone = _zone_in(parts["rest"])
    except (ValueError, ZoneInfoNotFoundError) as error:
        raise JekyllPostError(_not_a_date(text)) from error
    if zone is not None:
        return when.replace(tzinfo=zone)
    return when if parts["hour"] else when.date()


def _zone_in(text: str) -> tzinfo | None:
    """The zone written after a date's time, if any."""
    offset = _ZONE_OFFSET.search(text)
    if offset:
        minutes = int(offset["hours"]) * 60 + int(offset["minutes"])
        return dt_timezone(timedelta(minutes=-minutes if offset["sign"] == "-" else minutes))
    for word in text.split():
        if word.upper() in _ZONE_ABBREVIATIONS:
            return dt_timezone(timedelta(hours=_ZONE_ABBREVIATIONS[word.upper()]))
    name = _ZONE_NAME.search(text)
    if name:
        return UTC if name[1] in ("Z", "UTC", "GMT") else ZoneInfo(name[1])
    return None


def titleize_slug(slug: str) -> str:
    """The title Jekyll gives a post without one: its file slug with words capitalised."""
    return " ".join(word.capitalize() for word in re.split(r"[-_\s]+", slug) if word)


def normalize_old_path(path: str) -> str:
    """The stored form of an old address: leading slash, no trailing slash or ``.html``."""
    path = "/" + re.sub(r"/{2,}", "/", path.strip()).strip("/")
    for suffix in ("/index.html", ".html", ".htm"):
        if path.endswith(suffix) and len(path) > len(suffix):
            return path.removesuffix(suffix)
    return path


# Jekyll's slugify modes: what becomes a hyphen. ``[[:alnum:]]`` is any script's letters and
# digits (``\w`` without the underscore); "pretty" also keeps ``._~!$&'()+,;=@``.
_SLUGIFY_DEFAULT = re.compile(r"(?:[^\w]|_)+")
_SLUGIFY_PRETTY = re.compile(r"[^\w._~!$&'()+,;=@]+")


def jekyll_slugify(text: str, *, mode: str = "default", cased: bool = False) -> str:
    """``Jekyll::Utils.slugify``: each run of other characters becomes one hyphen, and no
    hyphen is left at either end; lower case unless ``cased``."""
    pattern = _SLUGIFY_PRETTY if mode == "pretty" else _SLUGIFY_DEFAULT
    slug = pattern.sub("-", text).strip("-")
    return slug if cased else slug.lower()


def expand_permalink(
    pattern: str, *, when: datetime, slug: str, categories: list[str]
) -> list[str]:
    """The addresses Jekyll gave a post, normalised; several when Jekyll versions differ.

    Jekyll 3 and later build ``:title`` as ``slugify(slug, "pretty", cased)`` and ``:slug`` as
    ``slugify(slug)``, and lower-case ``:categories`` (those addresses come first); Jekyll 1
    and 2 used the file's slug as it is and kept the categories' case. Every variant is
    recorded so links made in any era keep working.
    """
    pattern = PERMALINK_STYLES.get(pattern, pattern)
    variants = []
    modern = {
        "categories": [category.lower() for category in categories],
        "title": jekyll_slugify(slug, mode="pretty", cased=True),
        "slug": jekyll_slugify(slug),
    }
    old = {"categories": list(categories), "title": slug, "slug": slug}
    for era in (modern, old):
        values = {
            "categories": "/".join(dict.fromkeys(era["categories"])),
            # Four digits, as Ruby writes them (strftime's %Y writes year 1 as "1" here).
            "year": f"{when.year:04d}",
            "month": f"{when:%m}",
            "day": f"{when:%d}",
            "hour": f"{when:%H}",
            "minute": f"{when:%M}",
            "second": f"{when:%S}",
            "i_day": str(when.day),
            "i_month": str(when.month),
            "short_month": f"{when:%b}",
            "long_month": f"{when:%B}",
            "short_year": f"{when:%y}",
            "y_day": f"{when:%j}",
            "week": f"{when:%V}",
            "title": era["title"],
            "slug": era["slug"],
            "output_ext": ".html",
        }
        # Longest names first, so ":i_month" is never read as ":i" followed by "_month".
        path = _PLACEHOLDER.sub(
            lambda match, values=values: _placeholder_value(match.group(1), values), pattern
        )
        # Jekyll drops path segments made only of dots.
        path = "/".join(part for part in path.split("/") if not re.fullmatch(r"\.+", part))
        path = normalize_old_path(path)
        if path not in variants:
            variants.append(path)
    return variants


def _placeholder_value(name: str, values: dict) -> str:
    """The value of the longest placeholder that ``name`` starts with (``:titleabc`` is
    ``:title`` then ``abc``, as Jekyll reads it)."""
    for length in range(len(name), 0, -1):
        if name[:length] in values:
            return values[name[:length]] + name[length:]
    return ":" + name
