"""Import a whole Jekyll site: posts, drafts, images and every old address.

Posts are read in file-name order and imported in batches; each post runs in its own savepoint,
so a broken post leaves nothing behind and the others carry on. A post's identity is its file
(``_posts/2017-05-24-x``): a second run finds the story it made, skips it when the file is
unchanged, and updates it when the file changed. Sections, authors and tags are cached in memory
for the run, so a large import costs a handful of queries per post.
"""

import hashlib
import json
import re
from datetime import date, datetime, time
from pathlib import Path

import reversion
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from .. import search
from ..models import Article, ArticlePath, Author, Byline, Category, TaggedArticle
from ..publishing import publish_article, unpublish_article
from ..rendering import find_link_warnings
from . import jekyll
from .assets import AssetCopier
from .report import ImportReport

# Bump when the importer's output changes, so a re-run updates stories it imported before.
IMPORTER_VERSION = "1"
BATCH_SIZE = 200
POST_SUFFIXES = {".md", ".markdown", ".mkdown", ".mkdn", ".mkd", ".html"}
# Where a post without a category goes: a name that reads the same in Spanish and English.
DEFAULT_SECTION_NAME = "General"
KNOWN_KEYS = {
    "title", "description", "tagline", "category", "categories", "tag", "tags", "author",
    "date", "permalink", "published", "slug", "redirect_from",
}  # fmt: skip
# Theme keys every post carries: kept for the export, not worth a warning.
QUIET_KEYS = {"layout"}
MAX_PATH = ArticlePath._meta.get_field("path").max_length
# Every place Markdown or HTML can put a link target: inline links, reference definitions,
# attributes and autolinks. Over-matching is harmless; it only triggers the full check.
_LINK_TARGET = re.compile(
    r"\]\(([^)]*)\)|^[ \t]*\[[^\]]+\]:(.*)$|\bhref\s*=\s*[\"']?([^\"'>]*)|<([^>\s]*:[^>]*)>",
    re.MULTILINE,
)
_PLAIN_URL = re.compile(r"(?:https?://|/media/|#)[^\s\"'<>()]*")


class _CaseInsensitiveCache:
    """Existing records by case-folded name, loaded once per run."""

    def __init__(self, queryset):
        self.records = {record.name.casefold(): record for record in queryset}
        self.slugs = set(queryset.values_list("slug", flat=True))

    def unique_slug(self, name: str, fallback: str) -> str:
        base = slugify(name)[:90] or fallback
        slug, number = base, 1
        while slug in self.slugs:
            number += 1
            slug = f"{base}-{number}"
        self.slugs.add(slug)
        return slug


