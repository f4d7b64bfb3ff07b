"""Settings come from the environment, with safe defaults."""

import os
import subprocess
import sys

from tests.conftest import PROJECT_ROOT


def read_settings(expression, **environment):
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "SECRET_KEY",
            "DEBUG",
            "DATABASE_URL",
            "DB_PREPARED_STATEMENTS",
            "REDIS_URL",
            "DJANGO_SETTINGS_MODULE",
            "SITE_NAME",
            "SITE_TAGLINE",
            "TIME_ZONE",
        }
    }
    env.update(environment)
    return subprocess.run(
        [sys.executable, "-c", f"import newsroom.settings as s; print({expression})"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = read_settings("s.DEBUG")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_is_off_unless_asked_for():
    assert read_settings("s.DEBUG", SECRET_KEY="x").stdout.strip() == "False"
    assert read_settings("s.DEBUG", DEBUG="1").stdout.strip() == "True"


def test_sqlite_by_default_postgresql_and_redis_from_urls():
    default = read_settings(
        "s.DATABASES['default']['ENGINE'], s.CACHES['default']['BACKEND']", DEBUG="1"
    )
    assert default.stdout.split() == [
        "django.db.backends.sqlite3",
        "django.core.cache.backends.locmem.LocMemCache",
    ]
    configured = read_settings(
        "s.DATABASES['default']['ENGINE'], s.CACHES['default']['BACKEND']",
        DEBUG="1",
        DATABASE_URL="postgres://u@db:5432/n",
        REDIS_URL="redis://cache:6379/0",
    )
    assert configured.stdout.split() == [
        "newsroom.postgresql",  # Django's, with a health check needing no round trip
        "newsroom.redis_cache.RedisCache",  # Django's, keeping its client
    ]


def test_postgresql_sends_parameters_apart_and_prepares_nothing_by_itself():
    options = "s.DATABASES['default']['OPTIONS'], s.DB_PREPARED_STATEMENTS"
    postgres = {"DEBUG": "1", "DATABASE_URL": "postgres://u@db:5432/n"}

    assert read_settings(options, **postgres).stdout.strip() == (
        "{'server_side_binding': True, 'prepare_threshold': None} True"
    )
    assert read_settings(options, DB_PREPARED_STATEMENTS="0", **postgres).stdout.strip() == (
        "{'server_side_binding': True, 'prepare_threshold': None} False"
    )
    sqlite = read_settings(options, DEBUG="1").stdout
    assert "server_side_binding" not in sqlite and "prepare_threshold" not in sqlite


def test_language_defaults_to_spanish_time_zone_and_name_are_neutral_and_configurable():
    assert read_settings("s.LANGUAGE_CODE, s.TIME_ZONE, s.SITE_NAME", DEBUG="1").stdout.split() == [
        "es",
        "UTC",
        "Newsroom",
    ]
    assert read_settings(
        "s.LANGUAGE_CODE, s.TIME_ZONE", DEBUG="1", LANGUAGE_CODE="en", TIME_ZONE="UTC"
    ).stdout.split() == ["en", "UTC"]
