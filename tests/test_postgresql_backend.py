"""The PostgreSQL backend's health check (``newsroom/postgresql``): a connection the server
has said nothing on is checked without a round trip, and one the server ended is noticed and
replaced before the request's first query, as Django's ``SELECT 1`` check would."""

import select
import time

import pytest
from django.db import connection, connections

pytestmark = [
    pytest.mark.django_db(transaction=True),  # idle outside a transaction, as between requests
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's backend"),
]


def traced(tmp_path, action) -> str:
    """What ``action()`` sent to and received from the server, as libpq traces it."""
    trace_file = tmp_path / "libpq.trace"
    pgconn = connection.connection.pgconn
    with open(trace_file, "w") as trace:
        pgconn.trace(trace.fileno())
        try:
            action()
        finally:
            pgconn.untrace()
    return trace_file.read_text()


def test_a_quiet_connection_is_checked_without_a_round_trip(tmp_path):
    connection.ensure_connection()
    assert connection.settings_dict["ENGINE"] == "newsroom.postgresql"

    usable = []
    assert traced(tmp_path, lambda: usable.append(connection.is_usable())) == ""
    assert usable == [True]

    def query():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")

    assert "SELECT 1" in traced(tmp_path, query)  # the trace sees a round trip


def test_a_connection_the_server_ended_is_replaced_before_the_first_query():
    connection.ensure_connection()
    ended = connection.connection.info.backend_pid
    other = connections.create_connection("default")
    try:
        other.ensure_connection()
        other.connection.execute("SELECT pg_terminate_backend(%s)", [ended])
    finally:
        other.close()
    socket = connection.connection.pgconn.socket
    deadline = time.monotonic() + 5
    while not select.select([socket], [], [], 0.05)[0] and time.monotonic() < deadline:
        pass

    connection.health_check_done = False  # as at the start of a request
    connection.close_if_health_check_failed()

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != ended
