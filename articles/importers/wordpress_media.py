"""A WordPress site's attachments: into the media library, and the body's references to them.

Files are taken from a copy of ``wp-content/uploads`` (``--uploads``) or, when asked,
downloaded from the old site (``--download``), and stored with ``store_uploaded_image``, the
path every upload takes (decoded, re-encoded, size limits, no hidden code). A file that is
missing or refused is listed and never stops the import; references to it stay as they were.
References to the old uploads (any size variant, ``photo-300x200.jpg``) lead to the library
image: ``![alt](image:42)`` for images, the stored file's address for links.
"""

import html
import io
import re
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..images import ImageNotStored, store_uploaded_image
from ..models import Image

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp"}
# WordPress's resized copies: photo-300x200.jpg, photo-scaled.jpg, photo-e1393452123456.jpg.
_SIZE_SUFFIX = re.compile(r"-(?:\d+x\d+|scaled|e\d{10,})(?=\.[A-Za-z0-9]+$)")
DOWNLOAD_TIMEOUT = 20


@dataclass
class Attachment:
    """An attachment item of the export and the library image it became, if any."""

    post_id: str
    url: str
    key: str
    title: str = ""
    alt: str = ""
    caption: str = ""
    parent: str = ""
    image: Image | None = None


def upload_key(url: str) -> str | None:
    """The file's path inside ``uploads`` for an address of an uploaded file, else None."""
    parts = urlsplit(url.strip())
    path = unquote(parts.path)
    if "/wp-content/uploads/" in path:
        return path.split("/wp-content/uploads/", 1)[1]
    # WordPress.com serves uploads from <site>.files.wordpress.com/<yyyy>/<mm>/<name>.
    if parts.netloc.endswith(".files.wordpress.com"):
        return path.lstrip("/")
    if path.startswith("/files/"):
        return path.removeprefix("/files/")
    return None


@dataclass
class MediaMap:
    """Attachments by id and by file, for one import run."""

    uploads_dir: Path | None = None
    download: bool = False
    dry_run: bool = False
    attachments: dict[str, Attachment] = field(default_factory=dict)
    _by_key: dict[str, Attachment] = field(default_factory=dict)
    copied: int = 0
    missing: list[tuple[str, str]] = field(default_factory=list)

    def add(self, attachment: Attachment) -> None:
        """Know an attachment of the export (before any body refers to it)."""
        self.attachments[attachment.post_id] = attachment
        if attachment.key:
            self._by_key.setdefault(attachment.key, attachment)
            self._by_key.setdefault(_SIZE_SUFFIX.sub("", attachment.key), attachment)

    def find(self, url: str) -> Attachment | None:
        """The attachment an address points at, in any of its sizes."""
        key = upload_key(url or "")
        if key is None:
            return None
        return self._by_key.get(key) or self._by_key.get(_SIZE_SUFFIX.sub("", key))

    @staticmethod
    def is_image(attachment: Attachment) -> bool:
        """Whether the attachment's file is a picture the library could take."""
        return PurePosixPath(attachment.key).suffix.lower() in IMAGE_SUFFIXES

    def store(self, attachment: Attachment) -> bool:
        """Bring one attachment's file into the library; False (and listed) when it cannot."""
        label = f"{attachment.post_id} {attachment.key or attachment.url}"
        if not self.is_image(attachment):
            self.missing.append((label, _("not an image: left at its old address")))
            return False
        try:
            data = self._read(attachment)
        except OSError as error:
            self.missing.append((label, str(error)))
            return False
        if data is None:
            self.missing.append((label, _("file not found")))
            return False
        self.copied += 1
        if self.dry_run:
            return True
        upload = io.BytesIO(data)
        upload.name = PurePosixPath(attachment.key).name
        try:
            attachment.image = store_uploaded_image(
                file=upload,
                alt=attachment.alt[:500],
                caption=attachment.caption,
                source=attachment.url[:300],
            )
        except (ValidationError, ImageNotStored) as error:
            self.copied -= 1
            reason = "; ".join(getattr(error, "messages", [str(error)]))
            self.missing.append((label, _("refused: %(reason)s") % {"reason": reason}))
            return False
        return True

    def _read(self, attachment: Attachment) -> bytes | None:
        if self.uploads_dir is not None and attachment.key:
            root = self.uploads_dir.resolve()
            source = (root / attachment.key).resolve()
            if source.is_relative_to(root) and source.is_file():
                return source.read_bytes()
        if self.download and attachment.url.startswith(("http://", "https://")):
            limit = settings.IMAGE_MAX_UPLOAD_BYTES
            # Only http(s) addresses reach here; urlopen follows redirects to http(s) only.
            with urllib.request.urlopen(attachment.url, timeout=DOWNLOAD_TIMEOUT) as response:  # noqa: S310
                data = response.read(limit + 1)
            if len(data) > limit:
                raise OSError(_("larger than %(limit)s bytes") % {"limit": limit})
            return data
        return None

    def image_markdown(self, src: str, alt: str, body) -> str:
        """An ``<img>`` of the body as Markdown: the library image when we have it."""
        attachment = self.find(src)
        alt = self._alt(alt, attachment, src, body)
        if attachment is not None and attachment.image is not None:
            return f"![{alt}](image:{attachment.image.pk})"
        return f"![{alt}](<{src}>)" if src else ""

    def figure_markdown(self, src: str, alt: str, caption: str, body) -> str:
        """An image with its caption, alone in its paragraph so it renders as a figure."""
        attachment = self.find(src)
        alt = self._alt(alt, attachment, src, body)
        image = attachment.image if attachment is not None else None
        if image is not None:
            if caption and not image.caption:
                # The library figure shows the library's caption: give the image this one.
                image.caption = caption
                image.save(update_fields=["caption"])
            if not caption or caption == image.caption:
                return f"\n\n![{alt}](image:{image.pk})\n\n"
            src = image.file.url
        figure = f'<figure><img src="{html.escape(src)}" alt="{html.escape(alt)}">'
        if caption:
            figure += f"<figcaption>{html.escape(caption)}</figcaption>"
        return f"\n\n{figure}</figure>\n\n"

    def attachment_markdown(self, post_id: str, body) -> str:
        """A gallery's image by attachment id."""
        attachment = self.attachments.get(post_id)
        if attachment is None:
            body.warnings.append(
                _("the gallery names attachment %(id)s, not in the export") % {"id": post_id}
            )
            return ""
        return self.figure_markdown(attachment.url, "", attachment.caption, body).strip()

    def file_url(self, href: str) -> str:
        """A link to an old upload points at the stored file instead."""
        attachment = self.find(href)
        if attachment is not None and attachment.image is not None:
            return attachment.image.file.url
        return href

    def _alt(self, alt: str, attachment: Attachment | None, src: str, body) -> str:
        alt = (alt or "").strip()
        if not alt and attachment is not None:
            alt = attachment.alt or attachment.title
            if alt and not attachment.alt:
                body.warnings.append(
                    _("an image had no alt text; its title was used: “%(alt)s”") % {"alt": alt}
                )
        if not alt:
            alt = PurePosixPath(urlsplit(src).path).stem.replace("-", " ").replace("_", " ")
            body.warnings.append(
                _("an image had no alt text; its file name was used: “%(alt)s”") % {"alt": alt}
            )
        return alt.replace("[", "(").replace("]", ")").replace("\n", " ")
