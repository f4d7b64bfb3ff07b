"""An editor's journey through the admin in a real browser (Debian's chromium, Playwright)."""

import pytest
from django.urls import reverse

from tests.browsers import close_quietly, log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(chromium):
    """A fresh page in the session's chromium (tests/conftest.py)."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en")
    yield context.new_page()
    close_quietly(context)


def test_editor_previews_and_saves_the_demo_story(page, live_server, demo, tmp_path):
    editor = UserFactory(username="editora", is_staff=True, is_superuser=True)
    log_in(page, live_server, editor)

    page.goto(live_server.url + reverse("admin:articles_article_changelist"))
    page.click(f"#result_list tbody a:text('{demo.headline}')")
    page.fill("#id_dek", "Un dek escrito en el navegador.")
    preview = page.locator(".markdown-preview")
    preview.locator(".markdown-preview-body blockquote").wait_for()
    assert "cultura ecologica" in preview.locator(".markdown-preview-warnings").inner_text()
    assert preview.locator("a[href='https://articulo19.org']").count() == 1
    page.screenshot(path=str(tmp_path / "change-form.png"), full_page=True)

    page.click("input[name=_continue]")
    messages = page.locator("ul.messagelist").first.inner_text()
    page.screenshot(path=str(tmp_path / "saved.png"))
    assert "cultura ecologica" in messages
    assert "/user/login?destination=" in messages

    demo.refresh_from_db()
    page.goto(live_server.url + demo.get_absolute_url())
    assert "Un dek escrito en el navegador." in page.content()


def test_tag_field_suggests_existing_tags(page, live_server, demo):
    editor = UserFactory(username="editor", is_staff=True, is_superuser=True)
    log_in(page, live_server, editor)

    page.goto(live_server.url + reverse("admin:articles_article_add"))
    page.locator("#id_tags").press_sequentially("datos, transp")
    suggestion = page.locator(".tag-suggestions li").first
    suggestion.wait_for()
    suggestion.dispatch_event("mousedown")

    assert page.input_value("#id_tags") == "datos, Transparencia, "
