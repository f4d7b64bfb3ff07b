"""The Content-Security-Policy in a real browser: the admin's tools and the public site run
under it without a single violation (Debian's chromium through Playwright)."""

import pytest
from django.urls import reverse

from articles.models import Article
from tests.factories import ArticleFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery"


@pytest.fixture
def watched_page(chromium):
    """A page that records every CSP violation the browser reports, and every JS error."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en")
    page = context.new_page()
    page.violations = []
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and "Content Security Policy" in message.text
            and page.violations.append(message.text)
        ),
    )
    page.on("pageerror", lambda error: page.violations.append(f"script error: {error}"))
    yield page
    context.close()


def test_admin_tools_and_public_pages_work_under_the_policy(watched_page, live_server, demo):
    page = watched_page
    editor = UserFactory(username="editora", is_staff=True, is_superuser=True)
    draft = ArticleFactory(
        draft=True, headline="Borrador bajo CSP", authors=list(demo.authors.all())
    )
    page.clock.install()

    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", editor.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#content-main")

    page.goto(live_server.url + reverse("admin:articles_article_change", args=[draft.pk]))
    # Preview: the writing surface posts the body as the page opens and draws the answer.
    page.locator(".markdown-preview-body p").first.wait_for()
    # Tag suggestions.
    page.locator("#id_tags").press_sequentially("Transp")
    page.locator(".tag-suggestions li").first.wait_for()
    # Autosave: typing, then the workflow script's timer.
    page.fill("#id_dek", "Escrito bajo la política de seguridad.")
    with page.expect_response(lambda response: "autosave" in response.url) as autosaved:
        page.clock.run_for(11_000)
    assert autosaved.value.ok
    # A workflow button.
    page.click("button[data-transition=in_review]")
    page.wait_for_selector("ul.messagelist")
    draft.refresh_from_db()
    assert draft.status == Article.Status.IN_REVIEW

    for url in [
        "/",
        demo.get_absolute_url(),
        demo.category.get_absolute_url(),
        reverse("articles:search") + "?q=gobierno",
        reverse("admin:articles_article_changelist"),
        reverse("articles:preview", args=[draft.pk]),
    ]:
        response = page.goto(live_server.url + url)
        assert response.ok, url
        assert "script-src 'self'" in response.headers["content-security-policy"]

    assert page.violations == []
