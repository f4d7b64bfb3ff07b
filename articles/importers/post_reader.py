"""Jekyll post files read for the import and turned into a story's fields, unsaved.

A post's identity is its file (``_posts/2017-05-24-x``), so a second run finds the story it
made; its fingerprint (the file and every setting that shapes the story) tells whether it
changed since. ``PostReader.fill_fields`` sets the story's own fields (copying the images it
shows, through ``assets``) and returns a ``PostPlan``: what the post asks for beyond them
(publication, section, bylines, tags); ``old_paths`` lists the addresses it had on the old
site. Nothing here writes to the database: the importer does.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from ..models import Article, ArticlePath
from . import jekyll
from .assets import AssetCopier
from .report import ImportReport

# Bump when the importer's output changes, so a re-run updates stories it imported before.
IMPORTER_VERSION = "3"
POST_SUFFIXES = {".md", ".markdown", ".mkdown", ".mkdn", ".mkd", ".html"}
KNOWN_KEYS = {
    "title", "description", "tagline", "category", "categories", "tag", "tags", "author",
    "date", "permalink", "published", "slug", "redirect_from", "redirect_to", "excerpt",
    "hidden", "sitemap", "last_modified_at", "excerpt_separator",
}  # fmt: skip
# Where the summary ends in a body, when _config.yml names no ``excerpt_separator``.
MORE_SEPARATOR = "<!--more-->"
# Folders Jekyll never reads (its default ``exclude``).
JEKYLL_EXCLUDES = {"vendor", "node_modules", "vendor/bundle", "vendor/cache", "vendor/gems"}
# Theme keys every post carries: kept for the export, not worth a warning.
QUIET_KEYS = {"layout"}
MAX_PATH = ArticlePath._meta.get_field("path").max_length
# The earliest moment every time zone can show: Python's dates start on 1 January of year 1.
EARLIEST_SHOWN = datetime(1, 1, 2, tzinfo=UTC)
# Every place Markdown or HTML can put a link target: inline links, reference definitions,
# attributes and autolinks. Over-matching is harmless; it only triggers the full check.
_LINK_TARGET = re.compile(
    r"\]\(([^)]*)\)|^[ \t]*\[[^\]]+\]:(.*)$|\bhref\s*=\s*[\"']?([^\"'>]*)|<([^>\s]*:[^>]*)>",
    re.MULTILINE,
)
_PLAIN_URL = re.compile(r"(?:https?://|/media/|#)[^\s\"'<>()]*")


@dataclass
class ReadPost:
    """A post file read and parsed, with what ties it to its story."""

    post: jekyll.JekyllPost
    source: str
    identity: str
    fingerprint: str
    is_draft_file: bool
    slug_source: str
    # The body as ``PostReader.body_of`` made it, when it was made ahead (``bodies_to_render``).
    localized: tuple[str, list[str], list] | None = None

    @property
    def candidate_slugs(self) -> list[str]:
        """The slugs the story may have, in order of preference."""
        digest = hashlib.sha1(self.identity.encode()).hexdigest()[:8]
        base = slugify(self.slug_source)[:180] or f"historia-{digest}"
        when = self.post.file_date
        dated = f"{base}-{when:%Y-%m-%d}" if when else base
        return [base, dated] + [f"{dated}-{number}" for number in range(2, 6)]


@dataclass
class PostPlan:
    """What a post asks for beyond the story's own fields."""

    publish: bool
    when: datetime | None
    categories: list[str]
    author_names: list[str] = field(default_factory=list)
    tag_names: list[str] = field(default_factory=list)
    # Whether the post itself named an author (or the blog's _config.yml did): a story signed
    # by the newsroom's default byline gets a to-do, as one filed in the default section does.
    has_byline: bool = True

    @property
    def shown_when(self) -> datetime | None:
        """The story's publication time: the post's, except one so early that some time
        zone cannot show it (a real blog's "work in progress" dated year 1), which is kept
        a day later. Its old addresses still come from ``when``."""
        if self.when is None:
            return None
        return max(self.when, EARLIEST_SHOWN)

    @property
    def has_section(self) -> bool:
        """Whether the post names a category (else it is filed in the default section)."""
        return bool(self.categories)

    @property
    def section_name(self) -> str | None:
        """The post's first category, which becomes its section."""
        return self.categories[0] if self.categories else None


