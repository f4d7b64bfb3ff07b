"""The writing surface in a real browser (Debian's chromium, Playwright): a story written with
the toolbar, a dropped image and a link found by search, read on the public page; the plain
textarea without JavaScript; bylines put in order by dragging and with the keyboard."""

import base64

import pytest
from django.urls import reverse

from articles import publishing
from articles.models import Article, Image
from tests.browsers import close_quietly, log_in
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ImageFactory,
    UserFactory,
    image_bytes,
)
from tests.page_checkers import AXE_SCRIPT, WCAG_TAGS, describe_axe_violations, oracle_file

EDITOR = ".story-editor .cm-content"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def context(chromium):
    """A fresh browser context in the session's chromium (tests/conftest.py)."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en")
    yield context
    close_quietly(context)


@pytest.fixture
def page(context):
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page


def drop_image(page, target, content: bytes, name: str) -> None:
    """Drop an image file on ``target`` as a file dragged from the desktop would be."""
    box = page.locator(target).bounding_box()
    transfer = page.evaluate_handle(
        """([data, name]) => {
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, { type: "image/png" }));
            return transfer;
        }""",
        [base64.b64encode(content).decode(), name],
    )
    at = {"clientX": box["x"] + 20, "clientY": box["y"] + box["height"] - 10}
    page.dispatch_event(target, "dragover", {"dataTransfer": transfer, **at})
    page.dispatch_event(target, "drop", {"dataTransfer": transfer, **at})


def test_a_story_written_with_the_surface_reaches_readers_with_its_image_and_link(
    page, live_server
):
    editor = UserFactory(username="editora", is_staff=True, is_superuser=True)
    budget = ArticleFactory(headline="El presupuesto de 2027, partida por partida")
    # The reporter's new draft: headline, section and byline, no text yet.
    story = ArticleFactory(draft=True, headline="Protesta frente al Senado", body="")
    log_in(page, live_server, editor)

    page.goto(live_server.url + reverse("admin:articles_article_change", args=[story.pk]))
    page.fill("#id_dek", "Cientos de personas pidieron cuentas claras.")

    page.click(EDITOR)
    page.keyboard.type("Cientos de personas marcharon hoy. Exigen ")
    page.keyboard.press("Control+b")
    page.keyboard.type("transparencia")
    page.keyboard.press("End")
    page.keyboard.type(" y revisar ")

    # A link to one of our stories, found by searching its headline.
    page.keyboard.press("Control+k")
    dialog = page.locator("dialog[data-dialog=link]")
    dialog.locator("[data-link-text]").fill("el presupuesto")
    dialog.locator("[data-link-search]").fill("presupuesto")
    dialog.locator(f"button[data-url='{budget.get_absolute_url()}']").click()
    dialog.locator("[data-link-insert]").click()
    assert not dialog.is_visible()
    page.keyboard.type(".")

    # An image dropped from the desktop: the alt text is asked for before anything is stored.
    drop_image(page, EDITOR, image_bytes("PNG", size=(640, 400)), "senado.png")
    image_dialog = page.locator("dialog[data-dialog=image]")
    image_dialog.locator("[data-image-insert]").click()
    assert image_dialog.locator("[data-dialog-error]").is_visible()
    assert not Image.objects.exists()
    image_dialog.locator("[data-image-alt]").fill("Manifestantes frente al Senado")
    image_dialog.locator("[data-image-insert]").click()
    image_dialog.wait_for(state="hidden")
    image = Image.objects.get()
    assert image.alt == "Manifestantes frente al Senado"
    assert image.uploaded_by == editor

    # The toolbar: a quote under the picture.
    page.keyboard.type("Nadie nos escuchaba")
    page.click(".story-editor-toolbar [data-command=quote]")

    body = page.input_value("#id_body")
    assert "Exigen **transparencia** y revisar " in body
    assert f"[el presupuesto]({budget.get_absolute_url()})." in body
    assert f"\n\n![Manifestantes frente al Senado](image:{image.pk})\n\n> Nadie" in body

    # The live preview is the site's own rendering.
    preview = page.locator(".story-editor-preview .markdown-preview-body")
    preview.locator("figure picture img[alt='Manifestantes frente al Senado']").wait_for()
    assert preview.locator(f"a[href='{budget.get_absolute_url()}']").count() == 1
    assert preview.locator("blockquote").inner_text() == "Nadie nos escuchaba"
    assert page.locator("[data-word-count]").inner_text() == "14 palabras"
    assert page.locator("[data-reading-time]").inner_text() == "1 min de lectura"

    # The autosave state follows workflow.js's timer (every 10 s).
    state = page.locator("[data-autosave-state]")
    assert state.get_attribute("data-state") == "dirty"
    page.wait_for_selector("[data-autosave-state][data-state=saved]", timeout=15_000)
    assert state.inner_text().startswith("Guardado a las ")

    # Full screen and back.
    page.click("[data-command=fullscreen]")
    height = page.locator(".story-editor .cm-editor").bounding_box()["height"]
    assert height > 700
    page.keyboard.press("Escape")
    assert page.locator(".story-editor.is-fullscreen").count() == 0

    page.click("input[name=_continue]")
    page.wait_for_selector("ul.messagelist")
    story.refresh_from_db()
    # Browsers send a textarea's lines with CRLF, as they always did.
    assert story.body.replace("\r\n", "\n") == body
    assert story.word_count == 14  # what the surface showed
    publishing.publish_article(article=story, user=editor)

    page.goto(live_server.url + story.get_absolute_url())
    article = page.locator("article").first
    assert article.locator("figure img[alt='Manifestantes frente al Senado']").count() == 1
    assert article.locator(f"a[href='{budget.get_absolute_url()}']").inner_text() == (
        "el presupuesto"
    )
    assert article.locator("strong").first.inner_text() == "transparencia"
    assert page.errors == []


def test_an_image_picked_from_the_library_gets_its_alt_text_first(page, live_server):
    editor = UserFactory(username="editora", is_staff=True, is_superuser=True)
    undescribed = ImageFactory(alt="", caption="Archivo de la redacción", size=(300, 200))
    ImageFactory(alt="Otra foto", size=(300, 200))
    story = ArticleFactory(draft=True, body="Primer párrafo.")
    log_in(page, live_server, editor)

    page.goto(live_server.url + reverse("admin:articles_article_change", args=[story.pk]))
    page.click(EDITOR)
    page.keyboard.press("Control+End")
    page.click(".story-editor-toolbar [data-command=image]")
    dialog = page.locator("dialog[data-dialog=image]")
    dialog.locator("[data-image-search]").fill("archivo")
    dialog.locator(f"button[data-image-id='{undescribed.pk}']").click()
    assert dialog.locator("[data-image-alt]").input_value() == ""
    dialog.locator("[data-image-alt]").fill("La sala de redacción en 1998")
    dialog.locator("[data-image-alt]").press("Enter")
    dialog.wait_for(state="hidden")

    expected = f"Primer párrafo.\n\n![La sala de redacción en 1998](image:{undescribed.pk})\n\n"
    assert page.input_value("#id_body") == expected

    # A pasted picture asks for its alt text too; cancelled, nothing is stored or inserted.
    page.evaluate(
        """data => {
            const transfer = new DataTransfer();
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
            transfer.items.add(new File([bytes], "pegada.png", { type: "image/png" }));
            const paste = new ClipboardEvent("paste", { clipboardData: transfer, bubbles: true });
            document.querySelector(".story-editor .cm-content").dispatchEvent(paste);
        }""",
        base64.b64encode(image_bytes("PNG", size=(60, 40))).decode(),
    )
    assert dialog.locator("[data-image-alt]").is_visible()
    assert dialog.locator("img.story-editor-chosen").get_attribute("src").startswith("blob:")
    dialog.locator("[data-dialog-cancel]").click()
    dialog.wait_for(state="hidden")
    assert page.input_value("#id_body") == expected
    assert Image.objects.count() == 2
    page.locator(".story-editor-preview figure img").wait_for()
    page.click("input[name=_continue]")
    page.wait_for_selector("ul.messagelist")
    story.refresh_from_db()
    assert story.body.replace("\r\n", "\n") == expected.strip()
    assert page.errors == []


def test_without_javascript_the_body_is_the_plain_textarea(chromium, live_server):
    context = chromium.new_context(java_script_enabled=False, locale="en")
    page = context.new_page()
    editor = UserFactory(username="editora", is_staff=True, is_superuser=True)
    log_in(page, live_server, editor)

    page.goto(live_server.url + reverse("admin:articles_article_add"))
    assert page.locator("#id_body").is_visible()
    assert not page.locator(".story-editor-toolbar").is_visible()
    assert not page.locator(".story-editor-preview").is_visible()
    page.fill("#id_headline", "Sin JavaScript")
    page.fill("#id_slug", "sin-javascript")
    page.fill("#id_body", "Escrito **a mano**.\n\n> Una cita.")
    page.click("input[name=_continue]")
    page.wait_for_selector("ul.messagelist")
    context.close()

    story = Article.objects.get(slug="sin-javascript")
    assert story.body.replace("\r\n", "\n") == "Escrito **a mano**.\n\n> Una cita."
    assert "<blockquote>" in story.body_html


def test_bylines_reorder_by_dragging_and_with_the_keyboard(page, live_server):
    editor = UserFactory(username="editora", is_staff=True, is_superuser=True)
    ana, beto, carla = (AuthorFactory(name=name) for name in ("Ana", "Beto", "Carla"))
    story = ArticleFactory(draft=True, authors=[ana, beto, carla])
    log_in(page, live_server, editor)
    page.goto(live_server.url + reverse("admin:articles_article_change", args=[story.pk]))

    rows = page.locator("#bylines-group tr.form-row.has_original")
    assert rows.nth(0).locator("input[name$='-position']").is_hidden()
    # Carla's handle dropped on the top half of Ana's row: Carla first.
    rows.nth(2).locator(".byline-handle").drag_to(rows.nth(0), target_position={"x": 40, "y": 3})
    positions = page.locator("#bylines-group tr.has_original input[name$='-position']")
    assert positions.evaluate_all("inputs => inputs.map(input => input.value)") == ["0", "1", "2"]
    order = rows.evaluate_all(
        "rows => rows.map(row => row.querySelector('[name$=-author]').selectedOptions[0].text)"
    )
    assert order == ["Carla", "Ana", "Beto"]

    # With the keyboard: Ana's "move down" button, pressed with Enter.
    rows.nth(1).locator("button[data-move='1']").focus()
    page.keyboard.press("Enter")
    page.click("input[name=_continue]")
    page.wait_for_selector("ul.messagelist")

    story.refresh_from_db()
    saved = [byline.author.name for byline in story.bylines.order_by("position")]
    assert saved == ["Carla", "Beto", "Ana"]
    assert [byline.position for byline in story.bylines.order_by("position")] == [0, 1, 2]
    assert page.errors == []


def test_the_autosave_state_says_when_the_text_is_not_being_kept(context, page, live_server):
    editor = UserFactory(username="editora", is_staff=True, is_superuser=True)
    story = ArticleFactory(draft=True, body="Primer párrafo.")
    page.clock.install()
    log_in(page, live_server, editor)
    page.goto(live_server.url + reverse("admin:articles_article_change", args=[story.pk]))
    state = page.locator("[data-autosave-state]")
    assert state.get_attribute("data-state") == "idle"

    page.click(EDITOR)
    page.keyboard.press("Control+End")
    page.keyboard.type(" Sin red.")
    assert state.get_attribute("data-state") == "dirty"
    context.set_offline(True)
    page.clock.run_for(11_000)
    page.wait_for_selector("[data-autosave-state][data-state=offline]")
    assert state.inner_text() == "Sin conexión: aún no se ha guardado"

    context.set_offline(False)
    page.wait_for_selector("[data-autosave-state][data-state=dirty]")
    with page.expect_response(lambda response: "autosave" in response.url):
        page.clock.run_for(11_000)
    page.wait_for_selector("[data-autosave-state][data-state=saved]")
    assert state.inner_text().startswith("Guardado a las ")
    assert page.errors == []


def axe_violations(page, selector: str) -> list[dict]:
    """axe-core's WCAG A/AA and best-practice findings inside the elements ``selector``
    matches (the rest of the page is Django's admin, not ours to judge here)."""
    page.evaluate(oracle_file(AXE_SCRIPT).read_text(encoding="utf-8"))
    result = page.evaluate(
        """([selector, tags]) => axe.run({include: [selector]}, {
            runOnly: {type: "tag", values: tags},
            resultTypes: ["violations"],
        })""",
        [selector, [*WCAG_TAGS, "best-practice"]],
    )
    return result["violations"]


def test_the_surface_its_dialogs_and_the_byline_controls_pass_axe(page, live_server, demo):
    editor = UserFactory(username="editora", is_staff=True, is_superuser=True)
    ImageFactory(size=(300, 200))
    log_in(page, live_server, editor)
    page.goto(live_server.url + reverse("admin:articles_article_change", args=[demo.pk]))
    page.locator(".story-editor-preview .markdown-preview-body p").first.wait_for()

    for selector in [".field-body", "#bylines-group .byline-order"]:
        found = axe_violations(page, selector)
        assert found == [], describe_axe_violations(found)
    page.click(".story-editor-toolbar [data-command=image]")
    page.locator("[data-image-results] button").first.wait_for()
    found = axe_violations(page, "dialog[open]")
    assert found == [], describe_axe_violations(found)
    page.keyboard.press("Escape")
    page.keyboard.press("Control+k")
    page.fill("[data-link-search]", "alianza")
    page.locator("[data-link-results] button").first.wait_for()
    found = axe_violations(page, "dialog[open]")
    assert found == [], describe_axe_violations(found)
