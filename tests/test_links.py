"""Issue 22, item 1: every address an editor types is http, https or mailto, checked when the
model is validated and again wherever it leaves the site."""

import re

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation

from articles import links
from articles.models import Author, Organization
from tests.factories import ArticleFactory, AuthorFactory, OrganizationFactory

pytestmark = [pytest.mark.threat(11), pytest.mark.django_db]

# What makes a text field an address field, read from its name, label and help text (in
# English): a new field that speaks of links or web addresses is walked without being listed.
ADDRESS_WORDS = re.compile(r"\b(links?|urls?|website|web address(es)?|href)\b", re.IGNORECASE)
OUR_VALIDATORS = (links.validate_link, links.validate_link_lines, links.validate_text_or_link)
HOSTILE = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.cookie)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    " \x01javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://example.org/a",
]
ACCEPTED = ["https://ana.example/", "http://ana.example/perfil", "mailto:ana@example.org"]


def address_fields():
    """Every text field of every model that holds an address (see ``ADDRESS_WORDS``)."""
    found = []
    with translation.override("en"):
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if not isinstance(field, (models.CharField, models.TextField)):
                    continue
                described = f"{field.name.replace('_', ' ')} {field.verbose_name} {field.help_text}"
                if isinstance(field, models.URLField) or ADDRESS_WORDS.search(described):
                    found.append(field)
    return found


def test_the_walk_finds_the_address_fields_we_know():
    labels = {f"{field.model._meta.label}.{field.name}" for field in address_fields()}

    assert {"articles.Author.links", "articles.Organization.website", "articles.Image.source"} <= (
        labels
    )


@pytest.mark.parametrize("field", address_fields(), ids=lambda field: str(field))
def test_every_address_field_refuses_every_scheme_but_http_https_and_mailto(field):
    assert any(validator in OUR_VALIDATORS for validator in field.validators), (
        f"{field} has no link-scheme validator"
    )
    for value in HOSTILE:
        with pytest.raises(ValidationError):
            field.run_validators(value)
    # A URLField (a website) is stricter still: Django's URLValidator wants a web address.
    for value in ACCEPTED:
        if not (isinstance(field, models.URLField) and value.startswith("mailto:")):
            field.run_validators(value)


def test_an_image_source_may_still_be_words():
    links.validate_text_or_link("Cuartoscuro: archivo")
    links.validate_text_or_link("Oficina de prensa de la Secretaría")
    with pytest.raises(ValidationError):
        links.validate_text_or_link("javascript:alert(1)")


def test_the_author_form_in_the_admin_names_the_refused_link(editor_client):
    author = AuthorFactory()
    url = f"/admin/articles/author/{author.pk}/change/"

    response = editor_client.post(
        url,
        {
            "name": author.name,
            "slug": author.slug,
            "kind": "person",
            "links": "https://ana.example/\njavascript:alert(1)",
        },
    )

    assert response.status_code == 200
    assert "javascript:alert(1)" in response.context["adminform"].form.errors["links"][0]
    author.refresh_from_db()
    assert "javascript" not in author.links


def test_addresses_written_around_validation_never_reach_a_page(client):
    author = AuthorFactory()
    organization = OrganizationFactory()
    story = ArticleFactory(authors=[author], organizations=[organization])
    # An import, the shell or an old database: rows the validators never saw.
    Author.objects.filter(pk=author.pk).update(
        links="javascript:alert(1)\nhttps://ana.example/\ndata:text/html,x\nmailto:ana@example.org"
    )
    Organization.objects.filter(pk=organization.pk).update(website="javascript:alert(2)")

    for path in (
        author.get_absolute_url(),
        organization.get_absolute_url(),
        story.get_absolute_url(),
    ):
        page = client.get(path).content.decode()
        assert "javascript:" not in page, path
        assert "data:text/html" not in page, path
    author_page = client.get(author.get_absolute_url()).content.decode()
    assert 'href="https://ana.example/"' in author_page
    assert '"sameAs": ["https://ana.example/", "mailto:ana@example.org"]' in author_page
