"""Public addresses built from each route's shape agree with reverse(), whatever the input."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from articles.addresses import address

ROUTES = [
    ("articles:home", {}),
    ("articles:section", {"slug": "transparencia"}),
    ("articles:author", {"slug": "ana-ruiz-2"}),
    ("articles:organization", {"slug": "article_19"}),
    ("articles:tag", {"slug": "agua"}),
    ("articles:archive-year", {"year": 2019}),
    ("articles:tag-feed-atom", {"slug": "agua"}),
    (
        "articles:article",
        {"section": "datos", "year": 2026, "month": "03", "day": "09", "slug": "historia-9"},
    ),
]


@pytest.mark.parametrize(("route", "kwargs"), ROUTES)
def test_an_address_is_what_reverse_gives(route, kwargs):
    assert address(route, **kwargs) == reverse(route, kwargs=kwargs)
    assert address(route, **kwargs) == reverse(route, kwargs=kwargs)  # from the kept shape


@pytest.mark.parametrize("slug", ["educación", "salud pública", "50%", "a{b}", "ñ"])
def test_arguments_that_need_quoting_are_quoted_as_reverse_does(slug):
    assert address("articles:tag", slug=slug) == reverse("articles:tag", kwargs={"slug": slug})


@pytest.mark.parametrize(
    ("route", "kwargs"),
    [
        ("articles:section", {"slug": "dos/partes"}),
        ("articles:section", {"slug": ""}),
        ("articles:archive-year", {"year": "dosmil"}),
        ("articles:tag", {"slug": "a/b"}),
    ],
)
def test_arguments_a_route_refuses_are_refused_as_reverse_does(route, kwargs):
    with pytest.raises(NoReverseMatch):
        reverse(route, kwargs=kwargs)
    with pytest.raises(NoReverseMatch):
        address(route, **kwargs)


def test_a_site_served_under_a_prefix_gets_prefixed_addresses():
    plain = address("articles:section", slug="datos")
    set_script_prefix("/noticias/")
    try:
        assert address("articles:section", slug="datos") == "/noticias" + plain
    finally:
        set_script_prefix("/")
    assert address("articles:section", slug="datos") == plain


def test_new_url_patterns_give_new_addresses(settings):
    plain = address("articles:section", slug="datos")
    settings.ROOT_URLCONF = "tests.mounted_urls"
    assert address("articles:section", slug="datos") == "/noticias" + plain
    settings.ROOT_URLCONF = "newsroom.urls"
    assert address("articles:section", slug="datos") == plain
