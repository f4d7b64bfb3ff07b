"""Issue 22, items 8 and 9: logging in lands on the admin, a forgotten password has a way back
by e-mail (Django's views, in Spanish), no link of the site answers 404, and every absolute
address the site sends or shows comes from SITE_URL, never the Host header."""

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from articles import previews
from tests.factories import ArticleFactory, CorrectionFactory, EditorFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
SITE = "https://gobiernofacil.test"
FORGED_HOST = "evil.example"


@pytest.fixture
def editora():
    return UserFactory(username="editora", email="editora@redaccion.test", is_staff=True)


def test_a_refused_next_after_login_lands_on_the_admin(editora):
    response = Client().post(
        "/admin/login/?next=https://evil.example/robar",
        {"username": "editora", "password": PASSWORD, "next": "https://evil.example/robar"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_an_anonymous_visit_to_a_preview_goes_to_a_login_page_that_exists():
    story = ArticleFactory(draft=True)
    client = Client()

    response = client.get(reverse("articles:preview", args=[story.pk]))

    assert response.status_code == 302
    login = client.get(response["Location"])
    assert login.status_code == 200
    assert 'name="password"' in login.content.decode()


def reset_link_in(message) -> str:
    (link,) = re.findall(r"https?://\S+/admin/reset/\S+/", message.body)
    return link


def test_a_forgotten_password_comes_back_by_e_mail_in_spanish(editora, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, FORGED_HOST]
    client = Client()
    login_page = client.get("/admin/login/").content.decode()
    assert f'href="{reverse("admin_password_reset")}"' in login_page

    asked = client.post(
        reverse("admin_password_reset"),
        {"email": "editora@redaccion.test"},
        HTTP_HOST=FORGED_HOST,
        follow=True,
    )

    assert asked.status_code == 200
    (message,) = mail.outbox
    assert message.to == ["editora@redaccion.test"]
    assert "restablecer" in message.body.lower() or "restablecimiento" in message.body.lower()
    link = reset_link_in(message)
    assert link.startswith(f"{SITE}/admin/reset/")
    assert FORGED_HOST not in message.body
    # The link works: a new password, then logging in with it.
    form = client.get(urlsplit(link).path, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0],
        {
            "new_password1": "otra clave muy larga 2026",
            "new_password2": "otra clave muy larga 2026",
        },
        follow=True,
    )
    assert done.status_code == 200
    assert f'href="{reverse("admin:login")}"' in done.content.decode()
    logged_in = Client().post(
        "/admin/login/", {"username": "editora", "password": "otra clave muy larga 2026"}
    )
    assert logged_in.status_code == 302
    assert logged_in["Location"] == reverse("admin:index")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.extend(value for name, value in attrs if name == "href" and value)


def site_path(href: str, page: str) -> str | None:
    """The path a link leads to on this site, or None for another site, mailto: or #."""
    url = urljoin(SITE + page, href)
    if not url.startswith(SITE + "/"):
        return None
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_no_link_on_the_site_answers_404(rich_story_factory, editora):
    # Stories with everything a page links to: sections, authors, tags, organizations,
    # corrections, archives. (The demo story's own body links to the old site's pages: that
    # is the editor's text, which the editor's link warnings are about.)
    client = Client()
    story = rich_story_factory()
    CorrectionFactory(article=story)
    for _ in range(3):
        rich_story_factory(category=story.category)
    start = ["/", "/admin/login/", reverse("admin_password_reset"), "/correcciones/"]
    seen, queue, dead = set(start), list(start), []
    while queue and len(seen) < 400:
        page = queue.pop(0)
        response = client.get(page, follow=True)
        if response.status_code == 404:
            dead.append(page)
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        links = _Links()
        links.feed(response.content.decode())
        for href in links.hrefs:
            path = site_path(href, page)
            if path and path not in seen and not path.startswith("/admin/articles/"):
                seen.add(path)
                queue.append(path)

    assert dead == []
    assert len(seen) > 20  # the crawl went through the site, not only its first page


def test_no_absolute_address_comes_from_the_host_header(demo, editora, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, FORGED_HOST]
    client = Client(HTTP_HOST=FORGED_HOST)
    editor = EditorFactory()
    client.force_login(editor)

    shared = client.post(reverse("admin:articles_article_share", args=[demo.pk]), follow=True)
    (message,) = [str(m) for m in shared.context["messages"]]
    link = demo.preview_links.get()
    assert f"{SITE}{previews.PreviewLink.get_absolute_url(link)}" in message
    for address in (
        "/feeds/rss/",
        "/feeds/atom/",
        "/sitemap.xml",
        "/sitemap-news.xml",
        demo.get_absolute_url(),
        "/",
    ):
        page = Client(HTTP_HOST=FORGED_HOST).get(address, follow=True)
        assert page.status_code == 200, address
        assert FORGED_HOST not in page.content.decode(), address
    Client(HTTP_HOST=FORGED_HOST).post(
        reverse("admin_password_reset"), {"email": "editora@redaccion.test"}
    )
    assert FORGED_HOST not in mail.outbox[-1].body
    assert reset_link_in(mail.outbox[-1]).startswith(SITE)


@pytest.mark.threat(47)
def test_t47_the_reset_page_answers_the_same_for_an_unknown_address(editora):
    known = Client().post(
        reverse("admin_password_reset"), {"email": "editora@redaccion.test"}, follow=True
    )
    unknown = Client().post(
        reverse("admin_password_reset"), {"email": "nadie@redaccion.test"}, follow=True
    )

    assert known.redirect_chain == unknown.redirect_chain
    assert known.content == unknown.content
    assert len(mail.outbox) == 1
