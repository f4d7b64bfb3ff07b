"""The catalogue's XSS payloads typed into every editor field in chromium, then every page that
shows them opened: no dialog ever fires and no injected script or handler reaches the DOM."""

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Author, Image, Organization
from tests.factories import CategoryFactory, UserFactory, image_bytes
from tests.threat_payloads import BODY_PAYLOADS, TEXT_PAYLOAD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.threat(1, 11),
]
PASSWORD = "correct horse battery"
# Runnable scripts (not JSON data) that did not come from this site or mention the payload;
# elements with event handlers.
INJECTED = """() => [
  ...[...document.scripts].filter(s => !["application/ld+json", "application/json"].includes(s.type))
    .filter(s => s.textContent.includes("alert") || (s.src && !s.src.startsWith(location.origin)))
    .map(s => s.outerHTML),
  ...[...document.querySelectorAll("*")].filter(el => [...el.attributes]
      .some(a => a.name.startsWith("on"))).map(el => el.outerHTML.slice(0, 80)),
]"""


def save_admin_form(page, live_server, url, fields, files=None):
    page.goto(live_server.url + url)
    for selector, value in fields.items():
        page.fill(selector, value)
    for selector, payload in (files or {}).items():
        page.set_input_files(selector, payload)
    page.click("input[name=_save]")
    page.wait_for_load_state("load")
    assert page.locator(".errornote, .errorlist").count() == 0, page.locator("form").inner_text()


def test_payloads_typed_in_the_editor_never_run(chromium, live_server):
    section = CategoryFactory()
    UserFactory(username="editora", is_staff=True, is_superuser=True)
    context = chromium.new_context(locale="en")
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", "editora")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#content-main")

    save_admin_form(page, live_server, reverse("admin:articles_author_add"),
                    {"#id_name": f"Autora {TEXT_PAYLOAD}", "#id_slug": "autora-hostil"})  # fmt: skip
    save_admin_form(page, live_server, reverse("admin:articles_organization_add"),
                    {"#id_name": f"Org {TEXT_PAYLOAD}", "#id_slug": "org-hostil"})  # fmt: skip
    save_admin_form(
        page,
        live_server,
        reverse("admin:articles_image_add"),
        {"#id_alt": f"Alt {TEXT_PAYLOAD}", "#id_caption": f"Pie {TEXT_PAYLOAD}"},
        files={
            "#id_upload": {
                "name": "foto.png",
                "mimeType": "image/png",
                "buffer": image_bytes("PNG"),
            }
        },  # fmt: skip
    )
    save_admin_form(
        page,
        live_server,
        reverse("admin:articles_article_add"),
        {
            "#id_headline": f"Titular {TEXT_PAYLOAD}",
            "#id_slug": "titular-hostil",
            "#id_dek": f"Entrada {TEXT_PAYLOAD}",
            "#id_summary": f"Resumen {TEXT_PAYLOAD}",
            "#id_body": "Texto.\n\n" + "\n\n".join(BODY_PAYLOADS),
            "#id_tags": f"tema {TEXT_PAYLOAD}",
            "#id_lead_image_caption": f"Pie propio {TEXT_PAYLOAD}",
        },
    )
    story = Article.objects.get(headline__startswith="Titular")
    story.bylines.create(author=Author.objects.get(), position=0)
    story.organizations.add(Organization.objects.get())
    # Straight to published: the workflow refuses the payload images, which lack alt text.
    story.category, story.lead_image = section, Image.objects.get()
    story.status, story.published_at = Article.Status.PUBLISHED, timezone.now()
    story.save()

    urls = [
        story.get_absolute_url(),
        "/",
        section.get_absolute_url(),
        Author.objects.get().get_absolute_url(),
        Organization.objects.get().get_absolute_url(),
        reverse("articles:preview", args=[story.pk]),
        reverse("articles:feed-rss"),
        reverse("articles:feed-atom"),
        reverse("admin:articles_article_changelist"),
        reverse("admin:articles_article_change", args=[story.pk]),
        reverse("admin:articles_author_changelist"),
        reverse("admin:articles_organization_changelist"),
        reverse("admin:articles_image_changelist"),
        reverse("admin:articles_article_history", args=[story.pk]),
    ]
    for url in urls:
        response = page.goto(live_server.url + url)
        assert response.ok, url
        page.wait_for_load_state("load")
        assert page.evaluate(INJECTED) == [], url
    context.close()

    assert dialogs == []


@pytest.mark.threat(11)
def test_a_javascript_author_link_never_runs_even_without_the_csp(chromium, live_server):
    """Issue 22: the CSP is the second wall. With the header stripped (a CDN that rewrites
    headers, an operator's nginx), an author link written around validation (an import, an
    old database) is still no script: the page never makes it a link, and clicking every link
    on the author's header fires no dialog."""
    from tests.factories import ArticleFactory, AuthorFactory

    author = AuthorFactory(slug="autora-enlaces")
    ArticleFactory(authors=[author])
    Author.objects.filter(pk=author.pk).update(
        links="javascript:alert('enlace')\nJaVaScRiPt:alert(2)\n"
        "data:text/html,<script>alert(3)</script>\nhttps://ana.example/"
    )
    context = chromium.new_context(locale="es")

    def without_csp(route):
        if not route.request.url.startswith(live_server.url):
            route.fulfill(status=200, body="fuera del sitio", content_type="text/plain")
            return
        response = route.fetch()
        headers = {
            name: value
            for name, value in response.headers.items()
            if name.lower() != "content-security-policy"
        }
        route.fulfill(response=response, headers=headers)

    context.route("**/*", without_csp)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    response = page.goto(live_server.url + author.get_absolute_url())
    assert "content-security-policy" not in {name.lower() for name in response.headers}

    links = page.locator(".subject__links a")
    hrefs = [links.nth(n).get_attribute("href") for n in range(links.count())]
    for n in range(len(hrefs)):
        page.goto(live_server.url + author.get_absolute_url())
        page.locator(".subject__links a").nth(n).click()
        page.wait_for_timeout(300)
    context.close()

    assert dialogs == []
    assert hrefs == ["https://ana.example/"]
