"""Issue 22, item 6: the Markdown guard holds in any server model. A 180 KB body (a
30,000-row table) and a slow one no size limit catches are refused within seconds in a
thread, under a threaded server (runserver) and under ASGI (uvicorn), not only in a main
thread where a timer signal could stop them."""

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from articles.rendering import MarkdownRefused, render_markdown
from tests.conftest import PROJECT_ROOT
from tests.factories import UserFactory
from tests.test_caching_processes import admin_session, shared_database_url, wait_until_serving

# 30,000 rows of a two-column table: 180 KB, under the length cap (36.8 s on a threaded server
# before the guard held there).
TABLE_30000_ROWS = "|a|b|\n|-|-|\n" + "|x|y|\n" * 30_000
# One table row of 20,000 cells: no size or shape limit catches it (about 20 s unguarded).
SLOW_ROW = "|a" * 20_000 + "\n" + "|-" * 20_000 + "\n"
# The issue's own words: "refused in a few seconds". The server's budget is its default 2 s.
FEW_SECONDS = 6
PORTS = {"threaded": 9221, "asgi": 9222}


def test_the_30000_row_table_is_refused_by_the_budget_before_rendering():
    assert len(TABLE_30000_ROWS.encode()) >= 180_000
    started = time.monotonic()

    with pytest.raises(MarkdownRefused) as refused:
        render_markdown(TABLE_30000_ROWS)

    assert refused.value.code == "too_many_lines"
    assert time.monotonic() - started < 1


def test_a_render_in_a_thread_that_is_not_the_main_one_is_stopped_in_time(settings):
    settings.MARKDOWN_RENDER_SECONDS = 0.5
    render_markdown("Un párrafo.")  # the worker starts once per process; not timed
    outcome = {}

    def render():
        started = time.monotonic()
        try:
            render_markdown(SLOW_ROW)
        except MarkdownRefused as error:
            outcome["code"] = error.code
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=render)
    thread.start()
    thread.join(timeout=60)

    assert outcome["code"] == "too_complex"
    assert outcome["seconds"] < 2


def test_threads_rendering_at_once_each_get_their_answer(settings):
    answers = {}

    def render(number):
        answers[number] = render_markdown(f"Párrafo **{number}**.")

    threads = [threading.Thread(target=render, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert answers == {n: f"<p>Párrafo <strong>{n}</strong>.</p>" for n in range(6)}


def server_command(kind, port):
    if kind == "threaded":
        return [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    return [sys.executable, "-m", "uvicorn", "newsroom.asgi:application"] + [
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]


@pytest.fixture(params=sorted(PORTS))
def server(request, tmp_path, django_db_blocker):
    """A threaded server or an ASGI one on this project, with a superuser to log in as."""
    with django_db_blocker.unblock():
        UserFactory(
            username="guardia", password="una clave larga", is_staff=True, is_superuser=True
        )
        database_url = shared_database_url(tmp_path)
    port = PORTS[request.param]
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=database_url,
        SECURE_COOKIES="0",
        PYTHONPATH=str(PROJECT_ROOT),
    )
    env.pop("REDIS_URL", None)
    process = subprocess.Popen(
        server_command(request.param, port),
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, process, timeout=60)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def preview(opener, base, body):
    """POST the body to the editor's preview; (status, JSON answer, seconds)."""
    page = opener.open(f"{base}/admin/articles/article/add/").read().decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    request = urllib.request.Request(
        f"{base}/admin/articles/article/preview/",
        data=urllib.parse.urlencode({"csrfmiddlewaretoken": token, "body": body}).encode(),
        headers={"Referer": f"{base}/admin/"},
    )
    started = time.monotonic()
    try:
        with opener.open(request, timeout=60) as response:
            status, content = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, content = error.code, error.read()
    return status, json.loads(content), time.monotonic() - started


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_pathological_bodies_are_refused_within_seconds_by_a_threaded_and_an_asgi_server(server):
    opener, _cookies = admin_session(server, "guardia", "una clave larga")
    # The first render starts the server's worker process; a reader never waits for that.
    assert preview(opener, server, "Un párrafo *normal*.")[0] == 200

    for body in (TABLE_30000_ROWS, SLOW_ROW):
        status, answer, seconds = preview(opener, server, body)
        assert status == 400, answer
        assert seconds < FEW_SECONDS
    # The server keeps working: the killed worker was replaced.
    status, answer, seconds = preview(
        opener, server, "Otro párrafo con [un enlace](https://a.mx/)."
    )
    assert status == 200
    assert '<a href="https://a.mx/"' in answer["html"]
