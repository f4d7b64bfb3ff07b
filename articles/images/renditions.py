"""Renditions: resized and cropped copies of a library image, made once with Pillow and reused.

They are made when an image is stored (``articles.images.library.save_image``), never while a
page is served: pages read the ``Rendition`` rows (prefetched) and build URLs from them.
"""

import math
import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects
from PIL import Image as PillowImage

from ..models import Image, Rendition
from .uploads import encode

WIDTHS = (320, 640, 1024, 1600)
# Named crops: a social card (Open Graph, 1.91:1) and a square thumbnail.
CROPS = {"card": (1200, 630), "square": (400, 400)}
QUALITY = {"WEBP": 80, "JPEG": 82, "PNG": 0}
EXTENSIONS = {"WEBP": "webp", "JPEG": "jpg", "PNG": "png"}


@dataclass(frozen=True)
class RenditionSpec:
    """What to make: ``width`` alone keeps the ratio; a ``crop`` fills its box."""

    width: int
    format: str
    crop: str = ""

    @property
    def name(self) -> str:
        """The spec as stored on the row and in the file name, e.g. ``w640.webp``."""
        prefix = f"{self.crop}-" if self.crop else "w"
        return f"{prefix}{self.width}.{EXTENSIONS[self.format]}"


def fallback_format(image: Image) -> str:
    """The format for browsers without WebP: PNG for PNG originals, JPEG for the rest."""
    return "PNG" if image.file.name.endswith(".png") else "JPEG"


def rendition_widths(original_width: int) -> list[int]:
    """The widths to make for an original: the standard ones below it, plus its own up to 1600."""
    widths = {width for width in WIDTHS if width < original_width}
    widths.add(min(original_width, WIDTHS[-1]))
    return sorted(widths)


def specs_for(image: Image) -> list[RenditionSpec]:
    """Every rendition an image gets: widths in WebP and the fallback format, and the crops."""
    fallback = fallback_format(image)
    specs = [
        RenditionSpec(width, image_format)
        for width in rendition_widths(image.width)
        for image_format in ("WEBP", fallback)
    ]
    specs.append(RenditionSpec(CROPS["card"][0], fallback, crop="card"))
    specs += [RenditionSpec(CROPS["square"][0], fmt, crop="square") for fmt in ("WEBP", fallback)]
    return specs


def focal_crop_box(
    size: tuple[int, int], ratio: float, focal: tuple[float, float]
) -> tuple[int, int, int, int]:
    """The largest box of ``ratio`` (width/height) inside ``size``, centred on the focal point
    as far as the edges allow."""
    width, height = size
    if width / height > ratio:
        box_width, box_height = max(1, round(height * ratio)), height
    else:
        box_width, box_height = width, max(1, round(width / ratio))
    left = min(max(0, round(focal[0] * width - box_width / 2)), width - box_width)
    top = min(max(0, round(focal[1] * height - box_height / 2)), height - box_height)
    return left, top, left + box_width, top + box_height


def ensure_renditions(image: Image) -> list[Rendition]:
    """Make the renditions an image lacks and return all of them; existing ones are reused."""
    existing = {rendition.spec: rendition for rendition in image.renditions.all()}
    missing = [spec for spec in specs_for(image) if spec.name not in existing]
    if missing:
        for spec, picture in _draw(image, missing):
            existing[spec.name] = _store(image, spec, picture)
        # Later reads on this instance (a template, the Markdown renderer) see the new rows.
        image._prefetched_objects_cache = {}
        prefetch_related_objects([image], "renditions")
    return list(existing.values())


def delete_renditions(image: Image, *, crops_only: bool = False) -> None:
    """Remove renditions (rows and files), e.g. after the original or the focal point changed."""
    renditions = image.renditions.all()
    if crops_only:
        renditions = renditions.exclude(spec__startswith="w")
    for rendition in renditions:
        rendition.file.delete(save=False)
    renditions.delete()
    image._prefetched_objects_cache = {}


def _draw(image: Image, specs: list[RenditionSpec]):
    """Yield ``(spec, pixels)`` for each spec, decoding the original once."""
    with image.file.open("rb") as stored:
        source = PillowImage.open(stored)
        # JPEG decoders can scale down while decoding: much faster and lighter for big photos.
        source.draft(source.mode, _draft_size(image, specs))
        source.load()
    by_width = sorted((spec for spec in specs if not spec.crop), key=lambda s: -s.width)
    resized, previous = {}, source
    for spec in by_width:
        if spec.width not in resized:
            height = max(1, round(image.height * spec.width / image.width))
            # Each width is made from the next larger one: fast, and as sharp as from the source.
            previous = resized[spec.width] = previous.resize(
                (spec.width, height), PillowImage.Resampling.LANCZOS, reducing_gap=3.0
            )
        yield spec, resized[spec.width]
    for spec in specs:
        if spec.crop:
            target_width, target_height = CROPS[spec.crop]
            box = focal_crop_box(
                source.size, target_width / target_height, (image.focal_x, image.focal_y)
            )
            region = source.crop(box)
            if region.width > target_width:
                region = region.resize(
                    (target_width, target_height), PillowImage.Resampling.LANCZOS, reducing_gap=3.0
                )
            yield spec, region


def _draft_size(image: Image, specs: list[RenditionSpec]) -> tuple[int, int]:
    """The smallest size the decoder may reduce a JPEG to and still feed every spec."""
    needed = 0.0
    for spec in specs:
        if spec.crop:
            target_width, target_height = CROPS[spec.crop]
            left, top, right, bottom = focal_crop_box(
                (image.width, image.height), target_width / target_height, (0.5, 0.5)
            )
            needed = max(needed, target_width / (right - left), target_height / (bottom - top))
        else:
            needed = max(needed, spec.width / image.width)
    needed = min(needed, 1.0)
    return math.ceil(image.width * needed), math.ceil(image.height * needed)


def _store(image: Image, spec: RenditionSpec, picture: PillowImage.Image) -> Rendition:
    stem = image.file.name.rsplit("/", 1)[-1].split(".", 1)[0]
    content = ContentFile(encode(picture, spec.format, quality=QUALITY[spec.format]))
    storage = Rendition._meta.get_field("file").storage
    # A fresh token per file: a remade rendition (new focal point, new original) gets a new
    # URL, so browsers and CDNs may cache every rendition forever.
    stem_of_spec, extension = spec.name.rsplit(".", 1)
    token = uuid.uuid4().hex[:8]
    name = storage.save(f"images/renditions/{stem}/{stem_of_spec}-{token}.{extension}", content)
    try:
        with transaction.atomic():
            return Rendition.objects.create(
                image=image, spec=spec.name, file=name, width=picture.width, height=picture.height
            )
    except IntegrityError:
        # Another worker made the same rendition meanwhile: keep theirs, drop our copy.
        storage.delete(name)
        return Rendition.objects.get(image=image, spec=spec.name)
