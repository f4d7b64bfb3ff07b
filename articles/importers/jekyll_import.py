"""Import a whole Jekyll site: posts, drafts, images and every old address.

Posts are read in file-name order and imported in batches. New posts are checked and rendered
in Python first; a post that fails there is reported and never written, and the batch's good
posts are then written together in one transaction (``new_stories``). If that write fails,
the batch is rolled back and imported again post by post, each in its own savepoint, so a
broken post leaves nothing behind and the others carry on. Posts imported before take that
careful path too. ``post_reader`` reads each file and finds whether it changed since the last
run: an unchanged post is skipped and a changed one updates the story it made. Sections,
authors and tags are cached in memory for the run (``subjects``).

A post the old site published is published here whatever it lacks (alt text, a dek, a section,
an author, a valid link): a check that protects readers from a new story must never make an old
one vanish. What it lacks becomes the story's to-dos (``story_checks``), worked out once the
whole blog is in (``_finish``), so links between its posts are judged against the new site.
"""

import hashlib
import zlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import reversion
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from .. import cache_tags, search, story_pages
from ..images.library import ImageNotStored, store_uploaded_image
from ..models import Article, ArticlePath, Byline, Image, TaggedArticle
from ..models.stories import refuse_null_characters
from ..publishing import check_transition, record_publications, unpublish_article
from ..rendering import (
    LIBRARY_IMAGE_MARK,
    find_link_warnings,
    markdown_to_unsafe_html,
    remember_unsafe_html,
)
from ..story_checks import editorial_problems, problems_as_todos
from . import jekyll, new_stories
from .assets import AssetCopier, rewrite_links
from .jekyll import POST_LINK_PREFIX
from .post_reader import PostReader, ReadPost, may_have_link_warnings
from .render_ahead import RenderAhead
from .report import ImportReport
from .subjects import Subjects

BATCH_SIZE = 200


@dataclass
class Written:
    """A story written this run, as its to-dos need it once the whole blog is in."""

    source: str
    has_section: bool
    has_byline: bool
    body_digest: bytes
    # ``rendering.markdown_to_unsafe_html`` of the body written, zlib-compressed (None: made
    # when needed).
    checked_html: bytes | None


