"""The media library's operations: storing an upload, saving changes, finding images by id,
and what a page needs to show one (``picture_context``)."""

import contextlib

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Image
from .renditions import delete_renditions, ensure_renditions
from .uploads import PreparedImage, prepare_upload

DEFAULT_SIZES = "(min-width: 50rem) 50rem, 100vw"
# The fallback <img src> for browsers that ignore srcset: sharp enough for a column of text.
FALLBACK_WIDTH = 1024


def store_uploaded_image(*, file, user=None, **metadata) -> Image:
    """Check, clean and store an uploaded file as a new library image with its renditions."""
    prepared = prepare_upload(file)
    return save_image(image=Image(**metadata), prepared=prepared, user=user)


class ImageNotStored(Exception):
    """The image's files could not be written (disk full, storage down); nothing was saved."""


def save_image(
    *, image: Image, prepared: PreparedImage | None = None, user=None, recrop: bool = False
) -> Image:
    """Save a library image; with ``prepared``, replace its file. Renditions follow: all are
    remade after a new file, the crops after a focal point change (``recrop``).

    All or nothing: if storage fails (a full disk, a media store that does not answer) the row
    is rolled back, the files written so far are removed (when the store still answers) and
    ``ImageNotStored`` is raised; a replaced file is only deleted once the new one is stored.
    """
    image.full_clean(exclude=["file"])
    was_new, previous_name = image.pk is None, image.file.name
    replaced_files = []
    try:
        with transaction.atomic():
            if prepared is not None:
                if image.pk:
                    replaced_files = [
                        previous_name,
                        *image.renditions.values_list("file", flat=True),
                    ]
                    image.renditions.all().delete()
                    image._prefetched_objects_cache = {}
                _store_original(image, prepared)
                if user is not None and user.is_authenticated:
                    image.uploaded_by = user
            elif recrop:
                delete_renditions(image, crops_only=True)
            image.save()
            ensure_renditions(image)
    except storage_errors() as error:
        if prepared is not None:
            with contextlib.suppress(*storage_errors()):
                _discard_files_of(image.file.name or "")
        image.file.name = previous_name
        if was_new:
            image.pk = None
        raise ImageNotStored(
            _("The image could not be stored (%(reason)s); nothing was saved. Try again later.")
            % {"reason": _failure_reason(error)}
        ) from error
    _delete_files(replaced_files)
    return image


def delete_image(*, image: Image) -> None:
    """Delete a library image, its renditions and their files (in a bucket or on disk).

    The files go once the rows are gone for good (after the commit): a rolled-back delete,
    e.g. of an image a story still leads with, keeps every file."""
    names = [image.file.name, *image.renditions.values_list("file", flat=True)]
    with transaction.atomic():
        image.delete()
        transaction.on_commit(lambda: _delete_files(names))


def _delete_files(names) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


def _failure_reason(error: Exception) -> str:
    # A disk says why (no space left); a bucket's error names internal addresses instead.
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return _("the media store did not answer")


def storage_errors() -> tuple[type[Exception], ...]:
    """What a failing storage raises: ``OSError`` on disk, botocore's errors for a bucket."""
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # installed without object storage support
        return (OSError,)
    return (OSError, BotoCoreError, ClientError)


def _store_original(image: Image, prepared: PreparedImage) -> None:
    field = image.file.field
    # Named before writing, so a partial file left by a failed write can be found and removed.
    image.file.name = field.generate_filename(image, prepared.filename)
    image.file.name = field.storage.save(
        image.file.name, prepared.as_file(), max_length=field.max_length
    )
    image.width, image.height = prepared.width, prepared.height
    image.original_filename = prepared.original_filename


def _discard_files_of(original_name: str) -> None:
    """Remove a failed save's original (even a partial one) and the renditions made from it."""
    if not original_name:
        return
    default_storage.delete(original_name)
    stem = original_name.rsplit("/", 1)[-1].split(".", 1)[0]
    folder = f"images/renditions/{stem}"
    if default_storage.exists(folder):
        for name in default_storage.listdir(folder)[1]:
            default_storage.delete(f"{folder}/{name}")


def library_images(ids) -> dict[int, Image]:
    """Library images by id, with their renditions, in two queries whatever their number."""
    return {
        image.pk: image for image in Image.objects.filter(pk__in=ids).prefetch_related("renditions")
    }


def missing_alt_text(article) -> list[str]:
    """What a story lacks in alt text: its lead image and each image in its body, by position."""
    from .. import rendering

    missing = []
    if article.lead_image_id and not article.lead_image.alt.strip():
        missing.append(_("alt text for the lead image"))
    # The rendered body is what readers get: library images already carry the library's alt
    # text there (or the editor's override), and every other image the alt typed in Markdown.
    for number, (_src, alt) in enumerate(rendering.images_in_html(article.body_html), start=1):
        if not (alt or "").strip():
            missing.append(_("alt text for image %(number)s in the body") % {"number": number})
    return missing


def picture_context(
    image: Image,
    *,
    alt: str | None = None,
    sizes: str = DEFAULT_SIZES,
    eager: bool = False,
    crop: str = "",
) -> dict:
    """Everything a ``<picture>`` needs, from prefetched renditions only (no query, no decoding).
    ``crop="square"`` shows the square crop around the focal point instead of the whole picture."""
    prefix = "square-" if crop == "square" else "w"
    by_format: dict[str, list] = {}
    for rendition in image.renditions.all():
        if rendition.spec.startswith(prefix):
            by_format.setdefault(rendition.media_type, []).append(rendition)
    webp = sorted(by_format.pop("image/webp", []), key=lambda rendition: rendition.width)
    fallback = sorted(next(iter(by_format.values()), []), key=lambda rendition: rendition.width)
    if fallback:
        src = next((r for r in fallback if r.width >= FALLBACK_WIDTH), fallback[-1]).file
        width, height = fallback[-1].width, fallback[-1].height
    else:
        src, width, height = image.file, image.width, image.height
    return {
        "sources": [{"type": "image/webp", "srcset": _srcset(webp)}] if webp else [],
        "src": src.url,
        "srcset": _srcset(fallback),
        "sizes": sizes,
        "width": width,
        "height": height,
        "alt": image.alt if alt is None else alt,
        "loading": "eager" if eager else "lazy",
    }


def _srcset(renditions) -> str:
    return ", ".join(f"{rendition.file.url} {rendition.width}w" for rendition in renditions)
