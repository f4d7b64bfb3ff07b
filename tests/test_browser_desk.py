"""The editor's desk in a real browser: two people merging their edits, scheduling from a
browser in another time zone, publishing held by a broken link and released by an editor,
and the start page of a reporter and of an editor (screenshots for docs/workflow.md)."""

from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, ArticleTransition
from tests.browsers import close_quietly, logged_in_page, open_story, submit
from tests.factories import ArticleFactory, CorrectionFactory, EditorFactory, ReporterFactory

NEWSROOM = ZoneInfo("America/Mexico_City")
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(live_server, chromium, roles):
    """The session's chromium (tests/conftest.py), with the roles in the database."""
    yield chromium
    for context in chromium.contexts:
        close_quietly(context)


def test_two_editors_merge_and_choose(browser, live_server):
    ana = EditorFactory(username="ana", first_name="Ana")
    beto = EditorFactory(username="beto", first_name="Beto")
    article = ArticleFactory(
        headline="Los datos del agua",
        dek="Dek original",
        body="Primer párrafo.\n\nSegundo párrafo.\n\nTercer párrafo.",
    )
    first = logged_in_page(browser, live_server, ana)
    second = logged_in_page(browser, live_server, beto)
    open_story(first, live_server, article)
    open_story(second, live_server, article)
    assert "Ana está editando desde las" in second.locator("[data-presence]").inner_text()

    # Different fields and different paragraphs: both edits are kept.
    first.fill("#id_dek", "Dek de Ana")
    first.fill("#id_body", "Primer párrafo de Ana.\n\nSegundo párrafo.\n\nTercer párrafo.")
    submit(first, "input[name=_continue]")
    second.fill("#id_headline", "Titular de Beto")
    second.fill("#id_body", "Primer párrafo.\n\nSegundo párrafo.\n\nTercer párrafo de Beto.")
    submit(second, "input[name=_continue]")
    assert "se conservaron sus cambios" in second.locator("ul.messagelist").first.inner_text()
    article.refresh_from_db()
    assert (article.headline, article.dek) == ("Titular de Beto", "Dek de Ana")
    assert article.body == "Primer párrafo de Ana.\n\nSegundo párrafo.\n\nTercer párrafo de Beto."

    # Both change the headline: a conflict at the top of the form, resolved by choosing.
    open_story(first, live_server, article)
    open_story(second, live_server, article)
    first.fill("#id_headline", "Titular de Ana")
    submit(first, "input[name=_continue]")
    second.fill("#id_headline", "Otro titular de Beto")
    second.fill("#id_summary", "Resumen de Beto")
    submit(second, "input[name=_continue]")
    conflict = second.locator("[data-merge-conflicts]")
    assert conflict.is_visible()
    assert conflict.bounding_box()["y"] < second.locator(".workflow-panel").bounding_box()["y"]
    assert "Titular de Ana" in conflict.inner_text()
    assert "Otro titular de Beto" in conflict.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    second.screenshot(path=str(SCREENSHOTS / "merge-conflict.png"))
    second.check("input[name=merge-headline][value=theirs]")
    submit(second, "input[name=_continue]")
    article.refresh_from_db()
    assert article.headline == "Titular de Ana"
    assert article.summary == "Resumen de Beto"


def test_scheduling_from_a_browser_in_utc_uses_the_newsroom_time(browser, live_server):
    editor = EditorFactory(username="editora")
    article = ArticleFactory(in_review=True, headline="Historia para mañana")
    tomorrow = timezone.localtime(timezone.now(), NEWSROOM).date() + timedelta(days=1)
    wanted = datetime.combine(tomorrow, time(18, 0), tzinfo=NEWSROOM)

    page = logged_in_page(browser, live_server, editor, timezone_id="UTC")
    open_story(page, live_server, article)
    form = page.locator("form:has([data-transition=published])")
    assert "America/Mexico_City" in form.inner_text()
    form.locator("input[name=at]").fill(wanted.strftime("%Y-%m-%dT%H:%M"))
    # The same moment in the browser's own zone, beside the box: 00:00 UTC the day after.
    browser_time = form.locator("[data-browser-zone]").inner_text()
    assert "UTC" in browser_time and "0:00" in browser_time
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    form.screenshot(path=str(SCREENSHOTS / "schedule-browser-zone.png"))
    submit(page, "button[data-transition=published]")

    article.refresh_from_db()
    assert article.published_at == wanted
    assert not article.is_published
    state = page.locator("[data-status]").inner_text()
    assert state.startswith("Programada para el") and "a las 18:00" in state
    assert "a las 18:00" in page.locator(".workflow-audit").inner_text()


