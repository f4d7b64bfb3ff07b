"""Import a WordPress export (WXR): posts and pages as stories, attachments into the library,
and every old address kept.

The file is read twice. The first pass reads it whole, so a broken file (truncated, not XML,
not WordPress) is refused before anything is written, and gathers what is small: authors,
categories, tags and attachments. The second pass streams the posts and pages in batches of
``BATCH_SIZE`` inside one transaction (rolled back for ``--dry-run``): new ones are checked and
rendered in Python and written together by ``new_stories.write_new_stories`` (which does by
hand what signals do for one save), known ones are updated one at a time, unchanged ones
skipped. ``WordPressItem`` rows tie every post, page, attachment, category, tag and author to
what it became, so a second run finds them again and old addresses answer 301.
"""

import hashlib
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

import reversion
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext as _

from .. import search
from ..models import Article, ArticlePath, Byline, TaggedArticle, WordPressItem
from ..models.stories import refuse_null_characters
from ..publishing import publish_article, publish_unsaved, unpublish_article
from . import new_stories
from .wordpress_body import convert_body, plain_text
from .wordpress_media import Attachment, MediaMap, upload_key
from .wordpress_report import WordPressReport
from .wordpress_subjects import WordPressSubjects
from .wordpress_xml import WxrAuthor, WxrChannel, WxrItem, WxrTerm, read_wxr

BATCH_SIZE = 200
CONTENT_TYPES = ("post", "page")
# Statuses readers may see once imported; the rest stay out of the public site.
PUBLIC_STATUSES = ("publish", "future")
EDITOR_STATUS = {
    "draft": Article.Status.DRAFT,
    "pending": Article.Status.IN_REVIEW,
    "private": Article.Status.DRAFT,
}
SKIPPED_STATUSES = ("trash", "auto-draft", "inherit")
# Custom fields the importer reads or that only matter to WordPress itself.
KNOWN_META_PREFIXES = ("_thumbnail_id", "_wp_", "_edit_", "_oembed_", "_menu_item_", "_encloseme",
                       "_pingme", "_publicize", "_attachment_original")  # fmt: skip
HEADLINE_WORDS = 8