class PostReader:
    """Reads the post files of one site for one import run; warns on ``report``."""

    def __init__(
        self,
        site_dir: Path,
        *,
        config: jekyll.SiteConfig,
        old_site_urls: set[str],
        assets: AssetCopier,
        report: ImportReport,
        time_zone: str = "",
    ):
        self.site_dir = site_dir
        self.config = config
        # Jekyll reads dates, and builds addresses, in the blog's own time zone.
        self.zone = ZoneInfo(config.timezone or time_zone or settings.TIME_ZONE)
        collections = config.raw.get("collections")
        posts = collections.get("posts") if isinstance(collections, dict) else None
        # ``collections: posts: permalink:`` wins over the site's ``permalink``.
        self.permalink = str(
            (posts.get("permalink") if isinstance(posts, dict) else None) or config.permalink
        )
        self.assets = assets
        self.report = report
        # Everything besides the file that shapes the story: a change in any of them makes
        # every post count as changed on the next run.
        self.fingerprint_context = json.dumps(
            [IMPORTER_VERSION, self.permalink, config.baseurl, str(self.zone),
             sorted(config.newsroom_names), sorted(old_site_urls)]
        ).encode()  # fmt: skip
        self.fingerprints: dict[str, str] = {}
        # What ``bodies_to_render`` read and made of each file, so ``read`` need not redo it.
        self._read_ahead: dict[str, tuple[bytes, jekyll.JekyllPost, tuple[str, list[str]]]] = {}

    def post_files(self) -> list[Path]:
        """Every post and draft file, in a stable order: ``_posts`` (and its subfolders),
        category folders' ``_posts`` (``news/_posts``) and ``_drafts``."""
        folders = [self.site_dir / "_posts"]
        folders += sorted(
            folder
            for folder in self.site_dir.glob("*/**/_posts")
            if not self._excluded(folder.relative_to(self.site_dir).parts[:-1])
        )
        folders.append(self.site_dir / "_drafts")
        files = []
        for folder in folders:
            files += sorted(
                path
                for path in folder.rglob("*")
                if path.is_file() and path.suffix.lower() in POST_SUFFIXES
            )
        return files

    def _excluded(self, parts: tuple[str, ...]) -> bool:
        """Whether Jekyll skips a folder: hidden or underscored ones, its default excludes
        (bundled gems, node modules) and the site's ``exclude`` list."""
        exclude = set(jekyll.as_list(self.config.raw.get("exclude"))) | JEKYLL_EXCLUDES
        return any(part.startswith(("_", ".")) for part in parts) or any(
            "/".join(parts[: length + 1]).strip("/") in {item.strip("/") for item in exclude}
            for length in range(len(parts))
        )

    def look_up_fingerprints(self, sources: list[str]) -> None:
        """Remember, in one query, the fingerprints of the stories these files made before."""
        # Posts imported unchanged are then skipped before their YAML is even parsed.
        self.fingerprints = self._known_fingerprints(sources)

    def _known_fingerprints(self, sources: list[str]) -> dict[str, str]:
        return dict(
            Article.objects.filter(
                import_metadata__jekyll_id__in=[_identity(source) for source in sources]
            ).values_list("import_metadata__jekyll_id", "import_metadata__fingerprint")
        )

    def _fingerprint(self, data: bytes) -> str:
        return hashlib.sha256(self.fingerprint_context + b"\0" + data).hexdigest()

    def read(self, path: Path, source: str) -> ReadPost | None:
        """Read and parse a post file; None when it is unchanged since the last run or skipped."""
        try:
            data = path.read_bytes()
        except OSError as error:
            raise jekyll.JekyllPostError(
                gettext("the file cannot be read (%(reason)s)") % {"reason": error.strerror}
            ) from error
        ahead = self._read_ahead.pop(source, None)
        identity = _identity(source)
        fingerprint = self._fingerprint(data)
        if self.fingerprints.get(identity) == fingerprint:
            self.report.counts["unchanged"] += 1
            return None
        is_draft_file = _is_draft(source)
        if ahead is not None and ahead[0] == data:
            post, localized = ahead[1], ahead[2]
        else:
            post, localized = jekyll.decode_post(data, filename=path.name), None
        if _is_dateless(post, source):
            self.report.warn(
                source,
                gettext("skipped: a post's file name must be YYYY-MM-DD-title.md"),
                "skipped",
            )
            return None
        slug_source = str(post.front_matter.get("slug") or post.slug or Path(identity).name)
        return ReadPost(post, source, identity, fingerprint, is_draft_file, slug_source, localized)

    def bodies_to_render(self, files: list[Path]) -> list[str]:
        """The Markdown that importing these files will render, as far as can be told
        without reporting anything: the bodies of their new and changed posts.

        Guessed one batch ahead for ``render_ahead``; a post this gets wrong is rendered
        when its turn comes.
        """
        sources = [path.relative_to(self.site_dir).as_posix() for path in files]
        known = self._known_fingerprints(sources)
        bodies = []
        for path, source in zip(files, sources, strict=True):
            try:
                data = path.read_bytes()
                if known.get(_identity(source)) == self._fingerprint(data):
                    continue
                post = jekyll.decode_post(data, filename=path.name)
                if not _is_dateless(post, source):
                    localized = self.body_of(post)
                    self._read_ahead[source] = (data, post, localized)
                    bodies.append(localized[0])
            # The import proper meets the same problem and reports it.
            except Exception:  # noqa: BLE001, S112
                continue
        return bodies

    def body_of(self, post: jekyll.JekyllPost) -> tuple[str, list[str], list]:
        """The story's Markdown: Liquid resolved, the site's images copied and pointed at
        media storage, links to the old site's own pages made site-relative; the image paths
        that were missing; and the Liquid kept for an editor, as ``(line, text)``."""
        notes = []
        body = jekyll.resolve_liquid(
            post.body, page=post.front_matter, site=self.config.raw, notes=notes
        )
        body = jekyll.kramdown_to_markdown(body)
        notes = [(post.body_line - 1 + line, text) for line, text in notes]
        body = _without_repeated_title(body, str(post.front_matter.get("title") or ""))
        body, missing = self.assets.localize(body)
        return self.assets.site_relative(body), missing, notes

    def fill_fields(self, article: Article, post: ReadPost) -> PostPlan:
        """Set the story's own fields from the post and report what looks wrong (no writes)."""
        meta, source = post.post.front_matter, post.source
        plan = PostPlan(
            publish=not post.is_draft_file and meta.get("published") not in (False, "false"),
            when=_publication_time(meta, post.post.file_date, self.zone),
            categories=_folder_categories(source)
            + jekyll.front_matter_list(meta, "category", "categories"),
        )
        headline = str(meta.get("title") or "").strip()
        if not headline:
            headline = jekyll.titleize_slug(post.post.slug or Path(post.identity).name)
            self.report.warn(
                source, gettext("no title; using “%(title)s”") % {"title": headline}, "no_title"
            )
        if len(headline) > Article._meta.get_field("headline").max_length:
            raise jekyll.JekyllPostError(gettext("the title is longer than 300 characters"))
        body, missing, notes = post.localized or self.body_of(post.post)
        for line, text in notes:
            self.report.warn(
                source, gettext("line %(line)d: %(what)s") % {"line": line, "what": text}, "liquid"
            )
        body, summary = self._split_summary(body, meta)
        redirect_to = str(meta.get("redirect_to") or "").strip()
        if redirect_to and not body.strip():
            # jekyll-redirect-from served a redirect here; the story says where it went.
            body = f"[{redirect_to}]({redirect_to})\n"
        for path in missing:
            self.report.warn(
                source,
                gettext("image not found in the site: %(path)s") % {"path": path},
                "image_missing",
            )
        self.report.counts["images_missing"] += len(missing)
        unknown = {key: value for key, value in meta.items() if key not in KNOWN_KEYS}
        if set(unknown) - QUIET_KEYS:
            self.report.warn(
                source,
                gettext("unknown front-matter keys kept: %(keys)s")
                % {"keys": ", ".join(sorted(set(unknown) - QUIET_KEYS))},
                "unknown_keys",
            )
        article.headline = headline
        article.dek = str(meta.get("description") or "").strip()
        article.summary = summary
        article.body = body
        article.published_at = plan.shown_when
        # What a Jekyll theme, jekyll-feed and jekyll-sitemap make of these keys, in Liquid's
        # truth: only a missing key or ``false`` is false (the string "false" is true).
        article.revised_at = self._revised_at(meta, source) or plan.shown_when
        article.listed = meta.get("hidden") in (None, False)
        article.in_sitemaps = meta.get("sitemap") is not False
        article.import_metadata = {
            "jekyll_id": post.identity,
            "source": source,
            "fingerprint": post.fingerprint,
            "front_matter": json.loads(json.dumps(unknown, default=str)),
        }
        if re.match(r"^(?:https?://|/(?!/))\S*$", redirect_to):
            # Its old addresses answer 301 there, as jekyll-redirect-from's page did.
            article.import_metadata["redirect_to"] = redirect_to
        plan.author_names, plan.has_byline = self._byline_names(meta)
        extra_categories = plan.categories[1:]
        if extra_categories:
            self.report.warn(
                source,
                gettext("extra categories kept as tags: %(names)s")
                % {"names": ", ".join(extra_categories)},
                "extra_categories",
            )
        plan.tag_names = jekyll.front_matter_list(meta, "tag", "tags") + extra_categories
        return plan

    def _revised_at(self, meta: dict, source: str) -> datetime | None:
        """``last_modified_at`` (jekyll-last-modified-at, jekyll-seo-tag, jekyll-sitemap and
        jekyll-feed read it) as a moment in the blog's zone; one Jekyll cannot read is
        reported and left out, the post is kept."""
        try:
            return _moment(jekyll.parse_front_matter_date(meta.get("last_modified_at")), self.zone)
        except jekyll.JekyllPostError as error:
            self.report.warn(source, str(error), "bad_last_modified")
            return None

    def _split_summary(self, body: str, meta: dict) -> tuple[str, str]:
        """The body and the summary: front matter's ``excerpt`` (or ``tagline``), else the text
        before the excerpt separator (the post's own ``excerpt_separator``, else
        ``_config.yml``'s, as Jekyll reads them). A separator readers never saw (an HTML
        comment such as ``<!--more-->``) is taken out of the body; any other text stays, since
        Jekyll printed it."""
        separator = str(
            meta.get("excerpt_separator")
            or self.config.raw.get("excerpt_separator")
            or MORE_SEPARATOR
        )
        before, found, after = body.partition(separator) if separator.strip() else (body, "", "")
        summary = str(meta.get("excerpt") or meta.get("tagline") or "").strip()
        if not found:
            return body, summary
        summary = summary or before.strip()
        if _is_html_comment(separator):
            body = before.rstrip() + "\n\n" + after.lstrip()
        return body, summary

    def old_paths(self, post: ReadPost, plan: PostPlan) -> list[str]:
        """Every address the post had on the old site, as paths this site can answer."""
        meta = post.post.front_matter
        local_when = plan.when.astimezone(self.zone)
        # Jekyll drops the trailing dots of a file's slug.
        slug = str(meta.get("slug") or post.post.slug.rstrip("."))
        own = str(meta.get("permalink") or "").strip()
        # A post's own permalink is an address, never a style name: Jekyll serves
        # ``permalink: none`` at /none.
        pattern = f"/{own}" if own in jekyll.PERMALINK_STYLES else own or self.permalink
        paths = jekyll.expand_permalink(
            pattern, when=local_when, slug=slug, categories=plan.categories
        )
        paths += [
            jekyll.normalize_old_path(path) for path in jekyll.as_list(meta.get("redirect_from"))
        ]
        if self.config.baseurl:
            paths = [jekyll.normalize_old_path(self.config.baseurl + path) for path in paths]
        return [path for path in dict.fromkeys(paths) if len(path) <= MAX_PATH]

    def _byline_names(self, meta: dict) -> tuple[list[str], bool]:
        """The post's authors, else the blog's author; else the newsroom (and a to-do)."""
        names = [
            str(self.config.authors.get(name, {}).get("name") or name)
            for name in jekyll.split_authors(meta.get("author"))
        ]
        if names:
            return names, True
        if self.config.author_name:
            return [self.config.author_name], True
        return [self.config.title or settings.NEWSROOM_BYLINE], False