class JekyllImporter:
    """One import run over one site directory; ``run()`` returns the report."""

    def __init__(
        self, site_dir: Path, *, dry_run: bool = False, site_url: str = "", time_zone: str = ""
    ):
        self.site_dir = Path(site_dir)
        self.dry_run = dry_run
        self.report = ImportReport(dry_run=dry_run)
        config = jekyll.read_site_config(self.site_dir)
        old_site_urls = {site_url.rstrip("/"), config.url}
        old_site_urls |= {url.replace("http://", "https://", 1) for url in old_site_urls}
        self.assets = AssetCopier(
            self.site_dir, site_urls=tuple(sorted(filter(None, old_site_urls))), dry_run=dry_run
        )
        self.reader = PostReader(
            self.site_dir,
            config=config,
            old_site_urls=old_site_urls,
            assets=self.assets,
            report=self.report,
            time_zone=time_zone,
        )
        self._advise_settings(config, time_zone)
        self.batch_articles: dict[str, Article] | None = None
        self.render_ahead = RenderAhead(batches=0)
        self.subjects = Subjects(
            report=self.report,
            newsroom_names=config.newsroom_names | {settings.NEWSROOM_BYLINE.casefold()},
            people=config.authors,
            assets=self.assets,
        )
        self.lead_images: dict[Path, Image] = {}
        # Stories written this run, by their post's identity.
        self.written: dict[str, Written] = {}

    def _advise_settings(self, config: jekyll.SiteConfig, time_zone: str) -> None:
        """Say which settings differ from the blog's own, for a newsroom that is this blog."""
        blog_zone = config.timezone or time_zone
        if config.title and config.title != settings.SITE_NAME:
            self.report.advice.append(
                gettext("The blog is called “%(title)s”: set SITE_NAME if the site should be too.")
                % {"title": config.title}
            )
        if blog_zone and blog_zone != settings.TIME_ZONE:
            self.report.advice.append(
                gettext(
                    "The blog's time zone is %(zone)s (its dates and old addresses follow it): "
                    "set TIME_ZONE to show dates in it."
                )
                % {"zone": blog_zone}
            )

    def run(self, *, progress=None) -> ImportReport:
        """Import every post; ``progress(done, total)`` is called after each one."""
        files = self.reader.post_files()
        if self.dry_run:
            with transaction.atomic():
                with search.index_updates_deferred():
                    self._import_files(files, progress, 0, len(files))
                self._finish()
                transaction.set_rollback(True)
        else:
            batches = [
                files[start : start + BATCH_SIZE] for start in range(0, len(files), BATCH_SIZE)
            ]
            with RenderAhead(batches=len(batches)) as self.render_ahead:
                for number, batch in enumerate(batches):
                    if self.render_ahead.enabled:
                        following = batches[number + 1] if number + 1 < len(batches) else []
                        self.render_ahead.submit(self.reader.bodies_to_render(following))
                    with transaction.atomic(), search.index_updates_deferred():
                        self._import_files(batch, progress, number * BATCH_SIZE, len(files))
            with transaction.atomic():
                self._finish()
        self.report.counts["images"] += self.assets.copied
        return self.report

    def _import_files(self, files, progress, done, total):
        sources = [path.relative_to(self.site_dir).as_posix() for path in files]
        self.reader.look_up_fingerprints(sources)
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
                post = self.reader.read(path, source)
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
            self.report.warn(
                source,
                gettext("old address %(path)s already leads to another story") % {"path": path},
                "path_taken",
            )
        self.report.counts["old_paths"] += result.old_paths

    def _import_read_post(self, post: ReadPost) -> new_stories.NewStory | None:
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
        post = self.reader.read(path, source)
        if post is None:
            return
        article = self._find_article(post)
        if article.pk is None:
            self.report.counts["created"] += 1
            self._save_article(article, post)
        else:
            self._update_article(article, post)

    def _find_article(self, post: ReadPost) -> Article:
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
            gettext("every address for “%(slug)s” is taken by other stories")
            % {"slug": candidates[0]}
        )

    def _update_article(self, article: Article, post: ReadPost) -> None:
        if article.import_metadata.get("fingerprint") == post.fingerprint:
            self.report.counts["unchanged"] += 1
            return
        self.report.counts["updated"] += 1
        self._save_article(article, post)

    def _prepare_new_story(self, article: Article, post: ReadPost) -> new_stories.NewStory:
        """A new post checked and rendered as ``Article.save`` would, published as the old
        site published it (``publish_as_the_old_site_did``), unwritten.

        Everything that can refuse the post runs before the sections, authors and tags it
        names are created, so a refused post leaves nothing behind.
        """
        plan = self.reader.fill_fields(article, post)
        article.edit_version = 1  # what its first save would make it
        ahead = self.render_ahead.take(article.body)
        article.render_body(rendered_html=ahead[0] if ahead else None)
        refuse_null_characters(article)
        if plan.publish:
            publish_as_the_old_site_did(article, at=plan.shown_when)
        article.category = self.subjects.section(plan.section_name, post.source)
        article.lead_image = self._lead_image(post)
        self._remember(article, post, plan, checked_html=ahead[1] if ahead else None)
        return new_stories.NewStory(
            article=article,
            source=post.source,
            authors=[self.subjects.author(name) for name in plan.author_names],
            tags=[self.subjects.tag(name) for name in plan.tag_names],
            old_paths=self.reader.old_paths(post, plan) if plan.publish else [],
            publish=plan.publish,
        )

    def _save_article(self, article: Article, post: ReadPost) -> None:
        """Save one story with its byline, tags, organizations and old addresses, and publish it."""
        was_new = article.pk is None
        previous_html = article.body_html
        plan = self.reader.fill_fields(article, post)
        article.category = self.subjects.section(plan.section_name, post.source)
        if not plan.publish and not was_new and article.status == Article.Status.PUBLISHED:
            unpublish_article(article=article)
        if article.lead_image_id is None:
            article.lead_image = self._lead_image(post)
        newly_published = plan.publish and article.status != Article.Status.PUBLISHED
        if plan.publish:
            publish_as_the_old_site_did(article, at=plan.shown_when)
        article.save()
        self._remember(article, post, plan)
        self._set_bylines(article, plan.author_names, was_new)
        self._set_tags(article, plan.tag_names, was_new)
        found = article.attach_linked_organizations(previous_body_html=previous_html)
        self.report.counts["organizations"] += len(found)
        if plan.publish:
            self._record_old_paths(article, self.reader.old_paths(post, plan), post.source)
        if newly_published:
            record_publications(articles=[article])

    def _lead_image(self, post: ReadPost) -> Image | None:
        """The library image for the post's ``image`` (``header.image``, ``feature_image``),
        stored once per file per run; None when it names none or a file not in the site."""
        meta = post.post.front_matter
        header = meta.get("header") if isinstance(meta.get("header"), dict) else {}
        image = meta.get("image")
        if isinstance(image, dict):  # jekyll-seo-tag's ``image: {path: ...}``
            image = image.get("path")
        named = str(image or header.get("image") or meta.get("feature_image") or "").strip()
        if not named:
            return None
        source = self.assets.site_file(named)
        if source is None:
            self.report.warn(
                post.source,
                gettext("lead image not found in the site: %(path)s") % {"path": named},
                "image_missing",
            )
            return None
        if self.dry_run:
            return None  # a dry run copies no file
        if source not in self.lead_images:
            try:
                with source.open("rb") as handle:
                    self.lead_images[source] = store_uploaded_image(
                        file=File(handle, name=source.name), source=named[:200]
                    )
            # A picture the library refuses (not an image, too large) must not cost the post.
            except (ValidationError, ImageNotStored, OSError) as error:
                self.report.warn(
                    post.source,
                    gettext("lead image not imported: %(path)s (%(reason)s)")
                    % {"path": named, "reason": _reason(error)},
                    "image_missing",
                )
                return None
            self.report.counts["images"] += 1
        return self.lead_images[source]

    def _remember(self, article: Article, post: ReadPost, plan, *, checked_html=None) -> None:
        """Note a story written this run, for its to-dos once the whole blog is in, with the
        HTML its checks read (made with the reader's HTML, here or in the render-ahead
        worker) so they need no Markdown pass of their own."""
        if checked_html is None and LIBRARY_IMAGE_MARK not in article.body:
            checked_html = markdown_to_unsafe_html(article.body)  # just rendered: no new pass
        self.written[post.identity] = Written(
            post.source,
            plan.has_section,
            plan.has_byline,
            _digest(article.body),
            # Compressed: kept for every post until the last batch, memory must not grow
            # with the blog (a fifth of the size, 0.05 ms a post).
            zlib.compress(checked_html.encode()) if checked_html is not None else None,
        )

    def _finish(self) -> None:
        """Finish every story this run wrote, now that all the blog's posts are in.

        Links to the blog's own posts (``{% post_url %}``, ``{% link %}``, their old
        addresses) are pointed at the new stories; then links are checked and each story's
        to-dos worked out. A few queries per chunk of stories, whatever its size.
        """
        by_name = {identity.rsplit("/", 1)[-1]: identity for identity in self.written}
        identities = list(self.written)
        for start in range(0, len(identities), BATCH_SIZE):
            chunk = identities[start : start + BATCH_SIZE]
            articles = list(
                Article.objects.filter(import_metadata__jekyll_id__in=chunk).select_related(
                    "category", "lead_image"
                )
            )
            addresses = self._new_addresses(articles, by_name)
            changed = []
            for article in articles:
                written = self.written[article.import_metadata["jekyll_id"]]
                source = written.source
                if written.checked_html and written.body_digest == _digest(article.body):
                    remember_unsafe_html(
                        article.body, zlib.decompress(written.checked_html).decode()
                    )
                body = rewrite_links(
                    article.body, lambda url, addresses=addresses: _pointed(url, addresses)
                )
                if body != article.body:
                    article.body = body
                    article.render_body()
                    changed.append(article)
                if may_have_link_warnings(body):
                    for warning in find_link_warnings(body):
                        self.report.warn(source, str(warning), f"link_{warning.kind}")
                problems = editorial_problems(
                    article, has_section=written.has_section, has_byline=written.has_byline
                )
                article.todos = problems_as_todos(problems)
                self.report.todo(source, problems)
            Article.objects.bulk_update(articles, ["todos"])
            Article.objects.bulk_update(
                changed, ["body", "body_html", "word_count", "reading_time"]
            )
            if changed:
                # bulk_update sends no signal: readers may have been served the old links.
                story_pages.write_pages([article.pk for article in changed])
                cache_tags.stories_rewritten(changed)

    def _new_addresses(self, articles: list[Article], by_name: dict[str, str]) -> dict[str, str]:
        """The new address of every post and old address the stories' links name."""
        post_links, paths = set(), set()
        for article in articles:
            for url in _link_targets(article.body):
                if url.startswith(POST_LINK_PREFIX):
                    post_links.add(url.split("#", 1)[0])
                elif url.startswith("/") and not url.startswith(("//", "/media/", "/static/")):
                    paths.add(jekyll.normalize_old_path(urlsplit(url).path))
        links_to = defaultdict(list)
        for link in post_links:
            name = link.removeprefix(POST_LINK_PREFIX)
            base = name.rsplit("/", 1)[-1]
            links_to[by_name.get(base, name if "_posts/" in name else f"_posts/{name}")].append(
                link
            )
        found = {}
        for target in Article.objects.filter(
            import_metadata__jekyll_id__in=list(links_to)
        ).select_related("category"):
            for link in links_to[target.import_metadata["jekyll_id"]]:
                found[link] = target.get_absolute_url()
        for old in ArticlePath.objects.filter(
            path__in=paths, article__in=Article.objects.published()
        ).select_related("article__category"):
            found[old.path] = old.article.get_absolute_url()
        return found

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

    def _record_old_paths(self, article, paths, source):
        taken = dict(ArticlePath.objects.filter(path__in=paths).values_list("path", "article_id"))
        for path, owner in taken.items():
            if owner != article.pk:
                self.report.warn(
                    source,
                    gettext("old address %(path)s already leads to another story") % {"path": path},
                    "path_taken",
                )
        new_paths = [ArticlePath(path=path, article=article) for path in paths if path not in taken]
        ArticlePath.objects.bulk_create(new_paths)
        self.report.counts["old_paths"] += len(new_paths)


