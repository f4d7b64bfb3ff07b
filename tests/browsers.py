"""Browser tests' shared steps: logging in to the admin, and closing browser contexts at the
end of a test without a last write to the live server."""

from django.urls import reverse

# Every user the factories make has this password.
PASSWORD = "correct horse battery"


def log_in(page, live_server, user) -> None:
    """Log ``user`` in to the admin through its login form."""
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#content-main")


def close_quietly(context) -> None:
    """Close ``context`` after its pages stop sending: the story form autosaves with a beacon
    when it is left, and the live server would write that while the test database is being
    emptied (a foreign key error in the flush, now and then). Leaving a page for
    ``about:blank`` also stops its timers (autosave, presence)."""
    for page in context.pages:
        if not page.is_closed():
            page.evaluate("navigator.sendBeacon = () => true")
            page.goto("about:blank")
    context.close()


def logged_in_page(browser, live_server, user, **context_options):
    """A page in a new browser context logged in to the admin as ``user``;
    ``context_options`` go to Playwright's ``new_context`` (a time zone, a locale)."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, **context_options)
    page = context.new_page()
    log_in(page, live_server, user)
    return page


def open_story(page, live_server, article) -> None:
    """Go to the story's admin page."""
    page.goto(live_server.url + reverse("admin:articles_article_change", args=[article.pk]))


def submit(page, selector) -> None:
    """Click a button that posts a form and wait for the page it leads to."""
    with page.expect_navigation():
        page.click(selector)
