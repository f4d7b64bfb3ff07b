"""A reader's journey on a phone, in Debian's chromium: home page, story, byline, body."""

import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SCREENSHOT_DIR = Path(tempfile.gettempdir())


@pytest.fixture
def browser(chromium):
    """The session's chromium (tests/conftest.py); skipped where it is not installed."""
    yield chromium
    # Pages left open would keep calling the next test's server (timers, keep-alive).
    for context in chromium.contexts:
        context.close()


def has_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


def test_reader_on_a_phone_goes_from_home_page_to_the_story(browser, live_server, demo):
    # A Mexican reader's phone asks for Spanish; the site answers in its default language.
    page = browser.new_page(viewport=PHONE, locale="es-MX")
    page.goto(live_server.url + "/")
    assert not has_horizontal_scroll(page)

    # The lead story of the home page (its headline is in "Latest" too).
    page.locator(".front__lead").get_by_role("link", name=demo.headline).click()

    page.wait_for_url(f"**{demo.get_absolute_url()}")
    assert page.get_by_role("heading", level=1).inner_text() == demo.headline
    author = demo.ordered_bylines[0].author
    byline_link = page.locator(".byline").get_by_role("link", name=author.name)
    assert byline_link.get_attribute("href") == author.get_absolute_url()
    body = page.locator(".story__body")
    assert body.locator("blockquote").is_visible()
    assert "Secretariado Técnico Tripartita" in body.inner_text()
    assert page.locator("time").first.inner_text().startswith("24 de mayo de 2017")
    assert not has_horizontal_scroll(page)
    page.screenshot(path=SCREENSHOT_DIR / "newsroom-story-phone.png", full_page=True)

    page.set_viewport_size(DESKTOP)
    assert not has_horizontal_scroll(page)
    page.screenshot(path=SCREENSHOT_DIR / "newsroom-story-desktop.png")


def test_reader_can_skip_to_the_story_with_the_keyboard(browser, live_server, demo):
    page = browser.new_page(viewport=PHONE, locale="es-MX")
    page.goto(live_server.url + demo.get_absolute_url())

    page.keyboard.press("Tab")

    skip_link = page.get_by_role("link", name="Saltar al contenido")
    assert skip_link.evaluate("element => element === document.activeElement")
    assert skip_link.is_visible()