def test_a_broken_internal_link_holds_publishing_until_an_editor_overrides(browser, live_server):
    reporter = ReporterFactory(username="reportera")
    editor = EditorFactory(username="editora")
    article = ArticleFactory(
        in_review=True,
        headline="Historia con enlace roto",
        body="Lee [la nota anterior](/historias/no-existe/).",
        authors=[reporter.author_profile],
    )
    desk = logged_in_page(browser, live_server, reporter)
    open_story(desk, live_server, article)
    assert desk.locator("button[data-transition=published]").count() == 0
    assert desk.locator("[data-override-reason]").count() == 0

    office = logged_in_page(browser, live_server, editor)
    open_story(office, live_server, article)
    held = office.locator("[data-held]")
    assert "enlace a una página de este sitio que no existe" in held.inner_text()
    submit(office, "button[data-transition=published]")
    assert "queda en espera" in office.locator("ul.messagelist").first.inner_text()
    assert Article.objects.get(pk=article.pk).status == Article.Status.IN_REVIEW

    office.fill("[data-override-reason]", "La nota anterior se publica en una hora")
    submit(office, "button[data-transition=published]")
    assert Article.objects.get(pk=article.pk).status == Article.Status.PUBLISHED
    assert (
        "La nota anterior se publica en una hora" in office.locator(".workflow-audit").inner_text()
    )
    row = ArticleTransition.objects.get(article=article)
    assert row.user == editor and row.override_reason.startswith("La nota anterior")


def test_the_desk_of_a_reporter_and_of_an_editor(browser, live_server):
    reporter = ReporterFactory(username="reportera")
    editor = EditorFactory(username="editora")
    now = timezone.now()
    mine = [reporter.author_profile]
    ArticleFactory(draft=True, headline="Mi borrador sobre el presupuesto", authors=mine)
    ArticleFactory(in_review=True, headline="Contratos de obra pública", authors=mine)
    ArticleFactory(in_review=True, headline="Licitación del agua", dek="")
    Article.objects.filter(headline="Licitación del agua").update(
        todos=[{"code": "dek", "count": 1}]
    )
    ArticleFactory(headline="Presupuesto 2027", published_at=now + timedelta(hours=5))
    today = ArticleFactory(headline="Sesión del cabildo", published_at=now - timedelta(minutes=30))
    CorrectionFactory(article=today, text="La sesión fue el martes, no el lunes.")

    page = logged_in_page(browser, live_server, reporter)
    page.goto(live_server.url + reverse("admin:index"))
    drafts = page.locator("[data-desk-list=my-drafts]").inner_text()
    assert "Mi borrador sobre el presupuesto" in drafts and "Contratos de obra pública" in drafts
    assert page.locator("[data-desk-list=review]").count() == 0
    assert "Presupuesto 2027" not in page.locator("[data-desk-list=scheduled]").inner_text()
    assert "Sesión del cabildo" in page.locator("[data-desk-list=today]").inner_text()
    assert page.locator("#app-axes, .app-axes").count() == 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "desk-reporter.png"), full_page=True)

    page = logged_in_page(browser, live_server, editor)
    page.goto(live_server.url + reverse("admin:index"))
    review = page.locator("[data-desk-list=review]").inner_text()
    assert "Contratos de obra pública" in review and "Licitación del agua" in review
    scheduled = page.locator("[data-desk-list=scheduled]").inner_text()
    assert "Presupuesto 2027" in scheduled and "Programada para el" in scheduled
    assert "La sesión fue el martes" in page.locator("[data-desk-list=corrections]").inner_text()
    assert "Licitación del agua" in page.locator("[data-desk-list=todos]").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "desk-editor.png"), full_page=True)
