"""The public pages are valid HTML by the Nu HTML Checker (issue 8), on the Spanish demo site."""

from tests.page_checkers import describe_nu_errors, nu_checker_errors, public_pages_to_check

# A page with a known error, checked in the same run: proof that the checker read our files.
BROKEN_PAGE = '<!DOCTYPE html><html lang="es"><title>Rota</title><p><div></p>'


def test_public_pages_have_no_nu_html_checker_errors(client, illustrated_demo, settings, tmp_path):
    settings.DEBUG = False  # the 404 comes from the real handler and template, as in production
    pages = {}
    for name, path in public_pages_to_check(illustrated_demo).items():
        response = client.get(path)
        assert response.status_code == (404 if name == "404" else 200), name
        assert response.text.count('<html lang="es">') == 1, name
        pages[name] = response.text
    assert illustrated_demo.headline in pages["search"]  # the query found the story
    assert 'class="lead-image"' in pages["story"]
    # Every state issue 24 added is among the pages checked: both fronts, the banner, the
    # byline's photo, the share links and the pictures of related lists.
    assert 'class="front__lead"' in pages["home"] and 'class="section-block"' in pages["home"]
    assert 'class="front__lead"' in pages["section"]
    assert all('class="breaking"' in html for name, html in pages.items() if name != "404")
    assert 'class="byline-photos"' in pages["story"] and 'class="share"' in pages["story"]
    assert 'class="section-stories__list"' in pages["story"]
    assert 'class="teaser__image"' in pages["author"] and 'class="teaser__image"' in pages["search"]
    pages["control"] = BROKEN_PAGE
    for name, html in pages.items():
        (tmp_path / f"{name}.html").write_text(html, encoding="utf-8")

    errors = nu_checker_errors([tmp_path / f"{name}.html" for name in pages])

    assert any(error.get("url", "").endswith("/control.html") for error in errors)
    page_errors = [error for error in errors if not error.get("url", "").endswith("/control.html")]
    assert page_errors == [], "\n" + describe_nu_errors(page_errors)