class WordPressImporter:
    """One import of one export file; ``run()`` returns the report."""

    def __init__(
        self,
        export: Path,
        *,
        uploads: Path | None = None,
        site_url: str = "",
        download: bool = False,
        dry_run: bool = False,
    ):
        self.export = Path(export)
        self.site_url = site_url.rstrip("/")
        self.dry_run = dry_run
        self.report = WordPressReport(dry_run=dry_run)
        self.media = MediaMap(
            uploads_dir=Path(uploads) if uploads else None, download=download, dry_run=dry_run
        )
        self.authors: dict[str, str] = {}
        self.categories: dict[str, WxrTerm] = {}
        self.gallery_of: dict[str, list[str]] = {}
        self.total = 0
        self.zone = ZoneInfo(settings.TIME_ZONE)

    # The first pass: the whole file, nothing written.

    def scan(self) -> None:
        """Read the whole export; ``WxrError`` if it cannot be imported."""
        channel = None
        for entry in read_wxr(self.export):
            if isinstance(entry, WxrAuthor):
                self.authors[entry.login] = entry.display_name
            elif isinstance(entry, WxrTerm) and entry.kind == "category":
                self.categories[entry.slug] = entry
            elif isinstance(entry, WxrItem):
                if entry.post_type == "attachment":
                    self._add_attachment(entry)
                elif entry.post_type in CONTENT_TYPES:
                    self.total += 1
            elif isinstance(entry, WxrChannel):
                channel = entry
        file_site_url = (channel.base_blog_url or channel.link).rstrip("/")
        # Items are matched by the site the file names, so a re-run with or without
        # --site-url finds them; --site-url only says where the old addresses lived.
        self.site = urlsplit(file_site_url).netloc or file_site_url or self.export.name
        self.site_url = self.site_url or file_site_url
        self.prefix = urlsplit(self.site_url).path.rstrip("/")
        self.file_prefix = urlsplit(file_site_url).path.rstrip("/")

    def _add_attachment(self, item: WxrItem) -> None:
        key = item.meta.get("_wp_attached_file") or upload_key(item.attachment_url) or ""
        self.media.add(
            Attachment(
                post_id=item.post_id,
                url=item.attachment_url,
                key=key.strip(),
                title=plain_text(item.title),
                alt=item.meta.get("_wp_attachment_image_alt", "").strip(),
                caption=plain_text(item.excerpt),
                parent=item.parent,
            )
        )
        if item.parent and item.parent != "0":
            self.gallery_of.setdefault(item.parent, []).append(item.post_id)

    # The second pass.

    def run(self, *, progress=None) -> WordPressReport:
        """Import everything; ``progress(done, total)`` after each post or page."""
        self.scan()
        self.progress, self.done = progress, 0
        with transaction.atomic():
            with search.index_updates_deferred():
                self._import_everything()
            if self.dry_run:
                transaction.set_rollback(True)
        self.report.counts["images"] = self.media.copied
        self.report.attachments_missing = self.media.missing
        return self.report

    def _import_everything(self) -> None:
        """The second pass: attachments, then posts and pages in batches."""
        self.terms = WordPressSubjects(
            site=self.site,
            prefix=self.prefix,
            categories=self.categories,
            authors=self.authors,
            report=self.report,
        )
        self._import_attachments()
        batch: list[WxrItem] = []
        for entry in read_wxr(self.export):
            if not isinstance(entry, WxrItem):
                continue
            if entry.post_type in CONTENT_TYPES:
                batch.append(entry)
                if len(batch) == BATCH_SIZE:
                    self._import_batch(batch)
                    batch = []
            elif entry.post_type == "nav_menu_item":
                self.report.not_imported[_("navigation menu items")] += 1
            elif entry.post_type != "attachment":
                self.report.not_imported[
                    _("items of type “%(type)s”") % {"type": entry.post_type}
                ] += 1
        self._import_batch(batch)

    def _import_attachments(self) -> None:
        for attachment in self.media.attachments.values():
            row = self.terms.known.get((WordPressItem.Kind.ATTACHMENT, attachment.post_id))
            if row is not None and row.image_id:
                attachment.image = row.image
                continue
            if not attachment.alt and attachment.title and self.media.is_image(attachment):
                attachment.alt = attachment.title
                self.report.warn(
                    _("attachment %(id)s") % {"id": attachment.post_id},
                    _("no alt text; the image's title was used"),
                )
            if self.media.store(attachment) and attachment.image is not None:
                WordPressItem.objects.update_or_create(
                    site=self.site,
                    kind=WordPressItem.Kind.ATTACHMENT,
                    wordpress_id=attachment.post_id,
                    defaults={"image": attachment.image},
                )

    def _import_batch(self, items: list[WxrItem]) -> None:
        if not items:
            return
        rows = {
            row.wordpress_id: row
            for row in WordPressItem.objects.filter(
                site=self.site,
                kind__in=[WordPressItem.Kind.POST, WordPressItem.Kind.PAGE],
                wordpress_id__in=[item.post_id for item in items],
            ).select_related("article")
        }
        wanted = {self._slug_base(item) for item in items}
        self.taken_slugs = set(
            Article.objects.filter(slug__in=wanted).values_list("slug", flat=True)
        )
        new = []
        for item in items:
            story = self._import_item(item, rows.get(item.post_id))
            if story is not None:
                new.append(story)
            self.done += 1
            if self.progress:
                self.progress(self.done, self.total)
        # A failure here takes the whole import back (one transaction): nothing half-written.
        result = new_stories.write_new_stories(new)
        for source, path in result.taken_paths:
            self.report.warn(
                source, _("old address %(path)s already leads to another story") % {"path": path}
            )
        self.report.counts["old_paths"] += result.old_paths
        WordPressItem.objects.bulk_create(
            WordPressItem(
                site=self.site,
                kind=story.kind,
                wordpress_id=story.wordpress_id,
                fingerprint=story.fingerprint,
                article=story.article,
            )
            for story in new
        )

    def _import_item(self, item: WxrItem, row: WordPressItem | None):
        title = plain_text(item.title)
        label = f"{item.post_type} {item.post_id} “{Truncator(title).chars(60)}”"
        status = "password" if item.password and item.status in PUBLIC_STATUSES else item.status
        if item.status in SKIPPED_STATUSES:
            self.report.count(item.post_type, item.status, "skipped")
            if item.status == "trash":
                self.report.warn(label, _("in the trash: not imported"))
            return None
        self.report.counts["comments"] += item.comments
        fingerprint = self._fingerprint(item)
        if row is not None and row.article is not None and row.fingerprint == fingerprint:
            self.report.count(item.post_type, status, "unchanged")
            return None
        checkpoint = self.report.checkpoint()
        try:
            with transaction.atomic():
                if row is not None and row.article is not None:
                    with reversion.create_revision():
                        reversion.set_comment(f"Imported from WordPress {label}")
                        self._update(row, item, label, status, fingerprint)
                    self.report.count(item.post_type, status, "updated")
                    return None
                story = self._prepare_new(item, label, status, fingerprint)
                self.report.count(item.post_type, status, "created")
                return story
        # One item's bad data (or a surprise in it) must not stop a migration of thousands;
        # its savepoint took back whatever it wrote.
        except Exception as error:  # noqa: BLE001
            messages = getattr(error, "messages", None) or [f"{type(error).__name__}: {error}"]
            self.report.fail(label, "; ".join(messages), checkpoint)
            self.terms.reload()
            return None

    def _fields(self, item: WxrItem, label: str, status: str) -> dict:
        """What the item says, as the story's fields and the rows around it."""
        converted = convert_body(
            item.content, media=self.media, post_id=item.post_id, gallery_of=self.gallery_of
        )
        for warning in converted.warnings:
            self.report.warn(label, warning)
        self.report.shortcodes.update(converted.shortcodes)
        headline = plain_text(item.title)
        if not headline:
            words = plain_text(item.content).split()[:HEADLINE_WORDS] or [item.post_id]
            headline = " ".join(words)
            self.report.warn(
                label,
                _("no title; the headline is its first words: “%(headline)s”")
                % {"headline": headline},
            )
        if len(headline) > 300:
            headline = Truncator(headline).chars(300)
            self.report.warn(label, _("the title was shortened to 300 characters"))
        if status == "password":
            self.report.warn(label, _("protected by a password: imported as a draft, not public"))
        elif item.status == "private":
            self.report.warn(label, _("private: imported as a draft, not public"))
        meta = {
            key: value
            for key, value in item.meta.items()
            if not key.startswith(KNOWN_META_PREFIXES)
        }
        self.report.unknown_meta.update(meta.keys())
        section, tags = self.terms.section_and_tags(item, label)
        thumbnail = self.media.attachments.get(item.meta.get("_thumbnail_id", "").strip())
        lead_image = thumbnail.image if thumbnail is not None else None
        if item.meta.get("_thumbnail_id") and lead_image is None and not self.dry_run:
            self.report.warn(label, _("the featured image's file is missing; no lead image"))
        return {
            "headline": headline,
            "summary": plain_text(item.excerpt),
            "body": converted.markdown,
            "published_at": self._when(item, label),
            "lead_image": lead_image,
            "lead_image_caption": "",
            "import_metadata": {
                "wordpress_site": self.site,
                "wordpress_id": item.post_id,
                "wordpress_type": item.post_type,
                "wordpress_status": item.status,
                "wordpress_link": item.link,
                "wordpress_author_login": item.creator,
                **({"wordpress_meta": meta} if meta else {}),
            },
            "section": section,
            "tags": tags,
            "authors": [self.terms.author(item.creator)],
        }

    def _prepare_new(self, item, label, status, fingerprint):
        fields = self._fields(item, label, status)
        article = Article(slug=self._unique_slug(item))
        self._fill(article, fields)
        article.edit_version = 1
        article.render_body()
        refuse_null_characters(article)
        publish = self._publishable(article, status, label)
        if not publish:
            article.status = EDITOR_STATUS.get(item.status, Article.Status.DRAFT)
        story = new_stories.NewStory(
            article=article,
            source=label,
            authors=fields["authors"],
            tags=fields["tags"],
            old_paths=self._old_paths(item) if publish else [],
            publish=publish,
        )
        story.kind, story.wordpress_id, story.fingerprint = (
            item.post_type,
            item.post_id,
            fingerprint,
        )
        return story

    def _publishable(self, article: Article, status: str, label: str) -> bool:
        """Publish (or schedule) a public item; one that cannot be published stays a draft."""
        if status not in PUBLIC_STATUSES:
            return False
        try:
            publish_unsaved(article=article, has_section=True, has_byline=True)
        except ValidationError as error:
            self.report.warn(
                label, _("kept as a draft: %(reason)s") % {"reason": " ".join(error.messages)}
            )
            return False
        return True

    def _update(self, row, item, label, status, fingerprint) -> None:
        article = row.article
        fields = self._fields(item, label, status)
        self._fill(article, fields)
        wanted_public = status in PUBLIC_STATUSES
        if not wanted_public and article.status == Article.Status.PUBLISHED:
            unpublish_article(article=article)
        article.save()
        Byline.objects.filter(article=article).delete()
        Byline.objects.bulk_create(
            Byline(article=article, author=author, position=position)
            for position, author in enumerate(fields["authors"])
        )
        TaggedArticle.objects.filter(content_object=article).delete()
        TaggedArticle.objects.bulk_create(
            TaggedArticle(content_object=article, tag=tag)
            for tag in {t.pk: t for t in fields["tags"]}.values()
        )
        if wanted_public:
            try:
                publish_article(article=article, at=fields["published_at"])
            except ValidationError as error:
                self.report.warn(
                    label, _("kept as a draft: %(reason)s") % {"reason": " ".join(error.messages)}
                )
            else:
                self._record_old_paths(article, self._old_paths(item), label)
        row.fingerprint = fingerprint
        row.save(update_fields=["fingerprint"])

    @staticmethod
    def _fill(article: Article, fields: dict) -> None:
        for name in (
            "headline",
            "summary",
            "body",
            "published_at",
            "lead_image",
            "import_metadata",
        ):
            setattr(article, name, fields[name])
        article.category = fields["section"]

    def _record_old_paths(self, article, paths, label):
        taken = dict(ArticlePath.objects.filter(path__in=paths).values_list("path", "article_id"))
        for path, owner in taken.items():
            if owner != article.pk:
                self.report.warn(
                    label, _("old address %(path)s already leads to another story") % {"path": path}
                )
        ArticlePath.objects.bulk_create(
            ArticlePath(path=path, article=article) for path in paths if path not in taken
        )

    def _slug_base(self, item: WxrItem) -> str:
        base = slugify(unquote(item.post_name))[:190] or slugify(plain_text(item.title))[:190]
        return base or f"wp-{item.post_id}"

    def _unique_slug(self, item: WxrItem) -> str:
        base = self._slug_base(item)
        slug, number = base, 1
        while slug in self.taken_slugs or (
            number > 1 and Article.objects.filter(slug=slug).exists()
        ):
            number += 1
            slug = f"{base}-{number}"
        self.taken_slugs.add(slug)
        return slug

    def _when(self, item: WxrItem, label: str) -> datetime | None:
        for value, zone in ((item.post_date_gmt, UTC), (item.post_date, self.zone)):
            if value and not value.startswith("0000"):
                try:
                    naive = datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
                except ValueError:
                    continue
                return (
                    timezone.make_aware(naive, zone)
                    if zone is not UTC
                    else naive.replace(tzinfo=UTC)
                )
        if item.status in PUBLIC_STATUSES:
            self.report.warn(label, _("no readable date; published now"))
        return None

    def _old_paths(self, item: WxrItem) -> list[str]:
        """The item's permalink as a path on this site (its ``?p=`` forms are answered from
        ``WordPressItem``)."""
        parts = urlsplit(item.link)
        # WordPress sometimes writes a doubled slash (``//greek/x/``); browsers ask for one.
        path = re.sub(r"/{2,}", "/", unquote(parts.path)).rstrip("/")
        if not path or parts.query:
            return []
        if self.file_prefix and path.startswith(self.file_prefix + "/"):
            path = path.removeprefix(self.file_prefix)
        return [f"{self.prefix}{path}"[:500]]

    def _fingerprint(self, item: WxrItem) -> str:
        thumbnail = self.media.attachments.get(item.meta.get("_thumbnail_id", "").strip())
        state = [
            item.title, item.content, item.excerpt, item.status, item.post_date,
            item.post_date_gmt, item.post_name, item.password, item.creator, item.link,
            item.terms, sorted(item.meta.items()),
            bool(thumbnail and thumbnail.image),
        ]  # fmt: skip
        return hashlib.sha256(json.dumps(state).encode()).hexdigest()


def import_wordpress(export, **options) -> WordPressReport:
    """Import a WordPress export file; see ``WordPressImporter``."""
    progress = options.pop("progress", None)
    return WordPressImporter(export, **options).run(progress=progress)
