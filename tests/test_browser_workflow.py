"""A newsroom's day in a real browser: write, submit, preview, share, schedule, correct,
restore a revision, and two editors colliding on one story without losing text."""

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.browsers import close_quietly, logged_in_page, open_story, submit
from tests.factories import CategoryFactory, EditorFactory, ReporterFactory

SCHEDULE_AHEAD = timedelta(seconds=6)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(live_server, chromium):
    """The session's chromium (tests/conftest.py); skipped where it is not installed."""
    yield chromium
    # Pages left open would keep calling the next test's server (timers, keep-alive).
    for context in chromium.contexts:
        close_quietly(context)


def new_page(browser):
    return browser.new_context(viewport={"width": 1280, "height": 1000}, locale="en").new_page()


def click_transition(page, status):
    submit(page, f"button[data-transition={status}]")


def test_a_newsroom_day(browser, live_server, roles):
    section = CategoryFactory(name="Transparencia", slug="transparencia")
    reporter = ReporterFactory(username="reportera")
    editor = EditorFactory(username="editora")
    second_editor = EditorFactory(username="editor2")

    # The reporter writes a story and submits it.
    desk = logged_in_page(browser, live_server, reporter)
    desk.goto(live_server.url + reverse("admin:articles_article_add"))
    desk.fill("#id_headline", "Los datos del agua")
    # A dek too: publishing is held without one (issue 23, checks before publishing).
    desk.fill("#id_dek", "Cuánta agua llega a cada colonia.")
    desk.fill("#id_body", "Primer párrafo de la historia.")
    # The section field is an autocomplete widget; choose the option the way it does.
    desk.evaluate(
        "([id, name]) => { const s = document.getElementById('id_category');"
        " s.add(new Option(name, id, true, true)); }",
        [str(section.pk), section.name],
    )
    submit(desk, "input[name=_continue]")
    article = Article.objects.get(headline="Los datos del agua")
    click_transition(desk, "in_review")
    assert "published" not in desk.locator(".workflow-actions").inner_html()

    # The editor previews it, shares a link, and the link works for an outsider.
    office = logged_in_page(browser, live_server, editor)
    office.goto(live_server.url + reverse("articles:preview", args=[article.pk]))
    assert office.locator(".preview-banner").is_visible()
    assert office.locator("meta[name=robots]").get_attribute("content").startswith("noindex")
    open_story(office, live_server, article)
    submit(office, "button[data-share]")
    link = office.locator("a[data-preview-link]").first.get_attribute("href")
    outsider = new_page(browser)
    outsider.goto(live_server.url + link)
    assert "Los datos del agua" in outsider.locator("h1").inner_text()

    # The editor schedules it a few seconds ahead; it appears on the site at its time.
    at = timezone.localtime(timezone.now() + SCHEDULE_AHEAD)
    office.fill(
        "form:has([data-transition=published]) input[name=at]", at.strftime("%Y-%m-%dT%H:%M:%S")
    )
    click_transition(office, "published")
    outsider.goto(live_server.url + "/")
    assert "Los datos del agua" not in outsider.content()
    time.sleep((at - timezone.localtime()).total_seconds() + 1)
    outsider.goto(live_server.url + "/")
    assert "Los datos del agua" in outsider.content()

    # The editor corrects it; readers see the note.
    open_story(office, live_server, article)
    office.fill("textarea[name=text]", "La cifra correcta es 42 litros.")
    submit(office, "button[data-correct]")
    outsider.goto(live_server.url + Article.objects.get().get_absolute_url())
    assert "42 litros" in outsider.locator("aside[role=note]").inner_text()

    # The editor changes the headline, then restores the earlier version from the history.
    open_story(office, live_server, article)
    office.fill("#id_headline", "Titular equivocado")
    submit(office, "input[name=_continue]")
    office.goto(live_server.url + reverse("admin:articles_article_history", args=[article.pk]))
    with office.expect_navigation():
        office.locator("a[data-compare-now]").nth(1).click()
    assert "Titular equivocado" in office.locator(".workflow-changes").inner_text()
    submit(office, "button[data-restore]")
    assert office.locator("#id_headline").input_value() == "Los datos del agua"

    # Two editors open the story and change different fields: both changes are kept (a
    # conflict on one field is in test_browser_desk.py).
    other = logged_in_page(browser, live_server, second_editor)
    open_story(office, live_server, article)
    open_story(other, live_server, article)
    other.fill("#id_headline", "Titular de la otra editora")
    submit(other, "input[name=_continue]")
    office.fill("#id_body", "Mi párrafo nuevo que no se pierde.")
    submit(office, "input[name=_continue]")
    assert office.locator("#id_body").input_value() == "Mi párrafo nuevo que no se pierde."
    assert office.locator("#id_headline").input_value() == "Titular de la otra editora"
    article.refresh_from_db()
    assert article.headline == "Titular de la otra editora"
    assert article.body == "Mi párrafo nuevo que no se pierde."
