"""Images of an imported site: copied into media storage, and back out on export.

Stored files are named by content (``imports/<hash>/<name>``), so importing the same image
twice stores it once, and a re-import of an exported site points at the very same file.
"""

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage

STORAGE_PREFIX = "imports"
ASSET_EXTENSIONS = {
    ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif", ".pdf", ".csv", ".xlsx", ".zip",
}  # fmt: skip

# A URL in a Markdown link or image, a reference definition, or an HTML src/href attribute.
_REFERENCE = re.compile(
    r"(?P<lead>\]\(\s*<?|^\s*\[[^\]]+\]:\s*<?|\b(?:src|href)\s*=\s*[\"'])(?P<url>[^\s)\"'<>]+)",
    re.MULTILINE,
)


def _is_asset(path: str) -> bool:
    return path.startswith("/assets/") or Path(path).suffix.lower() in ASSET_EXTENSIONS


@dataclass
class AssetCopier:
    """Copies a site's local files into media storage, once per file per run."""

    site_dir: Path
    site_urls: tuple[str, ...] = ()
    dry_run: bool = False
    copied: int = 0
    _urls: dict[Path, str] = field(default_factory=dict)

    def local_path(self, url: str) -> str | None:
        """The site-relative path of a URL on the old site, or None for anything external."""
        for site_url in self.site_urls:
            if site_url and url.startswith(site_url + "/"):
                url = url[len(site_url) :]
                break
        if not url.startswith("/") or url.startswith("//"):
            return None
        return unquote(urlsplit(url).path)

    def localize(self, body: str) -> tuple[str, list[str]]:
        """Point the body's local files at media storage; return it and the missing paths."""
        missing = []

        def replace(match):
            path = self.local_path(match.group("url"))
            if path is None or not _is_asset(path):
                return match.group(0)
            stored_url = self.store(path)
            if stored_url is None:
                missing.append(path)
                return match.group(0)
            return match.group("lead") + stored_url

        return _REFERENCE.sub(replace, body), missing

    def site_relative(self, body: str) -> str:
        """Make the body's full links to the old site's own pages site-relative, so they lead
        to the imported stories (their old addresses answer here) instead of the old host."""
        if not any(self.site_urls):
            return body

        def relative(url):
            for site_url in filter(None, self.site_urls):
                if url.startswith(site_url + "/") and not _is_asset(urlsplit(url).path):
                    return url[len(site_url) :]
            return None

        return rewrite_links(body, relative)

    def site_file(self, url: str) -> Path | None:
        """The file in the site that a path or old-site URL names, or None."""
        path = self.local_path(url if "://" in url else "/" + url.lstrip("/"))
        if path is None:
            return None
        root = self.site_dir.resolve()
        source = (root / path.lstrip("/")).resolve()
        return source if source.is_relative_to(root) and source.is_file() else None

    def store(self, path: str) -> str | None:
        """The media URL for a site file, copying it the first time; None if it is missing."""
        source = self.site_file(path)
        if source is None:
            return None
        if source not in self._urls:
            self._urls[source] = default_storage.url(self._save(source))
        return self._urls[source]

    def _save(self, source: Path) -> str:
        digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
        name = f"{STORAGE_PREFIX}/{digest}/{default_storage.get_valid_name(source.name)}"
        if default_storage.exists(name):
            return name
        self.copied += 1
        if self.dry_run:
            return name
        with source.open("rb") as handle:
            return default_storage.save(name, File(handle))


def rewrite_links(body: str, new_url) -> str:
    """The body with every link or image address ``url`` replaced by ``new_url(url)`` (None
    leaves it as it is)."""

    def replace(match):
        url = new_url(match.group("url"))
        return match.group(0) if url is None else match.group("lead") + url

    return _REFERENCE.sub(replace, body)


def stored_files_in(body: str) -> list[tuple[str, str]]:
    """``(url, storage name)`` for every reference in the body to a file in media storage."""
    prefix = settings.MEDIA_URL
    found = []
    for match in _REFERENCE.finditer(body):
        url = match.group("url")
        if url.startswith(prefix):
            name = unquote(url[len(prefix) :])
            if default_storage.exists(name):
                found.append((url, name))
    return found
