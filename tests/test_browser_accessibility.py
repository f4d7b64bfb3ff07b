"""axe-core finds no WCAG A/AA violation on the public pages (issue 8), in Debian's chromium.

The Spanish demo site is checked at a desktop and at a phone viewport, because the layout (and so
contrast, reflow and target sizes) changes between them. Best-practice findings are reported as
warnings, not failures.
"""

import warnings

import pytest

from tests.page_checkers import (
    describe_axe_violations,
    is_wcag_violation,
    public_pages_to_check,
    run_axe,
)

pytestmark = pytest.mark.browser

# Rules that apply to every page of the site: proof that axe ran on the rendered page.
RULES_EVERY_PAGE_EXERCISES = {"html-has-lang", "color-contrast", "target-size"}

VIEWPORTS = {
    "desktop": {"width": 1280, "height": 900},
    "phone": {"width": 390, "height": 844},
}


@pytest.fixture
def browser(chromium):
    """The session's chromium (tests/conftest.py); skipped where it is not installed."""
    yield chromium
    for context in chromium.contexts:
        context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_public_pages_have_no_wcag_violations(
    browser, live_server, illustrated_demo, settings, viewport
):
    settings.DEBUG = False  # the 404 comes from the real handler and template, as in production
    page = browser.new_page(viewport=VIEWPORTS[viewport], locale="es-MX")
    failures = []
    for name, path in public_pages_to_check(illustrated_demo).items():
        response = page.goto(live_server.url + path)
        assert response.status == (404 if name == "404" else 200), name
        assert page.locator("html").get_attribute("lang") == "es"
        results = run_axe(page)
        decided = {rule["id"] for kind in ("passes", "violations") for rule in results[kind]}
        assert decided >= RULES_EVERY_PAGE_EXERCISES, f"{name}: axe did not judge the page"
        wcag = [v for v in results["violations"] if is_wcag_violation(v)]
        advice = [v for v in results["violations"] if not is_wcag_violation(v)]
        if wcag:
            failures.append(f"{name} ({path}):\n{describe_axe_violations(wcag)}")
        if advice:
            warnings.warn(
                f"axe best practice, {name} at {viewport}:\n{describe_axe_violations(advice)}",
                stacklevel=1,
            )

    assert failures == [], "\n" + "\n".join(failures)
