"""The search page: results with snippets, filters that fail soft, noindex, query counts."""

import pytest
from django.urls import reverse

from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory
from tests.test_search import HOSTILE_QUERIES

pytestmark = pytest.mark.django_db

SEARCH = reverse("articles:search")


def test_results_show_highlighted_snippets_and_no_unpublished_story(client):
    ArticleFactory(headline="Agua", body="El **agua** potable <b>escasea</b> en la ciudad.")
    ArticleFactory(headline="Agua secreta", draft=True)
    html = client.get(SEARCH, {"q": "agua"}).content.decode()
    assert "1 story matches" in html or "1 historia" in html
    assert "Agua secreta" not in html
    assert "El <mark>agua</mark> potable escasea en la ciudad." in html


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_queries_get_a_normal_page(client, query):
    ArticleFactory(headline="Agua potable")
    response = client.get(SEARCH, {"q": query, "page": "9999"})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"seccion": "no-existe"},
        {"autor": "<b>"},
        {"desde": "2024-13-45"},
        {"hasta": "ayer"},
        {"desde": "2024-05-10", "hasta": "2024-01-01"},
        {"seccion": "a\x00b"},
        {"page": "-1"},
    ],
)
def test_invalid_filters_are_ignored_with_a_message(client, params):
    ArticleFactory(headline="Agua potable")
    response = client.get(SEARCH, {"q": "agua", **params})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Agua potable" in html
    if "page" not in params:
        assert 'class="notice"' in html


def test_valid_filters_narrow_the_results(client):
    section = CategoryFactory(slug="medio-ambiente")
    author = AuthorFactory(slug="ana")
    ArticleFactory(headline="Agua en la sección", category=section)
    ArticleFactory(headline="Agua de Ana", authors=[author])
    html = client.get(SEARCH, {"q": "agua", "seccion": "medio-ambiente"}).content.decode()
    assert "Agua en la sección" in html
    assert "Agua de Ana" not in html
    html = client.get(SEARCH, {"q": "agua", "autor": "ana"}).content.decode()
    assert "Agua de Ana" in html
    assert "Agua en la sección" not in html


def test_search_results_are_noindex(client):
    response = client.get(SEARCH, {"q": "agua"})
    assert response["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex, follow">' in response.content.decode()


def test_pagination_keeps_the_query_and_filters(client, settings):
    settings.ARTICLES_PER_PAGE = 1
    ArticleFactory.create_batch(2, body="Agua.")
    html = client.get(SEARCH, {"q": "agua", "hasta": "2999-01-01"}).content.decode()
    assert 'href="?q=agua&amp;hasta=2999-01-01&amp;page=2"' in html


def test_header_has_a_search_form(client):
    html = client.get("/").content.decode()
    assert f'action="{SEARCH}"' in html


@pytest.mark.parametrize("count", [1, 30])
def test_search_page_makes_the_same_few_queries_for_1_or_30_results(
    client, django_assert_max_num_queries, rich_story_factory, settings, count
):
    settings.ARTICLES_PER_PAGE = 50
    section = CategoryFactory(slug="politica")
    for _ in range(count):
        rich_story_factory(category=section, body="El agua potable.")
    # Eight, and the breaking-news banner once per content change (articles/front_pages.py).
    with django_assert_max_num_queries(9):
        response = client.get(SEARCH, {"q": "agua", "seccion": "politica"})
    assert response.content.decode().count("<mark>") >= count


def test_page_says_when_only_the_newest_matches_are_shown(client, monkeypatch):
    monkeypatch.setattr("articles.search.MAX_RANKED_MATCHES", 2)
    for _ in range(3):
        ArticleFactory(body="Contratos de obra.")
    page = client.get(SEARCH, {"q": "contratos"}).content.decode()
    assert "Al menos 2 historias coinciden con «contratos»" in page
    assert "contratos" in page and page.count('class="teaser"') == 2


def test_page_counts_every_match_below_the_cap(client):
    for _ in range(3):
        ArticleFactory(body="Contratos de obra.")
    page = client.get(SEARCH, {"q": "contratos"}).content.decode()
    assert "3 historias coinciden con «contratos»" in page and "Al menos" not in page


def test_the_count_comes_with_the_page_not_from_a_query_of_its_own(
    client, django_assert_max_num_queries
):
    for _ in range(3):
        ArticleFactory(body="Contratos de obra.")

    with django_assert_max_num_queries(8) as queries:
        page = client.get(SEARCH, {"q": "contratos"}).content.decode()

    assert "3 historias coinciden con «contratos»" in page
    assert not [query for query in queries if "COUNT(*) AS" in query["sql"]]
    assert [query for query in queries if "OVER ()" in query["sql"]]


@pytest.mark.parametrize(
    ("asked", "shown"), [("2", 2), ("99", 2), ("0", 2), ("dos", 1), ("1.0", 1), ("", 1)]
)
def test_a_page_past_the_end_or_not_a_number_shows_the_last_or_the_first(
    client, settings, asked, shown
):
    settings.ARTICLES_PER_PAGE = 2
    for _ in range(3):
        ArticleFactory(body="Contratos de obra.")

    response = client.get(SEARCH, {"q": "contratos", "page": asked})

    assert response.status_code == 200
    page = response.content.decode()
    assert f"Página {shown} de 2" in page
    assert page.count('class="teaser"') == (1 if shown == 2 else 2)
    assert "3 historias coinciden con «contratos»" in page


def test_a_search_without_matches_says_so(client):
    ArticleFactory(body="Contratos de obra.")

    for params in [{"q": "inexistente"}, {"q": "inexistente", "page": "5"}]:
        response = client.get(SEARCH, params)
        assert response.status_code == 200
        assert "0 historias coinciden con «inexistente»" in response.content.decode()
