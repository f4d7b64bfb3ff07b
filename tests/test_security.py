"""Login throttling, security headers, the Content-Security-Policy and the deployment check."""

import os
import statistics
import subprocess
import sys
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.conftest import PROJECT_ROOT
from tests.factories import ArticleFactory, UserFactory

LOGIN_URL = "/admin/login/?next=/admin/"
PASSWORD = "correct horse battery"


def log_in(client, username, password, address="127.0.0.1"):
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.fixture
def editor(db):
    return UserFactory(username="editora", is_staff=True)


@pytest.mark.threat(46)
def test_t46_five_wrong_passwords_lock_the_account_even_for_the_right_one(client, editor, settings):
    settings.LANGUAGE_CODE = "en"
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "editora", "wrong").status_code == 200
    assert log_in(client, "editora", "wrong").status_code == 429

    response = log_in(client, "editora", PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "Try again in 15 minutes, or ask an administrator" in response.text


@pytest.mark.threat(46)
def test_t46_a_username_failing_from_many_addresses_is_locked_from_every_address(
    client, editor, settings
):
    # Guessing one password from many machines: after AXES_ADDRESSES_PER_USERNAME addresses.
    for n in range(settings.AXES_ADDRESSES_PER_USERNAME):
        log_in(client, "editora", "wrong", address=f"10.0.0.{n + 1}")

    assert log_in(client, "editora", PASSWORD, address="10.9.9.9").status_code == 429


@pytest.mark.threat(46)
def test_t46_an_address_trying_many_usernames_is_locked_for_every_username(
    client, editor, settings
):
    for n in range(settings.AXES_USERNAMES_PER_ADDRESS):
        log_in(client, f"nadie{n}", "wrong", address="10.1.1.1")

    assert log_in(client, "editora", PASSWORD, address="10.1.1.1").status_code == 429
    assert log_in(client, "editora", PASSWORD, address="10.2.2.2").status_code == 302


@pytest.mark.threat(46)
def test_t46_one_persons_mistakes_do_not_lock_out_the_newsroom_behind_the_same_address(
    client, editor, settings
):
    UserFactory(username="colega", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "reportera", "wrong", address="10.1.1.1")
    for n in range(settings.AXES_USERNAMES_PER_ADDRESS - 2):
        log_in(client, f"typo{n}", "wrong", address="10.1.1.1")

    # The name that failed five times is locked from that address, and only there.
    assert log_in(client, "reportera", PASSWORD, address="10.1.1.1").status_code == 429
    # Everyone else in the office still logs in.
    assert log_in(client, "editora", PASSWORD, address="10.1.1.1").status_code == 302
    assert log_in(Client(), "colega", PASSWORD, address="10.1.1.1").status_code == 302


@pytest.mark.threat(46)
def test_t46_a_username_locked_from_one_address_still_logs_in_from_another(
    client, editor, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "editora", "wrong", address="10.1.1.1")

    assert log_in(client, "editora", PASSWORD, address="10.1.1.1").status_code == 429
    assert log_in(client, "editora", PASSWORD, address="10.2.2.2").status_code == 302


def test_t46_an_administrator_unlocks_in_the_admin(client, editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "editora", "wrong")
    attempt = AccessAttempt.objects.get(username="editora")
    admin_client = client_class_copy(client)
    admin_client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = admin_client.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert log_in(client, "editora", PASSWORD).status_code == 302


def client_class_copy(client):
    return type(client)()


@pytest.mark.threat(47)
def test_t47_a_wrong_password_and_an_unknown_user_get_the_same_answer(client, editor):
    known = log_in(client, "editora", "wrong")
    unknown = log_in(client, "nadie", "wrong")

    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].errors == unknown.context["form"].errors


class ModestPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """Django's PBKDF2 hasher with fewer rounds: slow enough to time, quick enough to test."""

    iterations = 400_000


@pytest.mark.threat(47)
def test_t47_an_unknown_username_costs_a_password_hash_like_a_known_one(client, editor, settings):
    # The suite's MD5 hasher takes microseconds; a real hasher shows whether a login for an
    # unknown user skips hashing and so answers measurably faster (CVE-2024-39329's class).
    settings.PASSWORD_HASHERS = ["tests.test_security.ModestPBKDF2PasswordHasher"]
    editor.set_password(PASSWORD)
    editor.save()

    def seconds_to_refuse(username, attempt):
        started = time.perf_counter()
        # A new address each time, so the login throttle never steps in.
        response = log_in(client, username, "wrong", address=f"10.0.0.{attempt}")
        assert response.status_code == 200
        return time.perf_counter() - started

    known = statistics.median(seconds_to_refuse("editora", n) for n in range(3))
    unknown = statistics.median(seconds_to_refuse("nadie", n) for n in range(3, 6))

    # Without the dummy hash the unknown user would answer in a small fraction of the time.
    assert unknown > known / 3
    assert known > unknown / 3


