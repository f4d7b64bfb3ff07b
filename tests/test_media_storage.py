"""Media in an S3 bucket: a real S3-compatible server (moto's, a separate process on
127.0.0.1) holds the originals and renditions; every upload rule holds there too."""

import io
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import Image as PillowImage

from articles.images import ensure_renditions, picture_context, prepare_upload, store_uploaded_image
from articles.models import Image, Rendition
from tests.factories import ArticleFactory, UserFactory, image_upload
from tests.services import S3Server, free_port
from tests.test_admin import change_form_data
from tests.test_image_uploads import GPS_IFD, jpeg_with_gps, png_header_claiming
from tests.test_settings import read_settings


@pytest.fixture(scope="module")
def s3():
    """moto's S3 server on its own port for this module."""
    server = S3Server(free_port())
    server.start()
    yield server
    server.stop()


def use_bucket(settings, server: S3Server, **options) -> str:
    """Point the media storage at a new bucket on ``server``, as the settings do from the
    AWS_* variables; return the bucket's name."""
    from botocore.config import Config

    bucket = f"media-{uuid.uuid4().hex[:12]}"
    server.create_bucket(bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": server.endpoint,
                "region_name": "us-east-1",
                "access_key": "testing",
                "secret_key": "testing",
                "client_config": Config(
                    s3={"addressing_style": "path"},
                    connect_timeout=1,
                    read_timeout=1,
                    retries={"max_attempts": 1},
                ),
                "querystring_auth": False,
                "default_acl": None,
                "file_overwrite": False,
                **options,
            },
        },
    }
    return bucket


@pytest.fixture
def bucket(settings, s3):
    return use_bucket(settings, s3)


def test_the_settings_select_the_bucket_from_the_environment():
    result = read_settings(
        "s.STORAGES['default']['BACKEND'], sorted(s.STORAGES['default']['OPTIONS'].items())",
        DEBUG="1",
        AWS_STORAGE_BUCKET_NAME="fotos",
        AWS_S3_ENDPOINT_URL="http://minio:9000",
        AWS_S3_CUSTOM_DOMAIN="media.gobiernofacil.test",
    )
    assert result.returncode == 0, result.stderr
    assert "storages.backends.s3.S3Storage" in result.stdout
    for expected in [
        "('bucket_name', 'fotos')",
        "('custom_domain', 'media.gobiernofacil.test')",
        "('default_acl', None)",
        "('endpoint_url', 'http://minio:9000')",
        "('querystring_auth', False)",
    ]:
        assert expected in result.stdout
    local = read_settings("s.STORAGES['default']['BACKEND']", DEBUG="1")
    assert local.stdout.strip() == "django.core.files.storage.FileSystemStorage"


def test_an_upload_goes_to_the_bucket_with_its_renditions_and_without_gps(db, s3, bucket):
    image = store_uploaded_image(file=image_upload("camara.jpg", jpeg_with_gps()), alt="Presa")

    stored = [image.file.name, *(r.file.name for r in image.renditions.all())]
    assert s3.keys(bucket) == sorted(stored)
    assert len(stored) > 5
    body = s3.client().get_object(Bucket=bucket, Key=image.file.name)["Body"].read()
    picture = PillowImage.open(io.BytesIO(body))
    assert not picture.getexif().get_ifd(GPS_IFD)
    assert b"GPSLatitude" not in body


def test_a_decompression_bomb_is_refused_and_nothing_reaches_the_bucket(db, s3, bucket):
    with pytest.raises(ValidationError):
        store_uploaded_image(file=image_upload("bomba.png", png_header_claiming(60_000, 60_000)))

    assert s3.keys(bucket) == []
    assert not Image.objects.exists()


def test_renditions_are_made_once_whatever_instance_asks_again(db, s3, bucket):
    image = store_uploaded_image(file=image_upload(size=(800, 600)), alt="Presa")
    keys = s3.keys(bucket)

    # Another process reads the same row and asks for the renditions: they exist already.
    again = ensure_renditions(Image.objects.get(pk=image.pk))

    assert s3.keys(bucket) == keys
    assert sorted(r.pk for r in again) == sorted(image.renditions.values_list("pk", flat=True))


def test_media_urls_are_the_cdns_when_a_custom_domain_is_set(db, settings, s3):
    use_bucket(settings, s3, custom_domain="cdn.gobiernofacil.test")
    image = store_uploaded_image(file=image_upload(size=(800, 600)), alt="Presa")

    context = picture_context(Image.objects.prefetch_related("renditions").get(pk=image.pk))

    assert context["src"].startswith("https://cdn.gobiernofacil.test/images/renditions/")
    for candidate in context["srcset"].split(", "):
        assert candidate.startswith("https://cdn.gobiernofacil.test/")
    assert "?" not in context["src"]


def test_deleting_an_image_in_the_admin_deletes_its_files_in_the_bucket(
    editor_client, s3, bucket, django_capture_on_commit_callbacks
):
    image = store_uploaded_image(file=image_upload(size=(800, 600)), alt="Presa")
    assert s3.keys(bucket)

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            reverse("admin:articles_image_delete", args=[image.pk]), {"post": "yes"}
        )

    assert response.status_code == 302
    assert not Image.objects.exists() and not Rendition.objects.exists()
    assert s3.keys(bucket) == []


@pytest.fixture
def vanishing_s3(settings):
    """A bucket on a server of this test's own, which the test stops."""
    server = S3Server(free_port())
    server.start()
    use_bucket(settings, server)
    yield server
    server.stop()


def test_storage_gone_during_an_upload_is_a_clear_message_and_leaves_no_rows(
    client, db, vanishing_s3
):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    article = ArticleFactory(headline="Antes")
    vanishing_s3.stop()

    response = client.post(
        reverse("admin:articles_image_add"),
        {"upload": image_upload(), "alt": "Foto", "focal_x": "0.5", "focal_y": "0.5"},
        follow=True,
    )

    assert response.status_code == 200
    [message] = [str(message) for message in response.context["messages"]]
    assert "No se pudo guardar la imagen (el almacén de imágenes no respondió)" in message
    assert not Image.objects.exists() and not Rendition.objects.exists()
    # The story's own edits do not need the media store.
    response = client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        change_form_data(article, headline="Después"),
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.headline == "Después"


def test_a_prepared_upload_is_the_same_whatever_the_storage(db, s3, bucket):
    """The checks run before storage is touched: the bucket gets exactly the cleaned bytes."""
    prepared = prepare_upload(image_upload("camara.jpg", jpeg_with_gps()))
    image = store_uploaded_image(file=image_upload("camara.jpg", jpeg_with_gps()))

    body = s3.client().get_object(Bucket=bucket, Key=image.file.name)["Body"].read()
    assert body == prepared.content


def test_readiness_reports_a_media_store_that_does_not_answer_as_degraded(client, db, vanishing_s3):
    assert client.get("/readyz").json()["checks"]["storage"] == "ok"
    vanishing_s3.stop()

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "checks": {"database": "ok", "cache": "ok", "storage": "failing"},
    }
    assert client.get("/healthz").status_code == 200
