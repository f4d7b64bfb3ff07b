#!/usr/bin/env python3
"""The two commands of the README, for a fresh machine with nothing but Python 3.11+.

    python3 dev.py run     set up a virtual environment, the demo newsroom on SQLite, and serve it
    python3 dev.py test    set up the same environment and run the whole test suite

The virtual environment lives in .venv (or wherever NEWSROOM_VENV points, which CI uses to keep
one between runs). It is reinstalled whenever pyproject.toml changes; NEWSROOM_SKIP_INSTALL=1
uses it as it is.
"""

import argparse
import hashlib
import os
import secrets
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
MINIMUM_PYTHON = (3, 11)


def venv_dir() -> Path:
    """Where the project's virtual environment lives."""
    return Path(os.environ.get("NEWSROOM_VENV") or ROOT / ".venv")


def venv_python() -> Path:
    """The virtual environment's interpreter."""
    scripts = "Scripts" if os.name == "nt" else "bin"
    return venv_dir() / scripts / ("python.exe" if os.name == "nt" else "python")


def ensure_environment() -> Path:
    """Create the virtual environment and install the project when anything changed."""
    if sys.version_info < MINIMUM_PYTHON:
        sys.exit(f"newsroom needs Python {'.'.join(map(str, MINIMUM_PYTHON))} or newer.")
    python = venv_python()
    if not python.exists():
        print(f"Creating a virtual environment in {venv_dir()} ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(venv_dir())
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + str(ROOT).encode()).hexdigest()
    stamp = venv_dir() / ".newsroom-installed"
    if os.environ.get("NEWSROOM_SKIP_INSTALL") == "1":
        # The test of these very commands reuses the suite's environment for a fresh clone.
        return python
    if not stamp.exists() or stamp.read_text() != wanted:
        print("Installing newsroom and its dependencies ...", flush=True)
        pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        subprocess.run([*pip, "--upgrade", "pip"], check=True)
        subprocess.run([*pip, "-e", f"{ROOT}[dev]"], check=True)
        stamp.write_text(wanted)
    return python


# The demo newsroom's own settings, written to .env so that `manage.py` works in this checkout
# with no variables (the settings read .env; variables set in the environment win).
DEMO_SETTINGS = {
    "DEBUG": "1",
    "SITE_NAME": "Gobierno Fácil",
    "SITE_TAGLINE": "Periodismo de datos",
    "TIME_ZONE": "America/Mexico_City",
}


def write_local_settings() -> Path:
    """Write .env for the demo once: a generated secret key, DEBUG on, the demo database."""
    path = ROOT / ".env"
    if not path.exists():
        lines = [
            "# Written by `python3 dev.py run` for the demo newsroom on this machine only.",
            f"SECRET_KEY={secrets.token_urlsafe(50)}",
            f"DATABASE_URL=sqlite:///{ROOT / 'db.sqlite3'}",
            *(f"{key}={value}" for key, value in DEMO_SETTINGS.items()),
        ]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_site(python: Path, address: str) -> int:
    """Migrate, load the demo newsroom and serve it with Django's development server."""
    write_local_settings()
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "1")}
    manage = [str(python), str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], check=True, env=env)
    subprocess.run([*manage, "load_demo"], check=True, env=env)
    print(f"\nThe demo newsroom is at http://{address}/  (editor admin: http://{address}/admin/)")
    return subprocess.call([*manage, "runserver", address], env=env)


def run_tests(python: Path, pytest_args: list[str]) -> int:
    """Run the whole test suite (pytest) with any extra arguments."""
    return subprocess.call([str(python), "-m", "pytest", *pytest_args], cwd=ROOT)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="set up and serve the demo newsroom on SQLite")
    run.add_argument("--address", default="127.0.0.1:8000", help="host:port to serve on")
    commands.add_parser(
        "test", help="set up and run the whole test suite (extra arguments go to pytest)"
    )
    args, extra = parser.parse_known_args()
    if args.command == "run" and extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    python = ensure_environment()
    if args.command == "run":
        return run_site(python, args.address)
    return run_tests(python, extra)


if __name__ == "__main__":
    sys.exit(main())
