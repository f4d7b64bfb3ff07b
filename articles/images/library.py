"""The media library's operations: storing an upload, saving changes, finding images by id,
and what a page needs to show one (``picture_context``)."""

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


@transaction.atomic
def save_image(
    *, image: Image, prepared: PreparedImage | None = None, user=None, recrop: bool = False
) -> Image:
    """Save a library image; with ``prepared``, replace its file. Renditions follow: all are
    remade after a new file, the crops after a focal point change (``recrop``)."""
    image.full_clean(exclude=["file"])
    if prepared is not None:
        if image.pk:
            delete_renditions(image)
            image.file.delete(save=False)
        image.file.save(prepared.filename, prepared.as_file(), save=False)
        image.width, image.height = prepared.width, prepared.height
        image.original_filename = prepared.original_filename
        if user is not None and user.is_authenticated:
            image.uploaded_by = user
    elif recrop:
        delete_renditions(image, crops_only=True)
    image.save()
    ensure_renditions(image)
    return image


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
    image: Image, *, alt: str | None = None, sizes: str = DEFAULT_SIZES, eager: bool = False
) -> dict:
    """Everything a ``<picture>`` needs, from prefetched renditions only (no query, no decoding)."""
    by_format: dict[str, list] = {}
    for rendition in image.renditions.all():
        if rendition.spec.startswith("w"):
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
