"""No cache outage brings back a page a change made stale (issue 25).

Two app processes share one database and a Redis this test starts on its own port. Redis is
frozen (SIGSTOP: it keeps its data and answers nothing) while the desk unpublishes a story,
then continued; or one process is cut off from Redis (pointed at a port nobody listens on)
while it edits. Afterwards no process serves the old page, and the pages that do not show the
change are still the stored ones (their Last-Modified is the time they were first rendered).
"""

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.conftest import PROJECT_ROOT
from tests.factories import ArticleFactory, CategoryFactory
from tests.test_caching_processes import (
    fetch,
    free_port,
    shared_database_url,
    start_gunicorn,
    wait_until_serving,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

REDIS_SERVER = shutil.which("redis-server")


@pytest.fixture
def redis_port():
    """A redis-server of this test's own, on a free port; stopped (and continued first, if
    frozen) at the end."""
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        + ["--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while (
        subprocess.run(
            ["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True
        ).stdout.strip()
        != "PONG"
    ):
        assert time.monotonic() < deadline, "redis-server did not start"
        time.sleep(0.1)
    process.port = port
    yield process
    process.send_signal(signal.SIGCONT)
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def newsroom():
    """A story in one section and one in another, sharing nothing; committed before the
    servers open the database."""
    story = ArticleFactory(headline="El agua de la ciudad", category=CategoryFactory(slug="agua"))
    other = ArticleFactory(headline="El clásico", category=CategoryFactory(slug="deportes"))
    return story, other


def environment(tmp_path, redis_port: int) -> dict:
    return dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=shared_database_url(tmp_path),
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        CACHE_KEY_PREFIX="durability",
        PAGE_CACHE="1",
        SECURE_COOKIES="0",
        PYTHONPATH=str(PROJECT_ROOT),
    )


@pytest.fixture
def start_server():
    """Start a gunicorn process with an environment; all are stopped at the end."""
    started = []

    def start(env) -> str:
        process, base = start_gunicorn(env)
        started.append(process)
        wait_until_serving(base, process)
        return base

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=10)


def the_desk(env, code: str) -> None:
    """Run workflow code in a process of its own, configured like the app servers."""
    script = "import django; django.setup()\n" + code
    subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, env=env, check=True)


def last_modified(url) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.headers["Last-Modified"]


def status_of(url) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_story_unpublished_while_redis_is_frozen_never_comes_back(
    tmp_path, newsroom, redis_port, start_server
):
    story, other = newsroom
    env = environment(tmp_path, redis_port.port)
    servers = [start_server(env), start_server(env)]
    showing = ["/", "/feeds/rss/", "/secciones/agua/"]
    for base in servers:
        for _ in range(2):
            for path in showing:
                assert "El agua de la ciudad" in fetch(f"{base}{path}"), path
    other_section = {base: last_modified(f"{base}/secciones/deportes/") for base in servers}
    time.sleep(1.1)  # a page rendered again now has another Last-Modified

    redis_port.send_signal(signal.SIGSTOP)
    try:
        the_desk(
            env,
            "from articles.models import Article\n"
            "from articles.publishing import unpublish_article\n"
            f"unpublish_article(article=Article.objects.get(pk={story.pk}))\n",
        )
    finally:
        redis_port.send_signal(signal.SIGCONT)

    for base in servers:
        assert status_of(f"{base}{story.get_absolute_url()}") == 410
        for path in showing:
            assert "El agua de la ciudad" not in fetch(f"{base}{path}"), (base, path)
        # The page that never showed the story was not thrown away.
        assert last_modified(f"{base}/secciones/deportes/") == other_section[base]


def test_an_edit_on_an_instance_cut_off_from_redis_reaches_the_others(
    tmp_path, newsroom, redis_port, start_server
):
    story, other = newsroom
    env = environment(tmp_path, redis_port.port)
    cut_off = dict(env, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    connected = start_server(env)
    isolated = start_server(cut_off)
    for _ in range(2):
        assert "El agua de la ciudad" in fetch(f"{connected}{story.get_absolute_url()}")
        assert "El agua de la ciudad" in fetch(f"{connected}/")
    other_page = last_modified(f"{connected}{other.get_absolute_url()}")
    time.sleep(1.1)

    the_desk(
        cut_off,
        "from articles.models import Article\n"
        f"story = Article.objects.get(pk={story.pk})\n"
        "story.headline = 'El agua de la ciudad, corregida'\n"
        "story.save()\n",
    )

    for base in (connected, isolated):
        assert "la ciudad, corregida" in fetch(f"{base}{story.get_absolute_url()}"), base
        assert "la ciudad, corregida" in fetch(f"{base}/"), base
    assert last_modified(f"{connected}{other.get_absolute_url()}") == other_page
