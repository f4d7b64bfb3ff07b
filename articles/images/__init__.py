"""The media library: safe uploads, renditions, and what templates need to show an image."""

from .library import (
    DEFAULT_SIZES,
    ImageNotStored,
    delete_image,
    library_images,
    missing_alt_text,
    picture_context,
    save_image,
    store_uploaded_image,
)
from .renditions import delete_renditions, ensure_renditions, focal_crop_box, specs_for
from .uploads import PreparedImage, prepare_upload

__all__ = [
    "DEFAULT_SIZES",
    "ImageNotStored",
    "PreparedImage",
    "delete_image",
    "delete_renditions",
    "ensure_renditions",
    "focal_crop_box",
    "library_images",
    "missing_alt_text",
    "picture_context",
    "prepare_upload",
    "save_image",
    "specs_for",
    "store_uploaded_image",
]
