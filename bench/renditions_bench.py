"""Time making every rendition of a 24-megapixel photo, and the memory it takes.

Run from the repository root: ``python bench/renditions_bench.py``. It uses a throwaway SQLite
database and media folder, so it touches nothing else.
"""

import io
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def photo_bytes(width=6000, height=4000) -> bytes:
    """A photo-like JPEG: smooth gradients under fine noise, like a real sensor's output."""
    from PIL import Image as PillowImage

    vertical = PillowImage.linear_gradient("L")
    horizontal = vertical.transpose(PillowImage.Transpose.ROTATE_90)
    noise = PillowImage.effect_noise((width, height), 40)
    base = PillowImage.merge(
        "RGB", (horizontal.resize((width, height)), vertical.resize((width, height)), noise)
    )
    photo = PillowImage.blend(base, PillowImage.merge("RGB", (noise, noise, noise)), 0.25)
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def main():
    workdir = tempfile.mkdtemp(prefix="renditions-bench-")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{workdir}/bench.sqlite3",
        MEDIA_ROOT=f"{workdir}/media",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    from articles.images import ensure_renditions, prepare_upload, save_image
    from articles.models import Image

    call_command("migrate", verbosity=0)
    data = photo_bytes()
    print(f"source: 6000x4000 JPEG, {len(data) / 1e6:.1f} MB")

    started = time.perf_counter()
    prepared = prepare_upload(SimpleUploadedFile("photo.jpg", data))
    checked = time.perf_counter()
    image = Image(alt="bench")
    save_image(image=image, prepared=prepared)
    stored = time.perf_counter()
    print(f"check + clean re-encode: {checked - started:.2f} s")
    print(f"store + {image.renditions.count()} renditions: {stored - checked:.2f} s")

    # The renditions alone, measured with tracemalloc (Pillow's pixel buffers are C memory that
    # tracemalloc does not see; ru_maxrss below covers them).
    image.renditions.all().delete()
    image._prefetched_objects_cache = {}
    tracemalloc.start()
    started = time.perf_counter()
    ensure_renditions(image)
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"renditions only: {elapsed:.2f} s, tracemalloc peak {peak / 1e6:.1f} MB")
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"process peak RSS (ru_maxrss): {max_rss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
