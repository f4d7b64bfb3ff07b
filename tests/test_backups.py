"""docs/operations.md, end to end: each backup it describes is restored into a new, empty
database and a new, empty media folder, and the restored newsroom is the same one.

The restored copy is read by a child process (``tests/newsroom_snapshot.py``) pointed at it with
``DATABASE_URL`` and ``MEDIA_ROOT``, exactly as a restored site would be started.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import contextmanager
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from articles.models import ArticlePath, Byline
from articles.publishing import add_correction, publish_article
from tests.conftest import PROJECT_ROOT
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CategoryFactory,
    EditorFactory,
    ImageFactory,
    OrganizationFactory,
)
from tests.newsroom_snapshot import newsroom_snapshot

# The exclusions docs/operations.md gives for the JSON backup.
ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
DUMPDATA_EXCLUDES = ["contenttypes", "auth.permission", "admin.logentry", "sessions"]

# Committed data, so that other processes (pg_dump, the restored site) can read it.
pytestmark = pytest.mark.usefixtures("transactional_db")


@pytest.fixture
def newsroom(roles):
    """A newsroom worth restoring: an ordered byline with a role, tags, organizations, a lead
    image with its renditions (also placed in the body), a correction, revisions, an old
    address, a scheduled story and a draft; returns its snapshot."""
    editor = EditorFactory(username="editora")
    section = CategoryFactory(name="Transparencia", slug="transparencia")
    image = ImageFactory(user=editor, alt="La fachada del archivo")
    # Not in alphabetical order, so a restore that sorted the byline would show.
    authors = [
        AuthorFactory(name=name, slug=slug)
        for name, slug in [
            ("Zoe Ortiz", "zoe-ortiz"),
            ("Ana Ruiz", "ana-ruiz"),
            ("Luis Paz", "luis-paz"),
        ]
    ]
    story = ArticleFactory(
        headline="El archivo abre sus puertas",
        slug="el-archivo-abre",
        category=section,
        draft=True,
        body=f"La fachada:\n\n![](image:{image.pk})\n\nY [el informe](https://ciudadania.org.mx/x).",
        lead_image=image,
        authors=authors,
        tags=["archivos", "transparencia"],
        organizations=OrganizationFactory.create_batch(2),
    )
    Byline.objects.filter(article=story, author=authors[2]).update(role=Byline.Role.PHOTOS)
    publish_article(article=story, user=editor)
    add_correction(article=story, user=editor, text="El archivo abre a las 9, no a las 10.")
    ArticlePath.objects.create(path="/2017/05/24/el-archivo", article=story)
    publish_article(
        article=ArticleFactory(headline="Lo que viene", slug="lo-que-viene", draft=True),
        user=editor,
        at=timezone.now() + timedelta(days=2),
    )
    ArticleFactory(headline="Borrador", slug="borrador", draft=True)
    original = newsroom_snapshot()
    assert original["counts"]["auth.Group"] == 3
    # The content this test is about is really there (a snapshot of nothing proves nothing).
    assert original["stories"]["lo-que-viene"]["is_published"] is False
    assert original["stories"]["el-archivo-abre"]["byline"][2] == ["luis-paz", Byline.Role.PHOTOS]
    assert len(original["images"][image.file.name]["renditions"]) >= 2
    assert len(original["revisions"]) >= 3
    assert original["pages"]["/2017/05/24/el-archivo"] == [301, story.get_absolute_url()]
    assert original["pages"][story.get_absolute_url()] == [200, True]
    assert "<picture" in original["stories"]["el-archivo-abre"]["body_html"]
    return original


@pytest.mark.skipif(not ON_POSTGRESQL, reason="pg_dump backs up PostgreSQL; this run is on SQLite")
@pytest.mark.skipif(
    not (shutil.which("pg_dump") and shutil.which("pg_restore")),
    reason="pg_dump and pg_restore are not installed",
)
def test_postgresql_custom_dump_restores_into_a_new_database(newsroom, tmp_path):
    dump = tmp_path / "newsroom.dump"
    media_archive = tmp_path / "media.tgz"
    run_postgresql_tool(["pg_dump", "--format=custom", f"--file={dump}", source_database()])
    archive_media(media_archive)
    with new_postgresql_database() as (restored_name, restored_url):
        run_postgresql_tool(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored_name}", str(dump)]
        )
        restored_media = unpack_media(media_archive, tmp_path / "restored-media")
        restored = restored_snapshot(database_url=restored_url, media_root=restored_media)
    assert restored == newsroom


@pytest.mark.skipif(
    ON_POSTGRESQL, reason="the online backup is SQLite's; this run is on PostgreSQL"
)
@pytest.mark.skipif(not shutil.which("sqlite3"), reason="the sqlite3 shell is not installed")
def test_sqlite_online_backup_restores_into_a_new_file(newsroom, tmp_path):
    # The test database lives in memory; Python's backup API (the other way docs/operations.md
    # gives) makes the "live" file that the sqlite3 shell then backs up.
    live = tmp_path / "db.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(live) as live_file:
        connection.connection.backup(live_file)
    live_file.close()
    backup = tmp_path / "backup.sqlite3"
    subprocess.run(["sqlite3", str(live), f".backup '{backup}'"], check=True, timeout=60)
    media_archive = tmp_path / "media.tgz"
    archive_media(media_archive)
    restored_file = tmp_path / "restored.sqlite3"
    shutil.copyfile(backup, restored_file)
    restored_media = unpack_media(media_archive, tmp_path / "restored-media")
    restored = restored_snapshot(
        database_url=f"sqlite:///{restored_file}", media_root=restored_media
    )
    assert restored == newsroom


def test_json_backup_restores_into_a_new_database(newsroom, tmp_path):
    backup = tmp_path / "backup.json"
    call_command(
        "dumpdata",
        natural_foreign=True,
        exclude=DUMPDATA_EXCLUDES,
        indent=1,
        output=str(backup),
        stdout=StringIO(),
    )
    media_archive = tmp_path / "media.tgz"
    archive_media(media_archive)
    restored_media = unpack_media(media_archive, tmp_path / "restored-media")
    with new_empty_database(tmp_path) as restored_url:
        # The commands docs/operations.md gives: the flush empties what migrate filled (the
        # role groups), so the backup's rows keep their ids.
        for command in (
            ["migrate"],
            ["flush", "--no-input"],
            ["loaddata", str(backup)],
            ["rebuild_search_index"],
        ):
            run_project(
                [sys.executable, "manage.py", *command, "--verbosity=0"],
                database_url=restored_url,
                media_root=restored_media,
            )
        restored = restored_snapshot(database_url=restored_url, media_root=restored_media)
    # Django's JSON serializer writes times to the millisecond (docs/operations.md says so).
    assert with_times_to_the_millisecond(restored) == with_times_to_the_millisecond(newsroom)


def with_times_to_the_millisecond(snapshot: dict) -> dict:
    """The snapshot with the stories' publication times cut to milliseconds."""
    stories = {
        slug: {
            **story,
            "published_at": story["published_at"]
            and datetime.fromisoformat(story["published_at"])
            .replace(
                microsecond=datetime.fromisoformat(story["published_at"]).microsecond // 1000 * 1000
            )
            .isoformat(),
        }
        for slug, story in snapshot["stories"].items()
    }
    return {**snapshot, "stories": stories}


