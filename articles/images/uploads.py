"""Safe uploads: only real JPEG, PNG, GIF and WebP images get in, and never as they came.

Every accepted file is decoded and re-encoded by Pillow, so the stored bytes are Pillow's
output: anything hidden after or inside the image (a script, a second file, EXIF with GPS
coordinates, XMP) is gone. Files that carry markup are refused outright so the uploader learns
about it. Limits are read from the settings when a file is checked, never at import time.
"""

import contextlib
import io
import warnings
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _
from PIL import Image as PillowImage
from PIL import ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
# GIF animations are not kept: the first frame is stored and served as PNG, which is
# lossless, smaller than GIF once resized, and has no 256-colour palette to dither.
STORED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "GIF": "PNG", "WEBP": "WEBP"}
EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
MAGIC_NUMBERS = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")
# Markup that turns an image into an HTML or PHP polyglot. Long enough tokens that
# compressed pixel data practically never contains them by chance.
MARKUP_TOKENS = (b"<script", b"<?php", b"<html", b"<body", b"<iframe", b"<svg", b"javascript:")
READ_CHUNK = 256 * 1024


@dataclass(frozen=True)
class PreparedImage:
    """A checked upload re-encoded without metadata, ready to be stored."""

    content: bytes
    format: str
    width: int
    height: int
    original_filename: str

    @property
    def filename(self) -> str:
        """A name carrying only the stored format's extension (the path is generated)."""
        return f"image{EXTENSIONS[self.format]}"

    def as_file(self) -> ContentFile:
        """The cleaned bytes as a file Django's storage can save."""
        return ContentFile(self.content)


def prepare_upload(file) -> PreparedImage:
    """Check an uploaded file and re-encode it; raise ``ValidationError`` saying why if refused."""
    data = _read_within_limit(file)
    _refuse_non_images(data)
    picture = _open_within_pixel_limit(data)
    stored_format = STORED_FORMATS[picture.format]
    picture = _normalize(picture)
    return PreparedImage(
        content=encode(picture, stored_format, quality=90),
        format=stored_format,
        width=picture.width,
        height=picture.height,
        original_filename=sanitize_filename(getattr(file, "name", "") or ""),
    )


def sanitize_filename(name: str) -> str:
    """The base name of an uploaded file, reduced to safe characters (kept as metadata only)."""
    try:
        return get_valid_filename(PurePath(name.replace("\\", "/")).name)[:200]
    except SuspiciousFileOperation:
        return ""


def encode(picture: PillowImage.Image, image_format: str, *, quality: int) -> bytes:
    """Encode pixels alone: no EXIF, XMP or comments, only the colour profile if there is one."""
    options = {}
    icc_profile = picture.info.get("icc_profile")
    if icc_profile:
        options["icc_profile"] = icc_profile
    if image_format == "JPEG":
        if picture.mode not in ("RGB", "L"):
            picture = picture.convert("RGB")
        options.update(quality=quality)
    elif image_format == "WEBP":
        options.update(quality=quality, method=4)
    buffer = io.BytesIO()
    picture.save(buffer, image_format, **options)
    return buffer.getvalue()


def _read_within_limit(file) -> bytes:
    limit = settings.IMAGE_MAX_UPLOAD_BYTES
    too_large = ValidationError(
        _("The file is too large; the limit is %(limit)s."),
        code="too_large",
        params={"limit": filesizeformat(limit)},
    )
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise too_large
    # A stream that cannot rewind (a pipe, a socket) is read from where it is.
    with contextlib.suppress(AttributeError, OSError):
        file.seek(0)
    chunks, total = [], 0
    # Read in chunks and stop past the limit: a file-like object without a reliable size
    # cannot make us hold more than the limit in memory.
    while chunk := file.read(READ_CHUNK):
        total += len(chunk)
        if total > limit:
            raise too_large
        chunks.append(chunk)
    if not total:
        raise ValidationError(_("The file is empty."), code="empty")
    return b"".join(chunks)


def _refuse_non_images(data: bytes) -> None:
    is_webp = data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    if not (is_webp or data.startswith(MAGIC_NUMBERS)):
        raise ValidationError(
            _(
                "This is not a JPEG, PNG, GIF or WebP image. Other files (SVG, HTML, documents) "
                "are refused even when their name ends in .jpg."
            ),
            code="not_an_image",
        )
    lowered = data.lower()
    if any(token in lowered for token in MARKUP_TOKENS):
        raise ValidationError(
            _("This image carries hidden web code (HTML or script) and was refused."),
            code="polyglot",
        )


def _open_within_pixel_limit(data: bytes) -> PillowImage.Image:
    max_pixels = settings.IMAGE_MAX_PIXELS
    too_many_pixels = ValidationError(
        _("The image is too large: at most %(megapixels)s megapixels are accepted."),
        code="too_many_pixels",
        params={"megapixels": f"{max_pixels / 1_000_000:g}"},
    )
    broken = ValidationError(
        _("The image could not be read: the file is damaged or incomplete."), code="broken"
    )
    PillowImage.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            # Pillow only warns between one and two times the limit; we refuse at the limit.
            warnings.simplefilter("ignore", PillowImage.DecompressionBombWarning)
            # open() reads the header only: the size is known before any pixel is decoded.
            header = PillowImage.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
            if header.width * header.height > max_pixels:
                raise too_many_pixels
            header.verify()
            picture = PillowImage.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
            picture.load()
    except PillowImage.DecompressionBombError as error:
        raise too_many_pixels from error
    except UnidentifiedImageError as error:
        raise ValidationError(
            _("This file is not an image that can be opened."), code="not_an_image"
        ) from error
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise broken from error
    if picture.width < 1 or picture.height < 1:
        raise broken
    return picture


def _normalize(picture: PillowImage.Image) -> PillowImage.Image:
    """Upright pixels in a mode every encoder takes, with the colour profile as only metadata."""
    upright = ImageOps.exif_transpose(picture)
    icc_profile = upright.info.get("icc_profile")
    if upright.mode not in ("RGB", "RGBA", "L"):
        has_alpha = upright.mode in ("RGBA", "LA", "PA", "La") or "transparency" in upright.info
        # A CMYK profile would be wrong for the converted RGB pixels.
        if upright.mode == "CMYK":
            icc_profile = None
        upright = upright.convert("RGBA" if has_alpha else "RGB")
    upright.info = {"icc_profile": icc_profile} if icc_profile else {}
    return upright
