"""Write every story back out as a Jekyll site, so a newsroom is never locked in.

Importing the export gives back the same stories, bylines, sections, tags, dates and bodies:
images go to ``assets/`` and are referenced as ``{{ site.url }}/assets/...`` like the original
blog did, and old addresses travel as ``permalink`` and ``redirect_from``.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from ..models import Article
from .assets import stored_files_in

PERMALINK = "/:categories/:year/:month/:day/:title"
_LITERAL_LIQUID = re.compile(r"({{|{%)")
_TOC_MARKER = re.compile(r"^\[TOC\][ \t]*$", re.MULTILINE)
# Later than any scheduled story; published(at=...) then also returns the scheduled ones.
_FAR_FUTURE = datetime(9000, 1, 1, tzinfo=UTC)


@dataclass
class ExportResult:
    """How much an export wrote."""

    stories: int = 0
    images: int = 0


class JekyllExporter:
    """Writes ``_config.yml``, ``_posts/``, ``_drafts/`` and ``assets/`` into ``out_dir``."""

    def __init__(self, out_dir: Path):
        self.out_dir = Path(out_dir)
        self.result = ExportResult()
        self._assets: dict[str, str] = {}

    def run(self) -> ExportResult:
        """Export every story; existing files of the same name are overwritten."""
        for folder in ("_posts", "_drafts", "assets/images"):
            (self.out_dir / folder).mkdir(parents=True, exist_ok=True)
        self._write_config()
        # Stories readers see now or will see at their scheduled time; the rest are unpublished.
        public_ids = set(Article.objects.published(at=_FAR_FUTURE).values_list("pk", flat=True))
        # Byline and tags as a public list reads them, and the Markdown that lists leave out.
        stories = (
            Article.objects.for_listing().defer(None).prefetch_related("old_paths").order_by("pk")
        )
        for article in stories.iterator(chunk_size=500):
            self._write_story(article, is_public=article.pk in public_ids)
            self.result.stories += 1
        return self.result

    def _write_config(self):
        config = {
            "title": settings.SITE_NAME,
            "tagline": settings.SITE_TAGLINE,
            "author": {"name": settings.SITE_NAME},
            "url": settings.SITE_URL,
            "permalink": PERMALINK,
        }
        (self.out_dir / "_config.yml").write_text(_yaml(config), encoding="utf-8")

    def _write_story(self, article: Article, *, is_public: bool):
        front = dict(article.import_metadata.get("front_matter") or {})
        front.setdefault("layout", "post")
        front["title"] = article.headline
        if article.dek:
            front["description"] = article.dek
        if article.summary:
            front["tagline"] = article.summary
        if article.category_id:
            front["category"] = article.category.name
        front["tags"] = sorted(tag.name for tag in article.tag_list)
        front["author"] = " + ".join(byline.author.name for byline in article.ordered_bylines)
        old_paths = sorted(article.old_paths.all(), key=lambda old: old.pk)
        if old_paths:
            front["permalink"] = old_paths[0].path
        if len(old_paths) > 1:
            front["redirect_from"] = [old.path for old in old_paths[1:]]
        # What the importer reads back into the story's flags (docs/migration.md).
        if not article.listed:
            front["hidden"] = True
        if not article.in_sitemaps:
            front["sitemap"] = False
        if article.published_at:
            when = timezone.localtime(article.published_at)
            front["date"] = _jekyll_time(when)
            if not is_public:
                front["published"] = False
            if article.revised_at and article.revised_at != article.published_at:
                front["last_modified_at"] = _jekyll_time(timezone.localtime(article.revised_at))
            path = self.out_dir / "_posts" / f"{when:%Y-%m-%d}-{article.slug}.md"
        else:
            path = self.out_dir / "_drafts" / f"{article.slug}.md"
        body = self._export_body(article.body)
        path.write_text(f"---\n{_yaml(front)}---\n{body}", encoding="utf-8")

    def _export_body(self, body: str) -> str:
        # Text that looks like Liquid must reach Jekyll as text, not as a tag.
        body = _LITERAL_LIQUID.sub(r"{% raw %}\1{% endraw %}", body)
        # The site's table of contents, written the way kramdown asks for one.
        body = _TOC_MARKER.sub("* TOC\n{:toc}", body)
        for url, name in stored_files_in(body):
            body = body.replace(url, "{{ site.url }}/" + self._copy_asset(name))
        return body

    def _copy_asset(self, name: str) -> str:
        if name not in self._assets:
            data = default_storage.open(name).read()
            relative = f"assets/images/{Path(name).name}"
            target = self.out_dir / relative
            if target.exists() and target.read_bytes() != data:
                relative = f"assets/images/{Path(name).parent.name}-{Path(name).name}"
                target = self.out_dir / relative
            target.write_bytes(data)
            self._assets[name] = relative
            self.result.images += 1
        return self._assets[name]


def _yaml(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)


def export_site(out_dir) -> ExportResult:
    """Export every story as a Jekyll site into ``out_dir``."""
    return JekyllExporter(out_dir).run()


def _jekyll_time(when: datetime) -> str:
    """A moment as front matter writes it, with its offset (a string to YAML, read by
    ``jekyll.parse_front_matter_date`` and by Jekyll alike)."""
    return when.strftime("%Y-%m-%d %H:%M:%S.%f %z" if when.microsecond else "%Y-%m-%d %H:%M:%S %z")
