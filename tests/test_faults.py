"""Faults a production site meets: a full disk during an upload, a database connection that
dies in the middle of a save, concurrent writers."""

import errno
import os
import threading

import pytest
from django.core.files.storage import FileSystemStorage
from django.db import connection, connections
from django.urls import reverse

from articles.images import ImageNotStored, store_uploaded_image
from articles.models import Article, Image, Rendition
from tests.factories import UserFactory, image_upload


class DiskFullStorage(FileSystemStorage):
    """A real file system storage on a disk with ``free_bytes`` left: the write that passes the
    limit leaves a partial file and fails with ENOSPC, as the operating system would."""

    def __init__(self, *args, free_bytes=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.free_bytes = free_bytes

    def _save(self, name, content):
        data = content.read()
        path = self.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as file:
            file.write(data[: max(self.free_bytes, 0)])
        self.free_bytes -= len(data)
        if self.free_bytes < 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)
        return name


def stored_files(root):
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


@pytest.fixture
def disk_with(settings):
    """Make the default storage a disk with the given number of bytes free."""

    def fill(free_bytes):
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "tests.test_faults.DiskFullStorage",
                "OPTIONS": {"free_bytes": free_bytes},
            },
        }

    return fill


@pytest.mark.threat(43)
@pytest.mark.parametrize("free_bytes", [100, 40_000], ids=["original", "renditions"])
def test_t43_a_full_disk_leaves_no_image_and_no_files(db, disk_with, settings, free_bytes):
    disk_with(free_bytes)

    with pytest.raises(ImageNotStored):
        store_uploaded_image(file=image_upload(size=(1600, 1000)), alt="Foto")

    assert not Image.objects.exists() and not Rendition.objects.exists()
    assert stored_files(settings.MEDIA_ROOT) == []


@pytest.mark.threat(43)
def test_t43_a_full_disk_while_replacing_keeps_the_old_picture(db, disk_with, settings):
    image = store_uploaded_image(file=image_upload(size=(800, 600)), alt="Foto")
    before = stored_files(settings.MEDIA_ROOT)
    disk_with(100)
    image.refresh_from_db()

    from articles.images import prepare_upload, save_image

    with pytest.raises(ImageNotStored):
        save_image(image=image, prepared=prepare_upload(image_upload(size=(900, 700))))

    image.refresh_from_db()
    assert image.file.storage.exists(image.file.name)
    assert stored_files(settings.MEDIA_ROOT) == before
    assert image.renditions.count() > 0


@pytest.mark.threat(43)
def test_t43_a_full_disk_in_the_admin_is_a_message_not_a_500(client, db, disk_with, settings):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    disk_with(100)

    response = client.post(
        reverse("admin:articles_image_add"),
        {"upload": image_upload(), "alt": "Foto", "focal_x": "0.5", "focal_y": "0.5"},
        follow=True,
    )

    assert response.status_code == 200
    assert any(
        "could not be stored" in str(message) or "no se pudo" in str(message).lower()
        for message in response.context["messages"]
    )
    assert not Image.objects.exists()
    assert stored_files(settings.MEDIA_ROOT) == []


def kill_own_connection_after_the_story_row(sender, instance, **kwargs):
    """Terminate this request's PostgreSQL backend from a second connection, as a restart would."""
    backend_pid = connection.connection.info.backend_pid
    killer = connections.create_connection("default")
    try:
        with killer.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [backend_pid])
    finally:
        killer.close()


@pytest.mark.threat(67)
@pytest.mark.django_db(transaction=True)
def test_t67_a_connection_killed_mid_save_leaves_no_half_saved_story(client):
    if connection.vendor != "postgresql":
        pytest.skip("killing a database connection needs PostgreSQL")
    import reversion
    from django.db.models.signals import post_save

    from tests.factories import ArticleFactory
    from tests.test_admin import change_form_data

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    article = ArticleFactory(headline="Antes", tags=["antes"])
    client.raise_request_exception = False
    post_save.connect(kill_own_connection_after_the_story_row, sender=Article)
    try:
        response = client.post(
            reverse("admin:articles_article_change", args=[article.pk]),
            change_form_data(article, headline="Después", tags="después, otra"),
        )
    finally:
        post_save.disconnect(kill_own_connection_after_the_story_row, sender=Article)

    # A lost connection is "try again shortly" (newsroom/unavailable.py), not a bug's 500.
    assert response.status_code == 503
    assert response["Retry-After"]
    article.refresh_from_db()
    assert article.headline == "Antes"
    assert list(article.tags.names()) == ["antes"]
    # Opening the edit keeps a baseline of the old text; nothing of the new one was recorded.
    recorded = reversion.models.Version.objects.get_for_object(article)
    assert not recorded.filter(object_repr="Después").exists()
    # The next request gets a fresh connection.
    assert (
        client.get(reverse("admin:articles_article_change", args=[article.pk])).status_code == 200
    )


@pytest.mark.threat(68)
def test_t68_concurrent_writers_on_sqlite_wait_instead_of_failing(tmp_path, django_db_blocker):
    from django.db.backends.sqlite3.base import DatabaseWrapper

    from tests.test_settings import read_settings

    path = tmp_path / "concurrency.sqlite3"
    result = read_settings(
        "repr(s.DATABASES['default'])", DEBUG="1", DATABASE_URL=f"sqlite:///{path}"
    )
    printed = eval(result.stdout)  # noqa: S307 (our own settings, printed by repr)
    settings_dict = connections.configure_settings({"default": printed})["default"]

    def open_database():
        return DatabaseWrapper({**settings_dict}, alias="concurrency")

    setup = open_database()
    with django_db_blocker.unblock(), setup.cursor() as cursor:
        cursor.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, writer INTEGER, n INTEGER)")
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    setup.close()
    errors = []

    def write(writer):
        database = open_database()
        try:
            for n in range(30):
                with database.cursor() as cursor:
                    cursor.execute("BEGIN IMMEDIATE")
                    cursor.execute("SELECT count(*) FROM note")
                    cursor.execute("INSERT INTO note (writer, n) VALUES (%s, %s)", [writer, n])
                    cursor.execute("COMMIT")
        except Exception as error:  # noqa: BLE001 (any failure is the finding)
            errors.append(error)
        finally:
            database.close()

    threads = [threading.Thread(target=write, args=(writer,)) for writer in range(8)]
    with django_db_blocker.unblock():
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert errors == []
    check = open_database()
    with django_db_blocker.unblock(), check.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM note")
        assert cursor.fetchone()[0] == 240
    check.close()
