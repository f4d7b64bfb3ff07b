"""Safe uploads: what gets into the media library, what is refused, and what is stripped."""

import io
import struct
import time
import tracemalloc
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from PIL import ExifTags
from PIL import Image as PillowImage

from articles.images import prepare_upload, store_uploaded_image
from articles.models import Image, Rendition
from tests.factories import UserFactory, image_bytes, image_upload

GPS_IFD = ExifTags.IFD.GPSInfo


def jpeg_with_gps(size=(400, 200), orientation=6):
    """A camera-like JPEG: GPS coordinates in EXIF, an orientation tag and XMP."""
    exif = PillowImage.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "Cámara"
    exif[GPS_IFD] = {1: "N", 2: (19.0, 25.0, 57.0), 3: "W", 4: (99.0, 7.0, 59.0)}
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>19,25N</exif:GPSLatitude></x:xmpmeta>'
    return image_bytes("JPEG", size=size, exif=exif.tobytes(), xmp=xmp)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_claiming(width, height):
    """A tiny PNG whose header claims a huge size: a decompression bomb's calling card."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


def stored_files(image):
    """Every file stored for an image: the original and each rendition."""
    return [image.file, *(rendition.file for rendition in image.renditions.all())]


def assert_refused(content, name="foto.jpg", code=None):
    with pytest.raises(ValidationError) as refused:
        prepare_upload(image_upload(name, content))
    if code:
        assert refused.value.code == code, refused.value.messages
    # Checked in the source language: the site's default language is Spanish.
    with translation.override("en"):
        return str(refused.value.messages[0])


@pytest.mark.parametrize(
    ("image_format", "mode", "stored_suffix"),
    [
        ("JPEG", "RGB", ".jpg"),
        ("JPEG", "L", ".jpg"),
        ("JPEG", "CMYK", ".jpg"),
        ("PNG", "RGBA", ".png"),
        ("PNG", "P", ".png"),
        ("GIF", "P", ".png"),
        ("WEBP", "RGB", ".webp"),
    ],
)
def test_every_accepted_format_is_stored_with_renditions(db, image_format, mode, stored_suffix):
    upload = image_upload("x", image_format=image_format, mode=mode, size=(700, 500))
    image = store_uploaded_image(file=upload, alt="Una gráfica")
    assert image.file.name.endswith(stored_suffix)
    assert (image.width, image.height) == (700, 500)
    with image.file.open("rb") as stored:
        assert PillowImage.open(stored).size == (700, 500)
    assert image.renditions.filter(spec="w640.webp").exists()


def test_animated_gif_keeps_its_first_frame_as_png(db):
    frames = [PillowImage.new("RGB", (60, 40), color) for color in ("red", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100)
    image = store_uploaded_image(file=image_upload("a.gif", buffer.getvalue()))
    with image.file.open("rb") as stored:
        picture = PillowImage.open(stored)
        assert picture.format == "PNG"
        assert picture.convert("RGB").getpixel((5, 5)) == (255, 0, 0)


def test_gps_exif_and_xmp_are_gone_from_every_stored_file(db):
    original = PillowImage.open(io.BytesIO(jpeg_with_gps()))
    assert original.getexif().get_ifd(GPS_IFD), "the test photo must carry GPS to begin with"

    image = store_uploaded_image(file=image_upload("camara.jpg", jpeg_with_gps()))

    files = stored_files(image)
    assert len(files) > 5
    for stored_file in files:
        with stored_file.open("rb") as stored:
            data = stored.read()
        picture = PillowImage.open(io.BytesIO(data))
        assert not picture.getexif().get_ifd(GPS_IFD), stored_file.name
        assert not picture.getexif(), stored_file.name
        assert "xmp" not in picture.info and "exif" not in picture.info, stored_file.name
        assert b"GPSLatitude" not in data and b"Exif\x00" not in data, stored_file.name


def test_exif_orientation_is_applied_before_it_is_stripped(db):
    image = store_uploaded_image(file=image_upload("retrato.jpg", jpeg_with_gps(size=(400, 200))))
    assert (image.width, image.height) == (200, 400)
    with image.file.open("rb") as stored:
        assert PillowImage.open(stored).size == (200, 400)


def test_stored_names_are_generated_and_the_original_name_is_only_sanitized_metadata(db):
    image = store_uploaded_image(file=image_upload("../../etc/<script>passwd .jpg"))
    assert image.file.name.startswith("images/originals/")
    assert "passwd" not in image.file.name and ".." not in image.file.name
    assert "<" not in image.original_filename and "/" not in image.original_filename


def test_uploader_is_recorded(db):
    user = UserFactory()
    image = store_uploaded_image(file=image_upload(), user=user, alt="Foto")
    assert image.uploaded_by == user and image.uploaded_at is not None


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("dibujo.jpg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("pagina.jpg", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"),
        ("shell.jpg", b"<?php system($_GET['c']); ?>"),
        ("script.jpg", b"#!/bin/sh\nrm -rf /\n"),
        ("falso.jpg", b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 10),
    ],
)
def test_files_that_are_not_images_are_refused(name, content):
    message = assert_refused(content, name)
    assert "JPEG" in message or "damaged" in message or "opened" in message


def test_image_formats_other_than_the_four_are_refused():
    assert_refused(image_bytes("BMP"), "foto.bmp", code="not_an_image")
    assert_refused(image_bytes("TIFF"), "foto.tif", code="not_an_image")


@pytest.mark.parametrize(
    "content",
    [
        image_bytes("GIF", mode="P") + b"<script>alert(document.cookie)</script>",
        image_bytes("JPEG") + b"<html><body onload=alert(1)>",
        image_bytes("JPEG", comment=b"<?php echo 'hola'; ?>"),
        image_bytes("PNG") + b"\n<SCRIPT src=//evil.example/x.js></SCRIPT>",
    ],
    ids=["gif-script-appended", "jpeg-html-appended", "jpeg-php-comment", "png-script-upper"],
)
def test_polyglots_carrying_markup_are_refused(content):
    message = assert_refused(content, code="polyglot")
    assert "HTML" in message


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_truncated_files_are_refused(image_format):
    content = image_bytes(image_format, size=(600, 400))
    assert_refused(content[: len(content) // 2], code="broken")


def test_zero_byte_file_is_refused():
    assert assert_refused(b"", code="empty") == "The file is empty."


def test_oversized_upload_is_refused_by_its_declared_size(settings):
    settings.IMAGE_MAX_UPLOAD_BYTES = 1000
    message = assert_refused(image_bytes(size=(300, 300)), code="too_large")
    assert "1000" in message or "KB" in message or "bytes" in message


def test_oversized_stream_without_a_size_is_not_read_in_full(settings):
    settings.IMAGE_MAX_UPLOAD_BYTES = 1024 * 1024

    class EndlessStream(io.RawIOBase):
        bytes_read = 0

        def read(self, size=-1):
            self.bytes_read += size
            return b"\xff" * size

    stream = EndlessStream()
    with pytest.raises(ValidationError) as refused:
        prepare_upload(stream)
    assert refused.value.code == "too_large"
    assert stream.bytes_read <= 2 * 1024 * 1024


def test_decompression_bomb_is_refused_quickly_without_decoding():
    bomb = png_header_claiming(100_000, 100_000)
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(ValidationError) as refused:
        prepare_upload(image_upload("bomba.png", bomb))
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert refused.value.code == "too_many_pixels"
    assert elapsed < 1.0
    assert peak < 5 * 1024 * 1024


def test_pixel_limit_is_read_from_the_settings_at_validation_time(settings):
    settings.IMAGE_MAX_PIXELS = 10_000
    message = assert_refused(image_bytes("PNG", size=(120, 100)), "a.png", code="too_many_pixels")
    assert "0.01 megapixels" in message
    assert PillowImage.MAX_IMAGE_PIXELS == 10_000
    settings.IMAGE_MAX_PIXELS = 50_000_000
    assert prepare_upload(image_upload("a.png", image_bytes("PNG", size=(120, 100)))).width == 120


def test_refused_upload_stores_nothing(db, settings):
    with pytest.raises(ValidationError):
        store_uploaded_image(file=image_upload("x.jpg", b"<html>"), alt="x")
    assert not Image.objects.exists() and not Rendition.objects.exists()
    assert not (settings.MEDIA_ROOT / "images").exists()


@pytest.mark.slow
def test_corpus_images_all_upload_cleanly(db, corpus_dir):
    paths = sorted((corpus_dir / "assets" / "images").iterdir())
    assert len(paths) >= 20
    for path in paths:
        image = store_uploaded_image(file=image_upload(path.name, path.read_bytes()), alt=path.stem)
        assert image.width > 0 and image.renditions.filter(spec__startswith="w").exists()
    assert Image.objects.count() == len(paths)
