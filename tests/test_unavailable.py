"""The page readers get while the database is down (newsroom/unavailable.py): made without a
query, in Spanish, valid HTML, never cached. The outage itself is in test_faults_processes.py."""

from django.db import OperationalError
from django.test import RequestFactory

from newsroom.unavailable import DatabaseUnavailableMiddleware, database_unavailable_response
from tests.page_checkers import describe_nu_errors, nu_checker_errors


def test_the_503_page_needs_no_query_and_is_valid_spanish_html(
    db, django_assert_num_queries, tmp_path
):
    with django_assert_num_queries(0):
        response = database_unavailable_response()

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert '<html lang="es">' in html and "Volvemos en un momento" in html
    (tmp_path / "503.html").write_text(html, encoding="utf-8")
    errors = nu_checker_errors([tmp_path / "503.html"])
    assert errors == [], "\n" + describe_nu_errors(errors)


def test_only_a_lost_connection_becomes_the_503_page():
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    request = RequestFactory().get("/")

    assert middleware.process_exception(request, OperationalError("refused")).status_code == 503
    assert middleware.process_exception(request, ValueError("a bug")) is None