def _link_targets(body: str) -> list[str]:
    targets = []
    rewrite_links(body, lambda url: targets.append(url))
    return targets


def _pointed(url: str, addresses: dict[str, str]) -> str | None:
    """The new address for a link to one of the blog's posts, or None to leave it."""
    if url.startswith(POST_LINK_PREFIX):
        link, hash_mark, fragment = url.partition("#")
        new = addresses.get(link)
        return new + hash_mark + fragment if new else None
    if not url.startswith("/"):
        return None
    parts = urlsplit(url)
    new = addresses.get(jekyll.normalize_old_path(parts.path))
    return new + (f"#{parts.fragment}" if parts.fragment else "") if new else None


def publish_as_the_old_site_did(article: Article, *, at) -> None:
    """Make a story published as its post was, without ``publish_article``'s checks.

    What the story lacks does not hold it back (the old site published it): it becomes its
    to-dos instead. ``at`` is the post's date; a story published before keeps its state.
    """
    if article.status != Article.Status.PUBLISHED:
        check_transition(article=article, user=None, to_status=Article.Status.PUBLISHED)
        article.status = Article.Status.PUBLISHED
    article.published_at = at or article.published_at or timezone.now()
    article.embargoed_until = None


def _digest(body: str) -> bytes:
    return hashlib.blake2b(body.encode(), digest_size=16).digest()


def _reason(error: Exception) -> str:
    if isinstance(error, jekyll.JekyllPostError | ValueError):
        return str(error)
    messages = getattr(error, "messages", None)
    return "; ".join(messages) if messages else f"{type(error).__name__}: {error}"


def import_site(
    site_dir, *, dry_run: bool = False, site_url: str = "", time_zone: str = "", progress=None
) -> ImportReport:
    """Import a Jekyll site directory; see ``JekyllImporter``."""
    importer = JekyllImporter(site_dir, dry_run=dry_run, site_url=site_url, time_zone=time_zone)
    return importer.run(progress=progress)