class JekyllImporter:
    """One import run over one site directory; ``run()`` returns the report."""

    def __init__(self, site_dir: Path, *, dry_run: bool = False, site_url: str = ""):
        self.site_dir = Path(site_dir)
        self.dry_run = dry_run
        self.report = ImportReport(dry_run=dry_run)
        self.config = jekyll.read_site_config(self.site_dir)
        old_site_urls = {site_url.rstrip("/"), self.config.url}
        old_site_urls |= {url.replace("http://", "https://", 1) for url in old_site_urls}
        self.assets = AssetCopier(
            self.site_dir, site_urls=tuple(sorted(filter(None, old_site_urls))), dry_run=dry_run
        )
        self.context = json.dumps(
            [IMPORTER_VERSION, self.config.permalink, self.config.baseurl, settings.TIME_ZONE,
             sorted(self.config.newsroom_names), sorted(old_site_urls)]
        ).encode()  # fmt: skip
        self._load_caches()

    def post_files(self) -> list[Path]:
        """Every post and draft file, in a stable order."""
        files = []
        for folder in ("_posts", "_drafts"):
            files += sorted(
                path
                for path in (self.site_dir / folder).rglob("*")
                if path.is_file() and path.suffix.lower() in POST_SUFFIXES
            )
        return files

    def run(self, *, progress=None) -> ImportReport:
        """Import every post; ``progress(done, total)`` is called after each one."""
        files = self.post_files()
        if self.dry_run:
            with transaction.atomic():
                with search.index_updates_deferred():
                    self._import_files(files, progress, 0, len(files))
                transaction.set_rollback(True)
        else:
            for start in range(0, len(files), BATCH_SIZE):
                with transaction.atomic(), search.index_updates_deferred():
                    self._import_files(
                        files[start : start + BATCH_SIZE], progress, start, len(files)
                    )
        self.report.counts["images"] = self.assets.copied
        return self.report

    def _import_files(self, files, progress, done, total):
        sources = [path.relative_to(self.site_dir).as_posix() for path in files]
        # One query per batch tells which posts are already imported unchanged: those are
        # skipped before their YAML is even parsed.
        self.fingerprints = dict(
            Article.objects.filter(
                import_metadata__jekyll_id__in=[_identity(source) for source in sources]
            ).values_list("import_metadata__jekyll_id", "import_metadata__fingerprint")
        )
        for path, source in zip(files, sources, strict=True):
            checkpoint = self.report.checkpoint()
            try:
                # One revision per imported post, so its later edits can be compared with it.
                with transaction.atomic(), reversion.create_revision():
                    reversion.set_comment(f"Imported from {source}")
                    self.import_post(path, source)
            # One post's bad data (or a surprise in it) must not stop a migration of thousands.
            except Exception as error:  # noqa: BLE001
                self.report.fail(source, _reason(error), checkpoint)
                self._load_caches()
            done += 1
            if progress:
                progress(done, total)

    def _load_caches(self):
        self.sections = _CaseInsensitiveCache(Category.objects.all())
        self.authors = _CaseInsensitiveCache(Author.objects.all())
        self.tags = _CaseInsensitiveCache(Tag.objects.all())

    def import_post(self, path: Path, source: str) -> None:
        """Create or update the story for one post file."""
        try:
            data = path.read_bytes()
        except OSError as error:
            raise jekyll.JekyllPostError(f"the file cannot be read: {error.strerror}") from error
        identity = _identity(source)
        fingerprint = hashlib.sha256(self.context + b"\0" + data).hexdigest()
        if self.fingerprints.get(identity) == fingerprint:
            self.report.counts["unchanged"] += 1
            return
        is_draft_file = source.startswith("_drafts/")
        post = jekyll.decode_post(data, filename=path.name)
        if not is_draft_file and post.file_date is None:
            self.report.warn(source, "skipped: a post's file name must be YYYY-MM-DD-title.md")
            return
        meta = post.front_matter
        slug_source = str(meta.get("slug") or post.slug or Path(identity).name)
        article = self._find_article(identity, slug_source, post.file_date)
        if article.pk and article.import_metadata.get("fingerprint") == fingerprint:
            self.report.counts["unchanged"] += 1
            return
        self.report.counts["updated" if article.pk else "created"] += 1
        self._fill_article(article, post, source, identity, fingerprint, is_draft_file)

    def _find_article(self, identity: str, slug_source: str, when: date | None) -> Article:
        base = slugify(slug_source)[:180] or "historia-" + hashlib.sha1(identity.encode()).hexdigest()[:8]  # fmt: skip
        dated = f"{base}-{when:%Y-%m-%d}" if when else base
        candidates = [base, dated] + [f"{dated}-{number}" for number in range(2, 6)]
        existing = {
            article.slug: article for article in Article.objects.filter(slug__in=candidates)
        }
        for article in existing.values():
            if article.import_metadata.get("jekyll_id") == identity:
                return article
        for slug in candidates:
            if slug not in existing:
                return Article(slug=slug)
        raise jekyll.JekyllPostError(f"every address for “{base}” is taken by other stories")

    def _fill_article(self, article, post, source, identity, fingerprint, is_draft_file):
        meta = post.front_matter
        was_new = article.pk is None
        previous_html = article.body_html
        publish = not is_draft_file and meta.get("published") not in (False, "false")
        when = self._publication_time(meta, post.file_date)
        headline = str(meta.get("title") or "").strip()
        if not headline:
            headline = jekyll.titleize_slug(post.slug or Path(identity).name)
            self.report.warn(source, f"no title; using “{headline}”")
        if len(headline) > Article._meta.get_field("headline").max_length:
            raise jekyll.JekyllPostError("the title is longer than 300 characters")
        categories = jekyll.front_matter_list(meta, "category", "categories")
        body, missing = self.assets.localize(jekyll.resolve_liquid(post.body))
        for path in missing:
            self.report.warn(source, f"image not found in the site: {path}")
        self.report.counts["images_missing"] += len(missing)
        for warning in find_link_warnings(body) if _may_have_link_warnings(body) else []:
            self.report.warn(source, str(warning))
        unknown = {key: value for key, value in meta.items() if key not in KNOWN_KEYS}
        if set(unknown) - QUIET_KEYS:
            self.report.warn(
                source,
                f"unknown front-matter keys kept: {', '.join(sorted(set(unknown) - QUIET_KEYS))}",
            )
        article.headline = headline
        article.dek = str(meta.get("description") or "").strip()
        article.summary = str(meta.get("tagline") or "").strip()
        article.body = body
        article.category = self._section(categories[0] if categories else None, source)
        article.published_at = when
        article.import_metadata = {
            "jekyll_id": identity,
            "source": source,
            "fingerprint": fingerprint,
            "front_matter": json.loads(json.dumps(unknown, default=str)),
        }
        if not publish and not was_new and article.status == Article.Status.PUBLISHED:
            unpublish_article(article=article)
        article.save()
        self._set_bylines(article, meta, source, was_new)
        extra_categories = categories[1:]
        if extra_categories:
            self.report.warn(
                source, f"extra categories kept as tags: {', '.join(extra_categories)}"
            )
        self._set_tags(
            article, jekyll.front_matter_list(meta, "tag", "tags") + extra_categories, was_new
        )
        found = article.attach_linked_organizations(previous_body_html=previous_html)
        self.report.counts["organizations"] += len(found)
        if publish:
            self._record_old_paths(article, post, meta, categories, when, source)
            publish_article(article=article, at=when)

    def _publication_time(self, meta: dict, file_date: date | None) -> datetime | None:
        value = jekyll.parse_front_matter_date(meta.get("date")) or file_date
        if value is None:
            return None
        if not isinstance(value, datetime):
            value = datetime.combine(value, time())
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value

    def _section(self, name: str | None, source: str) -> Category:
        if not name:
            self.report.warn(source, f"no category; filed under “{DEFAULT_SECTION_NAME}”")
            name = DEFAULT_SECTION_NAME
        name = name.strip()[:100]
        section = self.sections.records.get(name.casefold())
        if section is None:
            section = Category.objects.create(
                name=name, slug=self.sections.unique_slug(name, "seccion")
            )
            self.sections.records[name.casefold()] = section
            self.report.counts["sections"] += 1
        return section

    def _author(self, name: str) -> Author:
        author = self.authors.records.get(name.casefold())
        if author is None:
            is_newsroom = name.casefold() in self.config.newsroom_names
            author = Author.objects.create(
                name=name[:150],
                slug=self.authors.unique_slug(name, "autor"),
                kind=Author.Kind.ORGANIZATION if is_newsroom else Author.Kind.PERSON,
            )
            self.authors.records[name.casefold()] = author
            self.report.counts["authors"] += 1
        return author

    def _set_bylines(self, article, meta, source, was_new):
        names = jekyll.split_authors(meta.get("author"))
        if not names:
            names = [self.config.author_name or self.config.title or settings.SITE_NAME]
            self.report.warn(source, f"no author; signed by “{names[0]}”")
        author_ids = [self._author(name).pk for name in names]
        if not was_new:
            if (
                list(article.bylines.order_by("position").values_list("author_id", flat=True))
                == author_ids
            ):
                return
            article.bylines.all().delete()
        Byline.objects.bulk_create(
            Byline(article=article, author_id=author_id, position=position)
            for position, author_id in enumerate(author_ids)
        )

    def _tag(self, name: str) -> Tag:
        tag = self.tags.records.get(name.casefold())
        if tag is None:
            tag = Tag.objects.create(name=name[:100])
            self.tags.records[name.casefold()] = tag
            self.report.counts["tags"] += 1
        return tag

    def _set_tags(self, article, names, was_new):
        wanted = {self._tag(name).pk for name in names}
        current = set() if was_new else set(article.tagged_items.values_list("tag_id", flat=True))
        if current - wanted:
            article.tagged_items.filter(tag_id__in=current - wanted).delete()
        TaggedArticle.objects.bulk_create(
            TaggedArticle(content_object=article, tag_id=tag_id)
            for tag_id in sorted(wanted - current)
        )

    def _record_old_paths(self, article, post, meta, categories, when, source):
        local_when = timezone.localtime(when)
        slug = str(meta.get("slug") or post.slug)
        pattern = str(meta.get("permalink") or self.config.permalink)
        paths = jekyll.expand_permalink(pattern, when=local_when, slug=slug, categories=categories)
        paths += [
            jekyll.normalize_old_path(path) for path in jekyll.as_list(meta.get("redirect_from"))
        ]
        if self.config.baseurl:
            paths = [jekyll.normalize_old_path(self.config.baseurl + path) for path in paths]
        paths = [path for path in dict.fromkeys(paths) if len(path) <= MAX_PATH]
        taken = dict(ArticlePath.objects.filter(path__in=paths).values_list("path", "article_id"))
        for path, owner in taken.items():
            if owner != article.pk:
                self.report.warn(source, f"old address {path} already leads to another story")
        new_paths = [ArticlePath(path=path, article=article) for path in paths if path not in taken]
        ArticlePath.objects.bulk_create(new_paths)
        self.report.counts["old_paths"] += len(new_paths)


def _identity(source: str) -> str:
    """What ties a story to its file across runs: the path without its extension."""
    return source.rsplit(".", 1)[0]


def _may_have_link_warnings(body: str) -> bool:
    """False only when every link target is a plain web address, which can never warn.

    ``find_link_warnings`` renders the Markdown a second time; most posts link only to full
    URLs, and skipping them halves the cost of an import.
    """
    for match in _LINK_TARGET.finditer(body):
        target = next(group for group in match.groups() if group is not None).strip()
        if not _PLAIN_URL.fullmatch(target):
            return True
    return False


def _reason(error: Exception) -> str:
    if isinstance(error, jekyll.JekyllPostError | ValueError):
        return str(error)
    messages = getattr(error, "messages", None)
    return "; ".join(messages) if messages else f"{type(error).__name__}: {error}"


def import_site(
    site_dir, *, dry_run: bool = False, site_url: str = "", progress=None
) -> ImportReport:
    """Import a Jekyll site directory; see ``JekyllImporter``."""
    return JekyllImporter(site_dir, dry_run=dry_run, site_url=site_url).run(progress=progress)
