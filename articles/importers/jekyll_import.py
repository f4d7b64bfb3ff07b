"""Import a whole Jekyll site: posts, drafts, images and every old address.

Posts are read in file-name order and imported in batches. New posts are checked and rendered
in Python first; a post that fails there is reported and never written, and the batch's good
posts are then written together in one transaction (``new_stories``). If that write fails,
the batch is rolled back and imported again post by post, each in its own savepoint, so a
broken post leaves nothing behind and the others carry on. Posts imported before take that
careful path too. A post's identity is its file (``_posts/2017-05-24-x``): a second run finds
the story it made, skips it when the file is unchanged, and updates it when the file changed.
Sections, authors and tags are cached in memory for the run.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import reversion
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from .. import search
from ..models import Article, ArticlePath, Byline, TaggedArticle
from ..models.stories import refuse_null_characters
from ..publishing import publish_article, publish_unsaved, unpublish_article
from ..rendering import find_link_warnings
from . import jekyll, new_stories
from .assets import AssetCopier
from .report import ImportReport
from .subjects import Subjects

# Bump when the importer's output changes, so a re-run updates stories it imported before.
IMPORTER_VERSION = "1"
BATCH_SIZE = 200
POST_SUFFIXES = {".md", ".markdown", ".mkdown", ".mkdn", ".mkd", ".html"}
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


@dataclass
class _ReadPost:
    """A post file read and parsed, with what ties it to its story."""

    post: jekyll.JekyllPost
    source: str
    identity: str
    fingerprint: str
    is_draft_file: bool
    slug_source: str

    @property
    def candidate_slugs(self) -> list[str]:
        """The slugs the story may have, in order of preference."""
        digest = hashlib.sha1(self.identity.encode()).hexdigest()[:8]
        base = slugify(self.slug_source)[:180] or f"historia-{digest}"
        when = self.post.file_date
        dated = f"{base}-{when:%Y-%m-%d}" if when else base
        return [base, dated] + [f"{dated}-{number}" for number in range(2, 6)]


@dataclass
class _Plan:
    """What a post asks for beyond the story's own fields."""

    publish: bool
    when: datetime | None
    categories: list[str]
    author_names: list[str] = field(default_factory=list)
    tag_names: list[str] = field(default_factory=list)

    @property
    def section_name(self) -> str | None:
        return self.categories[0] if self.categories else None


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
        self.batch_articles: dict[str, Article] | None = None
        self.subjects = Subjects(report=self.report, newsroom_names=self.config.newsroom_names)

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
        if not connection.features.can_return_rows_from_bulk_insert:
            # The batch path needs the ids bulk_create gives back (every supported database).
            self._import_one_by_one(files, sources, progress, done, total)
            return
        checkpoint = self.report.checkpoint()
        try:
            with transaction.atomic():
                self._import_batch(files, sources, progress, done, total)
        # A write that fails takes the whole batch back; redoing it post by post finds the
        # post responsible and keeps the others.
        except Exception:  # noqa: BLE001
            self.report.restore(checkpoint)
            self.subjects.reload()
            self._import_one_by_one(files, sources, progress, done, total)

    def _import_batch(self, files, sources, progress, done, total):
        """Read and check every post in Python, then write the new ones together."""
        read = []
        for path, source in zip(files, sources, strict=True):
            checkpoint = self.report.checkpoint()
            try:
                post = self._read_post(path, source)
            except Exception as error:  # noqa: BLE001
                self.report.fail(source, _reason(error), checkpoint)
                post = None
            read.append(post)
        slugs = {slug for post in read if post for slug in post.candidate_slugs}
        self.batch_articles = {
            article.slug: article for article in Article.objects.filter(slug__in=slugs)
        }
        stories = []
        try:
            for post in read:
                if post is not None:
                    story = self._import_read_post(post)
                    if story is not None:
                        stories.append(story)
                done += 1
                if progress:
                    progress(done, total)
        finally:
            self.batch_articles = None
        result = new_stories.write_new_stories(stories)
        for story in stories:
            self.report.counts["organizations"] += len(story.organization_ids)
        for source, path in result.taken_paths:
            self.report.warn(source, f"old address {path} already leads to another story")
        self.report.counts["old_paths"] += result.old_paths

    def _import_read_post(self, post: _ReadPost) -> new_stories.NewStory | None:
        """A new post checked and rendered for the batch; a known one updated in its savepoint."""
        checkpoint = self.report.checkpoint()
        try:
            article = self._find_article(post)
            if article.pk is None:
                self.report.counts["created"] += 1
                story = self._prepare_new_story(article, post)
                # Taken for the rest of the batch, as a saved story's slug would be.
                self.batch_articles[article.slug] = article
                return story
            with transaction.atomic(), reversion.create_revision():
                reversion.set_comment(f"Imported from {post.source}")
                self._update_article(article, post)
        except DatabaseError:
            # A write failed outside a savepoint of its own (a section, author or tag a new
            # post names): the batch is taken back and redone post by post.
            raise
        except Exception as error:  # noqa: BLE001
            self.report.fail(post.source, _reason(error), checkpoint)
            self.subjects.reload()
        return None

    def _import_one_by_one(self, files, sources, progress, done, total):
        """The careful path: each post in its own savepoint and revision."""
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
                self.subjects.reload()
            done += 1
            if progress:
                progress(done, total)

    def import_post(self, path: Path, source: str) -> None:
        """Create or update the story for one post file (the careful path, one at a time)."""
        post = self._read_post(path, source)
        if post is None:
            return
        article = self._find_article(post)
        if article.pk is None:
            self.report.counts["created"] += 1
            self._save_article(article, post)
        else:
            self._update_article(article, post)

    def _read_post(self, path: Path, source: str) -> _ReadPost | None:
        """Read and parse a post file; None when it is unchanged since the last run or skipped."""
        try:
            data = path.read_bytes()
        except OSError as error:
            raise jekyll.JekyllPostError(f"the file cannot be read: {error.strerror}") from error
        identity = _identity(source)
        fingerprint = hashlib.sha256(self.context + b"\0" + data).hexdigest()
        if self.fingerprints.get(identity) == fingerprint:
            self.report.counts["unchanged"] += 1
            return None
        is_draft_file = source.startswith("_drafts/")
        post = jekyll.decode_post(data, filename=path.name)
        if not is_draft_file and post.file_date is None:
            self.report.warn(source, "skipped: a post's file name must be YYYY-MM-DD-title.md")
            return None
        slug_source = str(post.front_matter.get("slug") or post.slug or Path(identity).name)
        return _ReadPost(post, source, identity, fingerprint, is_draft_file, slug_source)

    def _find_article(self, post: _ReadPost) -> Article:
        candidates = post.candidate_slugs
        if self.batch_articles is None:
            existing = {
                article.slug: article for article in Article.objects.filter(slug__in=candidates)
            }
        else:
            existing = {
                slug: self.batch_articles[slug]
                for slug in candidates
                if slug in self.batch_articles
            }
        for article in existing.values():
            if article.import_metadata.get("jekyll_id") == post.identity:
                return article
        for slug in candidates:
            if slug not in existing:
                return Article(slug=slug)
        raise jekyll.JekyllPostError(
            f"every address for “{candidates[0]}” is taken by other stories"
        )

    def _update_article(self, article: Article, post: _ReadPost) -> None:
        if article.import_metadata.get("fingerprint") == post.fingerprint:
            self.report.counts["unchanged"] += 1
            return
        self.report.counts["updated"] += 1
        self._save_article(article, post)

    def _fill_fields(self, article: Article, post: _ReadPost) -> _Plan:
        """Set the story's own fields from the post and report what looks wrong (no writes)."""
        meta, source = post.post.front_matter, post.source
        plan = _Plan(
            publish=not post.is_draft_file and meta.get("published") not in (False, "false"),
            when=self._publication_time(meta, post.post.file_date),
            categories=jekyll.front_matter_list(meta, "category", "categories"),
        )
        headline = str(meta.get("title") or "").strip()
        if not headline:
            headline = jekyll.titleize_slug(post.post.slug or Path(post.identity).name)
            self.report.warn(source, f"no title; using “{headline}”")
        if len(headline) > Article._meta.get_field("headline").max_length:
            raise jekyll.JekyllPostError("the title is longer than 300 characters")
        body, missing = self.assets.localize(jekyll.resolve_liquid(post.post.body))
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
        article.published_at = plan.when
        article.import_metadata = {
            "jekyll_id": post.identity,
            "source": source,
            "fingerprint": post.fingerprint,
            "front_matter": json.loads(json.dumps(unknown, default=str)),
        }
        plan.author_names = self._byline_names(meta, source)
        extra_categories = plan.categories[1:]
        if extra_categories:
            self.report.warn(
                source, f"extra categories kept as tags: {', '.join(extra_categories)}"
            )
        plan.tag_names = jekyll.front_matter_list(meta, "tag", "tags") + extra_categories
        return plan

    def _prepare_new_story(self, article: Article, post: _ReadPost) -> new_stories.NewStory:
        """A new post as ``Article.save`` and ``publish_article`` would check it, unwritten.

        Everything that can refuse the post runs before the sections, authors and tags it
        names are created, so a refused post leaves nothing behind.
        """
        plan = self._fill_fields(article, post)
        article.edit_version = 1  # what its first save would make it
        article.render_body()
        refuse_null_characters(article)
        if plan.publish:
            # Every imported story gets a section and a byline (defaults when the post has none).
            publish_unsaved(article=article, has_section=True, has_byline=True)
        article.category = self.subjects.section(plan.section_name, post.source)
        return new_stories.NewStory(
            article=article,
            source=post.source,
            authors=[self.subjects.author(name) for name in plan.author_names],
            tags=[self.subjects.tag(name) for name in plan.tag_names],
            old_paths=self._old_paths(post, plan) if plan.publish else [],
            publish=plan.publish,
        )

    def _save_article(self, article: Article, post: _ReadPost) -> None:
        """Save one story with its byline, tags, organizations and old addresses, and publish it."""
        was_new = article.pk is None
        previous_html = article.body_html
        plan = self._fill_fields(article, post)
        article.category = self.subjects.section(plan.section_name, post.source)
        if not plan.publish and not was_new and article.status == Article.Status.PUBLISHED:
            unpublish_article(article=article)
        article.save()
        self._set_bylines(article, plan.author_names, was_new)
        self._set_tags(article, plan.tag_names, was_new)
        found = article.attach_linked_organizations(previous_body_html=previous_html)
        self.report.counts["organizations"] += len(found)
        if plan.publish:
            self._record_old_paths(article, self._old_paths(post, plan), post.source)
            publish_article(article=article, at=plan.when)

    def _publication_time(self, meta: dict, file_date: date | None) -> datetime | None:
        value = jekyll.parse_front_matter_date(meta.get("date")) or file_date
        if value is None:
            return None
        if not isinstance(value, datetime):
            value = datetime.combine(value, time())
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value

    def _byline_names(self, meta: dict, source: str) -> list[str]:
        names = jekyll.split_authors(meta.get("author"))
        if not names:
            names = [self.config.author_name or self.config.title or settings.SITE_NAME]
            self.report.warn(source, f"no author; signed by “{names[0]}”")
        return names

    def _set_bylines(self, article, names, was_new):
        author_ids = [self.subjects.author(name).pk for name in names]
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

    def _set_tags(self, article, names, was_new):
        wanted = {self.subjects.tag(name).pk for name in names}
        current = set() if was_new else set(article.tagged_items.values_list("tag_id", flat=True))
        if current - wanted:
            article.tagged_items.filter(tag_id__in=current - wanted).delete()
        TaggedArticle.objects.bulk_create(
            TaggedArticle(content_object=article, tag_id=tag_id)
            for tag_id in sorted(wanted - current)
        )

    def _old_paths(self, post: _ReadPost, plan: _Plan) -> list[str]:
        """Every address the post had on the old site, as paths this site can answer."""
        meta = post.post.front_matter
        local_when = timezone.localtime(plan.when)
        slug = str(meta.get("slug") or post.post.slug)
        pattern = str(meta.get("permalink") or self.config.permalink)
        paths = jekyll.expand_permalink(
            pattern, when=local_when, slug=slug, categories=plan.categories
        )
        paths += [
            jekyll.normalize_old_path(path) for path in jekyll.as_list(meta.get("redirect_from"))
        ]
        if self.config.baseurl:
            paths = [jekyll.normalize_old_path(self.config.baseurl + path) for path in paths]
        return [path for path in dict.fromkeys(paths) if len(path) <= MAX_PATH]

    def _record_old_paths(self, article, paths, source):
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
