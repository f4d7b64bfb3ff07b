"""Two app processes sharing one Redis and one database behave as one site: a change made
through one process's admin shows on the other's next request, with both caches warm."""

import http.cookiejar
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest
from django.db import connection

from tests.conftest import PROJECT_ROOT
from tests.factories import ArticleFactory, UserFactory

REDIS = ("127.0.0.1", 6379)
REDIS_DB = 13

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


def redis_is_reachable() -> bool:
    try:
        socket.create_connection(REDIS, timeout=0.5).close()
    except OSError:
        return False
    return True


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def shared_database_url(tmp_path) -> str:
    """The test database, as other processes can open it (SQLite: copied to a file)."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        return (
            f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
            f"{settings['PORT'] or 5432}/{settings['NAME']}"
        )
    path = tmp_path / "shared.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(path) as copy:
        connection.connection.backup(copy)
    return f"sqlite:///{path}"


@pytest.fixture
def story_and_editor():
    """A published story and an editor, committed before the servers open the database.

    The editor is a superuser: the flush after a transactional test drops the role groups.
    """
    editor = UserFactory(is_staff=True, is_superuser=True)
    story = ArticleFactory(headline="El agua de la ciudad")
    return story, editor


@pytest.fixture
def neighbour(story_and_editor):
    """A story of the same section, whose page lists the story among its related stories."""
    story, _editor = story_and_editor
    return ArticleFactory(headline="Las presas del norte", category=story.category)


@pytest.fixture(params=["1", "0"], ids=["page-cache", "no-page-cache"])
def two_processes(request, tmp_path, story_and_editor, neighbour):
    """Start two gunicorn processes on one database and one Redis key prefix; stop them after.

    They start after ``story_and_editor``: on SQLite they read a copy of the test database.
    Without the page cache, the newest stories that related stories come from are still kept
    in each process's memory until the next change, and must follow the other's changes.
    """
    if not redis_is_reachable():
        pytest.skip("Redis is not listening on 127.0.0.1:6379; the shared-cache test needs it")
    import redis

    prefix = f"test-two-processes-{uuid.uuid4().hex}"
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=shared_database_url(tmp_path),
        REDIS_URL=f"redis://{REDIS[0]}:{REDIS[1]}/{REDIS_DB}",
        CACHE_KEY_PREFIX=prefix,
        PAGE_CACHE=request.param,
        SECURE_COOKIES="0",  # the servers speak plain HTTP on 127.0.0.1
        PYTHONPATH=str(PROJECT_ROOT),
    )
    servers = [start_gunicorn(env) for _ in range(2)]
    try:
        for process, base in servers:
            wait_until_serving(base, process)
        yield [base for _, base in servers]
    finally:
        for process, _ in servers:
            process.terminate()
            process.wait(timeout=10)
        store = redis.Redis(host=REDIS[0], port=REDIS[1], db=REDIS_DB)
        for key in store.scan_iter(match=f"{prefix}:*"):
            store.delete(key)


def start_gunicorn(env) -> tuple[subprocess.Popen, str]:
    """A gunicorn process (one worker) with this environment on a free port, and its address;
    the caller waits for it (``wait_until_serving``) and stops it."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "newsroom.wsgi:application"]
        + ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--log-level", "warning"],
        cwd=PROJECT_ROOT,
        env=env,
    )
    return process, f"http://127.0.0.1:{port}"


def wait_until_serving(base, process, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server at {base} exited with {process.returncode}")
        try:
            urllib.request.urlopen(f"{base}/robots.txt", timeout=2).close()
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"the server at {base} did not answer within {timeout} s")


def fetch(url) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def related_stories_on(url) -> str:
    """The related-stories block of a story page (empty when there is none)."""
    found = re.search(r'<aside class="related-stories".*?</aside>', fetch(url), re.DOTALL)
    return found.group(0) if found else ""


def admin_session(base, username, password):
    """An opener logged in to the admin at ``base`` (cookies and CSRF token handled)."""
    cookies = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
    login = opener.open(f"{base}/admin/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login).group(1)
    post(
        opener,
        f"{base}/admin/login/",
        base,
        token,
        username=username,
        password=password,
        next="/admin/",
    )
    return opener, cookies


def post(opener, url, base, token, **fields):
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields}).encode()
    request = urllib.request.Request(url, data=data, headers={"Referer": f"{base}/admin/"})
    return opener.open(request).read().decode()


def test_a_correction_and_an_unpublish_in_one_process_show_at_once_in_the_other(
    story_and_editor, neighbour, two_processes
):
    first, second = two_processes
    story, editor = story_and_editor
    path = story.get_absolute_url()
    neighbour_path = neighbour.get_absolute_url()
    for base in (first, second):
        for _ in range(2):  # the second request is served from the shared cache
            assert "El agua de la ciudad" in fetch(f"{base}/")
            assert "La cifra era 42" not in fetch(f"{base}{path}")
            assert "El agua de la ciudad" in related_stories_on(f"{base}{neighbour_path}")

    opener, cookies = admin_session(first, editor.username, "correct horse battery")
    token = next(cookie.value for cookie in cookies if cookie.name == "csrftoken")
    post(
        opener,
        f"{first}/admin/articles/article/{story.pk}/correct/",
        first,
        token,
        text="La cifra era 42.",
    )
    assert "La cifra era 42" in fetch(f"{second}{path}")

    post(
        opener,
        f"{first}/admin/articles/article/{story.pk}/transition/",
        first,
        token,
        to="unpublished",
    )
    assert "El agua de la ciudad" not in fetch(f"{second}/")
    assert "El agua de la ciudad" not in related_stories_on(f"{second}{neighbour_path}")
    with pytest.raises(urllib.error.HTTPError) as gone:
        fetch(f"{second}{path}")
    assert gone.value.code == 410
