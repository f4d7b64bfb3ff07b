"""The public templates on Jinja2 (``articles/jinja2_env.py``): every value escaped the way
Django escaped it, on every page type; translations through Django's catalogs, found by
``makemessages``."""

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import translation

from articles.management.commands.makemessages import jinja2_messages_as_python
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CorrectionFactory,
    EditorFactory,
    OrganizationFactory,
)

HEADLINE = "<script>alert('titular')</script> Presupuesto"
NAME = "<script>alert('autora')</script> O'Brien"
ESCAPED_HEADLINE = "&lt;script&gt;alert(&#x27;titular&#x27;)&lt;/script&gt; Presupuesto"
ESCAPED_NAME = "&lt;script&gt;alert(&#x27;autora&#x27;)&lt;/script&gt; O&#x27;Brien"


@pytest.fixture
def hostile_story(db):
    """A published story whose headline, author, tag and organization carry a script."""
    author = AuthorFactory(name=NAME, bio=NAME)
    organization = OrganizationFactory(name=NAME, description=NAME)
    story = ArticleFactory(
        headline=HEADLINE,
        dek=HEADLINE,
        authors=[author],
        tags=["<script>tema"],
        organizations=[organization],
    )
    CorrectionFactory(article=story, text=NAME)
    return story


def public_pages(story) -> dict[str, tuple[str, list[str]]]:
    """Each page type Jinja2 renders, with the escaped values it must show."""
    both = [ESCAPED_HEADLINE, ESCAPED_NAME]
    published = story.published_at
    return {
        "story": (story.get_absolute_url(), both),
        "home": (reverse("articles:home"), both),
        "section": (story.category.get_absolute_url(), both),
        "tag": (reverse("articles:tag", kwargs={"slug": story.tags.get().slug}), both),
        "author": (story.ordered_bylines[0].author.get_absolute_url(), both),
        "organization": (story.organizations.get().get_absolute_url(), both),
        "organizations": (reverse("articles:organizations"), [ESCAPED_NAME]),
        "archive": (reverse("articles:archive"), both),
        "archive-year": (reverse("articles:archive-year", args=[published.year]), both),
        "archive-month": (
            reverse("articles:archive-month", args=[published.year, published.month]),
            both,
        ),
        "search": (reverse("articles:search") + "?q=Presupuesto", both),
        "corrections": (reverse("articles:corrections"), [ESCAPED_HEADLINE, ESCAPED_NAME]),
        "sitemap-news": (reverse("articles:sitemap-news"), [ESCAPED_HEADLINE]),
    }


def test_every_page_type_escapes_headlines_and_names_as_django_did(client, hostile_story):
    for name, (path, escaped_values) in public_pages(hostile_story).items():
        response = client.get(path)
        html = response.content.decode()

        assert response.status_code == 200, name
        assert "<script>alert" not in html, name
        for value in escaped_values:
            assert value in html, (name, value)


def test_the_preview_and_the_error_pages_escape_what_they_show(client, hostile_story):
    client.force_login(EditorFactory())
    preview = client.get(reverse("articles:preview", args=[hostile_story.pk])).content.decode()
    missing = client.get("/<script>alert('x')</script>/").content.decode()

    assert ESCAPED_HEADLINE in preview and ESCAPED_NAME in preview
    assert "<script>alert" not in preview and "<script>alert" not in missing


def test_values_print_localized_and_translated_like_django_templates(settings):
    settings.USE_THOUSAND_SEPARATOR = True
    template = engines["jinja2"].from_string(
        '{{ number }} · {{ _("Search") }} · {{ ngettext("%(minutes)s minute read", '
        '"%(minutes)s minutes read", 3)|format(minutes=3) }}'
    )

    with translation.override("es"):
        spanish = template.render({"number": 12345})
    with translation.override("en"):
        english = template.render({"number": 12345})

    assert spanish == "12\xa0345 · Buscar · 3 minutos de lectura"
    assert english == "12,345 · Search · 3 minutes read"


def test_makemessages_reads_every_message_of_a_jinja2_template_on_its_line():
    source = (
        '<p>{{ _("Search") }}</p>\n'
        "{% if x %}{{ ngettext('%(n)s story', '%(n)s stories', x)|format(n=x) }}{% endif %}\n"
        "{% trans %}Follow us{% endtrans %}\n"
    )

    python = jinja2_messages_as_python(source).splitlines()

    assert python == [
        "_('Search'); ",
        "ngettext('%(n)s story', '%(n)s stories', n); ",
        "gettext('Follow us'); ",
    ]