@pytest.mark.threat(48)
@pytest.mark.parametrize(
    "target", ["https://evil.example", "//evil.example", "/\\evil.example", "https:evil.example"]
)
def test_t48_login_never_redirects_off_site(client, editor, target):
    response = client.post(
        f"/admin/login/?next={target}", {"username": "editora", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


@pytest.mark.threat(49)
def test_t49_logging_in_gives_a_new_session_key(client, editor):
    client.get(LOGIN_URL)
    session = client.session
    session["anything"] = "x"
    session.save()
    before = session.session_key

    log_in(client, "editora", PASSWORD)

    assert client.session.session_key != before


@pytest.mark.threat(51)
@pytest.mark.parametrize("password", ["password", "12345678", "corto", "editora2024"])
def test_t51_weak_passwords_are_refused(editor, password):
    with pytest.raises(ValidationError):
        validate_password(password, user=editor)


@pytest.mark.threat(51)
def test_t51_setting_a_password_refuses_a_common_one_and_takes_a_plain_long_passphrase(db):
    user = UserFactory(username="reportera")
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:auth_user_password_change", args=[user.pk])

    common = client.post(url, {"password1": "password123", "password2": "password123"})
    # Lower case and spaces only: no rule asks for digits, capitals or symbols.
    passphrase = "la lluvia cae sobre el zocalo"
    plain = client.post(url, {"password1": passphrase, "password2": passphrase})

    assert common.status_code == 200
    assert common.context["form"].errors
    assert plain.status_code == 302
    user.refresh_from_db()
    assert user.check_password(passphrase)


@pytest.mark.threat(61)
@pytest.mark.parametrize("path", ["/", "/admin/login/"])
def test_t61_security_headers_on_public_and_admin_pages(client, db, path):
    response = client.get(path)

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


@pytest.mark.threat(62)
def test_t62_an_unknown_host_is_a_400(client, db):
    assert client.get("/", HTTP_HOST="evil.example").status_code == 400


@pytest.mark.threat(62)
@pytest.mark.threat(63)
def test_t62_t63_feed_links_use_the_site_url_whatever_the_host(client, db, settings):
    ArticleFactory()

    feed = client.get(reverse("articles:feed-rss"), HTTP_HOST="localhost").content.decode()

    assert "https://gobiernofacil.test/" in feed
    assert "localhost" not in feed and "example.com" not in feed


PRODUCTION_ENV = {
    "SECRET_KEY": "k8#Zq2vLw9pR4tY7uX1cB6nM3jH5gF0dS8aQ2wE4rT6yU9iO1pLx",
    "ALLOWED_HOSTS": "noticias.example.org",
    "SITE_URL": "https://noticias.example.org",
}


@pytest.mark.threat(50)
@pytest.mark.slow
def test_t50_deploy_check_passes_with_production_settings():
    # Only what a production host sets: no DEBUG, no test settings.
    env = {key: os.environ[key] for key in ("PATH", "HOME") if key in os.environ}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT_ROOT,
        env={**env, **PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "newsroom.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def address_seen(settings, proxies, peer, forwarded=None):
    """The client address the throttle sees for a request from ``peer`` with this header."""
    from django.test import RequestFactory

    from newsroom.security import client_ip_address

    settings.TRUSTED_PROXY_COUNT = proxies
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_ip_address(RequestFactory().get("/", REMOTE_ADDR=peer, **headers))


@pytest.mark.threat(46)
def test_t46_x_forwarded_for_is_read_only_through_the_trusted_proxies(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # BEHIND_TLS_PROXY
    # One proxy (the compose file's nginx on the container network): the entry it appended.
    assert address_seen(settings, 1, "172.18.0.2", "6.6.6.6, 198.51.100.7") == "198.51.100.7"
    # Two proxies (a CDN, then nginx): the second entry from the right.
    assert (
        address_seen(settings, 2, "10.0.0.5", "6.6.6.6, 198.51.100.7, 10.0.0.9") == "198.51.100.7"
    )
    # A client reaching the app past the proxy, from the internet, is known by its own address.
    assert address_seen(settings, 1, "203.0.113.9", "10.9.9.9") == "203.0.113.9"
    # Fewer entries than proxies, or garbage: the peer, never the header.
    assert address_seen(settings, 2, "10.0.0.5", "198.51.100.7") == "10.0.0.5"
    assert address_seen(settings, 1, "10.0.0.5", "<script>") == "10.0.0.5"
    # No proxy configured: the header means nothing.
    assert address_seen(settings, 0, "127.0.0.1", "198.51.100.7") == "127.0.0.1"


@pytest.mark.threat(46)
def test_t46_a_client_forging_x_forwarded_for_past_the_proxy_is_locked_all_the_same(
    client, editor, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            LOGIN_URL,
            {"username": "editora", "password": "wrong"},
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )

    locked = client.post(
        LOGIN_URL,
        {"username": "editora", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="198.51.100.200",
    )
    assert locked.status_code == 429
