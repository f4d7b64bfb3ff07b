"""The README's two commands, run from a fresh clone of the repository."""

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow


def readme_commands():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    first_block = re.search(r"```sh\n(.*?)```", readme, re.DOTALL).group(1)
    return [line.split("#", 1)[0].strip() for line in first_block.strip().splitlines()]


@pytest.fixture
def fresh_clone(tmp_path):
    if shutil.which("git") is None or not (PROJECT_ROOT / ".git").exists():
        pytest.skip("needs git and a git checkout to clone from")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "--quiet", "--depth", "1", f"file://{PROJECT_ROOT}", str(clone)],
        check=True,
    )
    return clone


def clone_environment():
    # The clone reuses this suite's virtual environment: installing is what CI's own fresh run
    # of the same command checks; here the point is the clone's code and data.
    return {
        **os.environ,
        "NEWSROOM_VENV": sys.prefix,
        "NEWSROOM_SKIP_INSTALL": "1",
        "DATABASE_URL": "",
        "DJANGO_SETTINGS_MODULE": "",
        # What this suite sets for itself; the clone's demo takes its own from its .env.
        "NEWSROOM_IGNORE_DOTENV": "",
        "SECRET_KEY": "",
        "SITE_NAME": "",
        "SITE_TAGLINE": "",
        "TIME_ZONE": "",
    }


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_readme_opens_with_exactly_the_two_commands():
    assert readme_commands() == ["python3 dev.py run", "python3 dev.py test"]


@contextlib.contextmanager
def demo_served(clone):
    """Run the README's run command in ``clone``; yield its port and home page, then stop it."""
    port = free_port()
    env = {key: value for key, value in clone_environment().items() if value != ""}
    server = subprocess.Popen(
        [sys.executable, "dev.py", "run", "--address", f"127.0.0.1:{port}"],
        cwd=clone,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        home = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    home = response.read().decode()
                break
            except OSError:
                time.sleep(0.5)
        assert home is not None, server.stdout.read().decode() if server.poll() is not None else ""
        yield port, home
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


def test_run_command_serves_the_demo_newsroom_from_a_fresh_clone(fresh_clone):
    with demo_served(fresh_clone) as (port, home):
        assert "Organizaciones de la Sociedad Civil salen de la Alianza" in home
        story_path = re.search(r'href="(/transparencia/2017/05/24/[^"]+)"', home).group(1)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{story_path}") as response:
            story = response.read().decode()
        assert "Gobierno Fácil" in story and "Artículo 19" in story
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/") as response:
            assert response.status == 200


def readme_import_command():
    """The README's one line that imports a Jekyll blog into the demo."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    return re.search(r"^(\.venv/bin/python manage\.py import_jekyll) \S+$", readme, re.M).group(1)


def test_after_the_run_command_the_importer_works_with_no_extra_environment(fresh_clone, tmp_path):
    with demo_served(fresh_clone):
        pass  # the demo is set up and served: its .env is written
    blog = tmp_path / "blog"
    (blog / "_posts").mkdir(parents=True)
    (blog / "_posts" / "2019-12-31-un-ano.md").write_text(
        "---\ntitle: Un año\n---\n![](https://example.org/foto.png)\n", encoding="utf-8"
    )
    # The venv's python (the clone shares this suite's) and nothing but a shell's basics.
    command = readme_import_command().split()
    bare = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(tmp_path))}
    result = subprocess.run(
        [sys.executable, *command[1:], str(blog)],
        cwd=fresh_clone,
        env=bare,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert command[0] == ".venv/bin/python"
    assert "1" in result.stdout.splitlines()[0]
    shown = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from articles.models import Article; "
         "print(Article.objects.published().filter(slug='un-ano').count())"],
        cwd=fresh_clone, env=bare, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert shown.stdout.split()[-1] == "1", shown.stderr[-2000:]


def test_test_command_runs_the_suite_from_a_fresh_clone(fresh_clone):
    env = {key: value for key, value in clone_environment().items() if value != ""}
    result = subprocess.run(
        [
            sys.executable,
            "dev.py",
            "test",
            "tests/test_rendering.py",
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        cwd=fresh_clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert re.search(r"\d+ passed", result.stdout)
