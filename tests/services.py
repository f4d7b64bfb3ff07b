"""The tests' own service processes on 127.0.0.1: a PostgreSQL cluster in a temporary folder,
redis-servers, an S3 server (moto) and gunicorn instances of the site. Tests that break a
service break one of these, never the machine's shared PostgreSQL or Redis."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT
from tests.test_caching_processes import wait_until_serving

PG_BIN = Path("/usr/lib/postgresql/15/bin")
# initdb and postgres refuse to run as root; in a root container they run as "postgres".
PG_USER = "postgres" if os.geteuid() == 0 else None


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, what: str, timeout: float = 20) -> None:
    """Return once something accepts connections on ``port``; fail if ``process`` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{what} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"{what} did not listen on {port} within {timeout} s")


def stop(process: subprocess.Popen) -> None:
    """Terminate a process we started and wait for it."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class PostgresCluster:
    """A PostgreSQL 15 cluster of its own in a new temporary folder, listening on ``port``."""

    def __init__(self, port: int):
        if not (PG_BIN / "initdb").exists():
            pytest.skip(f"PostgreSQL 15's initdb is not at {PG_BIN}")
        # Not under pytest's own temporary folder: the server's user must be able to reach it.
        self.root, self.port = Path(tempfile.mkdtemp(prefix="newsroom-pg-")), port
        self.data = self.root / "data"
        if PG_USER:
            shutil.chown(self.root, PG_USER)
        self._run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def _run(self, program: str, *args) -> None:
        subprocess.run(
            [PG_BIN / program, *map(str, args)], check=True, capture_output=True, user=PG_USER
        )

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", self.data, "-o", options, "-l", self.root / "log", "-w", "start")

    def stop(self) -> None:
        """Stop the server at once, as a crash or a restart would cut readers off."""
        self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        """Delete the cluster's folder (after ``stop``)."""
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, name: str = "newsroom") -> str:
        """The DATABASE_URL of a database in this cluster."""
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def create_database(self, name: str = "newsroom") -> str:
        """Make a database and return its URL."""
        subprocess.run(
            [PG_BIN / "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name],
            check=True,
            capture_output=True,
        )
        return self.url(name)


class RedisServer:
    """A redis-server of its own; ``freeze`` makes it unreachable while keeping its data."""

    def __init__(self, port: int, folder: Path):
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed")
        self.port, self.folder, self.binary = port, folder, binary
        folder.mkdir(parents=True, exist_ok=True)
        self.process = None

    def start(self) -> None:
        """Start (or restart) the server, reloading what ``stop`` saved."""
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--dir", str(self.folder), "--dbfilename", "dump.rdb", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        wait_for_port(self.port, self.process, "redis-server")

    def stop(self, *, keep_data: bool = False) -> None:
        """Stop the server; with ``keep_data`` its data comes back on the next ``start``."""
        if keep_data:
            import redis

            redis.Redis(port=self.port).save()
        stop(self.process)

    def freeze(self) -> None:
        """Stop answering (connections time out) without losing anything: a network cut."""
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        """Answer again, with everything it held before ``freeze``."""
        self.process.send_signal(signal.SIGCONT)

    def url(self, db: int = 0) -> str:
        """The REDIS_URL of one of its databases."""
        return f"redis://127.0.0.1:{self.port}/{db}"


class S3Server:
    """moto's standalone S3-compatible server, as a separate process."""

    def __init__(self, port: int):
        binary = Path(sys.executable).with_name("moto_server")
        if not binary.exists():
            pytest.skip("moto_server is not installed (pip install 'moto[server]')")
        self.port, self.binary, self.process = port, binary, None

    @property
    def endpoint(self) -> str:
        """The endpoint URL clients talk to."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the server (empty: moto keeps nothing across restarts)."""
        self.process = subprocess.Popen(
            [self.binary, "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, self.process, "moto_server")

    def stop(self) -> None:
        """Stop the server."""
        stop(self.process)

    def client(self):
        """A boto3 S3 client on this server."""
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def create_bucket(self, name: str, *, public: bool = False) -> None:
        """Make a bucket; ``public`` lets anyone read its objects (as docker-compose.yml's
        MinIO bucket: the site's pictures, under random names)."""
        client = self.client()
        client.create_bucket(Bucket=name)
        if public:
            statement = {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{name}/*",
            }
            client.put_bucket_policy(
                Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]})
            )

    def keys(self, bucket: str) -> list[str]:
        """Every object name in a bucket, sorted."""
        listed = self.client().list_objects_v2(Bucket=bucket)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def environment(self, bucket: str, **extra) -> dict[str, str]:
        """The site's environment variables for media in ``bucket`` on this server."""
        return {
            "AWS_STORAGE_BUCKET_NAME": bucket,
            "AWS_S3_ENDPOINT_URL": self.endpoint,
            "AWS_S3_REGION_NAME": "us-east-1",
            "AWS_S3_ADDRESSING_STYLE": "path",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_S3_TIMEOUT": "1",
            **extra,
        }


def site_environment(**variables) -> dict[str, str]:
    """The environment of a site process started by a test (plain HTTP on 127.0.0.1)."""
    return dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="tests.settings",
        SECURE_COOKIES="0",
        PYTHONPATH=str(PROJECT_ROOT),
        **variables,
    )


def manage(env: dict[str, str], *args: str) -> str:
    """Run a manage.py command with ``env``; return its output."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


class AppInstance:
    """The site under gunicorn, one worker unless told otherwise."""

    def __init__(self, env: dict[str, str], *, workers: int = 1):
        self.env, self.workers = env, workers
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self) -> None:
        """Start gunicorn and wait until it serves a page."""
        self.spawn()
        self.wait()

    def spawn(self) -> None:
        """Start gunicorn without waiting (several instances start side by side)."""
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "newsroom.wsgi:application"]
            + ["--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers)]
            + ["--log-level", "warning", "--timeout", "60"],
            cwd=PROJECT_ROOT,
            env=self.env,
        )

    def wait(self) -> None:
        """Return once the instance serves a page."""
        wait_until_serving(self.base, self.process)

    def stop(self) -> None:
        """Stop gunicorn and its workers."""
        self.signal_stop()
        stop(self.process)

    def signal_stop(self) -> None:
        """Ask gunicorn to quit at once (SIGQUIT: no graceful wait for idle workers)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)

    def worker_pids(self) -> list[int]:
        """The process ids of gunicorn's workers (the master's children)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]


def get(url: str, opener=None):
    """GET ``url``: ``(status, headers, text)``, for error statuses too."""
    try:
        with (opener or urllib.request.build_opener()).open(url, timeout=15) as response:
            return response.status, response.headers, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode(errors="replace")


def admin_post(opener, cookies, base: str, path: str, **fields) -> str:
    """POST a form to the admin at ``base`` with the session's CSRF token; the answer's text."""
    token = next(cookie.value for cookie in cookies if cookie.name == "csrftoken")
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields}, doseq=True).encode()
    request = urllib.request.Request(
        f"{base}{path}", data=data, headers={"Referer": f"{base}/admin/"}
    )
    with opener.open(request, timeout=30) as response:
        return response.read().decode()


def admin_upload(opener, cookies, base: str, path: str, files: dict, **fields) -> str:
    """POST a multipart form (``files``: field name to ``(file name, bytes)``) to the admin."""
    token = next(cookie.value for cookie in cookies if cookie.name == "csrftoken")
    boundary = f"----newsroom{time.monotonic_ns()}"
    parts = []
    for name, value in {"csrfmiddlewaretoken": token, **fields}.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, content) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    request = urllib.request.Request(
        f"{base}{path}",
        data=b"".join(parts),
        headers={
            "Referer": f"{base}/admin/",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    with opener.open(request, timeout=30) as response:
        return response.read().decode()
