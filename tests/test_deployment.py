"""The production shape in docker-compose.yml and the Dockerfile: migrations run once per
deploy before any app instance starts, media go to MinIO with the bucket made at start, and
the container's health check is the liveness probe."""

import shutil
import subprocess

import pytest
import yaml

from tests.conftest import PROJECT_ROOT


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())


def test_migrations_run_once_in_their_own_service_before_the_app_starts(compose):
    services = compose["services"]
    migrate = services["migrate"]
    assert migrate["command"] == ["python", "manage.py", "migrate", "--no-input"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    app = services["app"]
    assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "migrate" not in str(app.get("command", ""))


def test_the_app_image_only_serves(compose):
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    [command] = [line for line in dockerfile.splitlines() if line.startswith("CMD")]
    assert "gunicorn" in command and "migrate" not in command


def test_media_go_to_minio_with_the_bucket_made_before_the_app_starts(compose):
    services = compose["services"]
    assert services["media"]["image"].startswith("minio/minio")
    make_bucket = services["createbucket"]
    assert make_bucket["depends_on"]["media"]["condition"] == "service_healthy"
    script = " ".join(make_bucket["entrypoint"])
    assert "mc mb --ignore-existing" in script
    app = services["app"]
    assert app["depends_on"]["createbucket"]["condition"] == "service_completed_successfully"
    environment = app["environment"]
    assert environment["AWS_S3_ENDPOINT_URL"] == "http://media:9000"
    assert environment["AWS_STORAGE_BUCKET_NAME"].startswith("${AWS_STORAGE_BUCKET_NAME")
    assert environment["SERVE_MEDIA"] == "0"


def test_the_containers_health_check_is_liveness_not_readiness(compose):
    check = " ".join(compose["services"]["app"]["healthcheck"]["test"])
    assert "/healthz" in check and "/readyz" not in check


def test_docker_compose_accepts_the_file(tmp_path):
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip("docker-compose is not installed")
    done = subprocess.run(
        [binary, "-f", str(PROJECT_ROOT / "docker-compose.yml"), "config", "-q"],
        env={"PATH": "/usr/bin:/bin:/usr/local/bin", "SECRET_KEY": "x", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