def archive_media(archive: Path) -> None:
    """The media folder into a tarball, with the command docs/operations.md gives."""
    subprocess.run(
        ["tar", "czf", str(archive), "-C", str(settings.MEDIA_ROOT), "."], check=True, timeout=60
    )


def unpack_media(archive: Path, media_root: Path) -> Path:
    """Unpack a media tarball into a new, empty folder."""
    media_root.mkdir()
    subprocess.run(["tar", "xzf", str(archive), "-C", str(media_root)], check=True, timeout=60)
    return media_root


def source_database() -> str:
    return connection.settings_dict["NAME"]


def postgresql_options() -> tuple[list[str], dict]:
    """Host, port and user of the test database, as arguments for the PostgreSQL tools."""
    database = connection.settings_dict
    arguments = [f"--host={database['HOST'] or '127.0.0.1'}", f"--port={database['PORT'] or 5432}"]
    if database["USER"]:
        arguments.append(f"--username={database['USER']}")
    environment = dict(os.environ)
    if database["PASSWORD"]:
        environment["PGPASSWORD"] = database["PASSWORD"]
    return arguments, environment


def run_postgresql_tool(command: list[str]) -> None:
    arguments, environment = postgresql_options()
    finished = subprocess.run(
        [command[0], *arguments, *command[1:]],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finished.returncode == 0, finished.stderr


@contextmanager
def new_postgresql_database():
    """A new, empty PostgreSQL database beside the test one, dropped afterwards."""
    database = connection.settings_dict
    name = f"{database['NAME']}_restored"
    run_postgresql_tool(["dropdb", "--if-exists", name])
    run_postgresql_tool(["createdb", name])
    url = (
        f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{name}"
    )
    try:
        yield name, url
    finally:
        run_postgresql_tool(["dropdb", "--if-exists", name])


@contextmanager
def new_empty_database(tmp_path):
    """A new, empty database of the kind the suite runs on; yields its ``DATABASE_URL``."""
    if connection.vendor == "postgresql":
        with new_postgresql_database() as (_name, url):
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"


def restored_snapshot(*, database_url: str, media_root: Path) -> dict:
    """The snapshot of the restored copy, read by a separate process as a new site would."""
    output = run_project(
        [sys.executable, "tests/newsroom_snapshot.py"],
        database_url=database_url,
        media_root=media_root,
    )
    return json.loads(output)


def run_project(command: list[str], *, database_url: str, media_root: Path) -> str:
    """Run a command from the project root against another database and media folder."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "CACHE_KEY_PREFIX"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(media_root),
        PYTHONPATH=str(PROJECT_ROOT),
    )
    finished = subprocess.run(
        command, cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, timeout=300
    )
    assert finished.returncode == 0, finished.stderr
    return finished.stdout