def _folder_categories(source: str) -> list[str]:
    """The categories Jekyll takes from the folders above ``_posts`` (``news/_posts/x.md``)."""
    folders = source.split("/")
    return folders[: folders.index("_posts")] if "_posts" in folders else []


def _is_draft(source: str) -> bool:
    return source.startswith("_drafts/")


def _is_dateless(post: jekyll.JekyllPost, source: str) -> bool:
    """A post (not a draft) whose file name gives no date: skipped with a warning."""
    return not _is_draft(source) and post.file_date is None


def _identity(source: str) -> str:
    """What ties a story to its file across runs: the path without its extension."""
    return source.rsplit(".", 1)[0]


def _publication_time(meta: dict, file_date: date | None, zone: ZoneInfo) -> datetime | None:
    """The post's moment: its ``date`` (a zone of its own kept), else its file's day, at
    midnight in the blog's zone as Jekyll reads it."""
    return _moment(jekyll.parse_front_matter_date(meta.get("date")) or file_date, zone)


def _moment(value: date | datetime | None, zone: ZoneInfo) -> datetime | None:
    """A front-matter date as a moment: a day is its midnight, a time without a zone is in
    the blog's zone."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if timezone.is_naive(value):
        value = value.replace(tzinfo=zone)
    return value


def _without_repeated_title(body: str, title: str) -> str:
    """The body without a first heading that repeats the title (``{{ page.title }}`` over
    ``====``, or ``# Title``): the story page shows the headline already."""
    if not title:
        return body
    heading = re.match(
        r"\A\s*(?:#\s*(?P<atx>[^\n]+?)\s*#*\s*\n|(?P<setext>[^\n]+)\n=+[ \t]*\n)", body + "\n"
    )
    if heading and (heading["atx"] or heading["setext"]).strip() == title.strip():
        return body[heading.end() :].lstrip("\n") or body
    return body


def may_have_link_warnings(body: str) -> bool:
    """False only when every link target is a plain web address, which can never warn.

    ``find_link_warnings`` renders the Markdown a second time; most posts link only to full
    URLs, and skipping them halves the cost of an import.
    """
    for match in _LINK_TARGET.finditer(body):
        target = next(group for group in match.groups() if group is not None).strip()
        if not _PLAIN_URL.fullmatch(target):
            return True
    return False


def _is_html_comment(text: str) -> bool:
    """True for a separator readers never saw on the old site: one HTML comment."""
    text = text.strip()
    return text.startswith("<!--") and text.endswith("-->") and "-->" not in text[4:-3]
