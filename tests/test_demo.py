"""The demo newsroom a newcomer sees after the README's first command."""

import pytest
from django.core.management import call_command

from articles.management.commands.load_demo import DEMO_PASSWORD, DEMO_USERNAME
from articles.models import Article, Author, Category, FrontSlot, Image, Organization

pytestmark = pytest.mark.django_db

ORGANIZATIONS_LINKED_BY_THE_STORY = {
    "INAI", "NYT", "Citizen Lab", "SocialTic", "R3D", "Artículo 19", "CIDAC",
    "Contraloría Ciudadana para la Rendición de Cuentas", "Fundar", "GESOC", "IMCO", "ONC",
    "Transparencia Mexicana", "OGP",
}  # fmt: skip


def test_demo_has_the_reference_story_published_with_its_metadata(demo):
    assert demo.headline == (
        "Organizaciones de la Sociedad Civil salen de la Alianza para el Gobierno Abierto"
    )
    assert demo.is_published
    assert demo.dek.startswith("Las 10 organizaciones que integraban")
    assert demo.summary.endswith("defensores mexicanos de la salud.")
    assert demo.category.name == "Transparencia"
    assert list(demo.tags.names()) == ["Transparencia"]
    [byline] = demo.bylines.all()
    assert byline.author.name == "Gobierno Fácil"
    assert byline.author.kind == Author.Kind.ORGANIZATION
    assert demo.published_at.date().isoformat() == "2017-05-24"


def test_demo_story_names_every_organization_it_links_and_cultura_ecologica(demo):
    named = {org.acronym or org.name for org in demo.organizations.all()}
    assert named >= ORGANIZATIONS_LINKED_BY_THE_STORY
    assert "Cultura Ecológica" in named


def test_demo_loader_is_idempotent(demo):
    call_command("load_demo", verbosity=0)
    assert Article.objects.count() == 7
    assert Category.objects.count() == 3
    assert Author.objects.count() == 5
    assert Organization.objects.count() == 15
    assert demo.bylines.count() == 1
    assert Image.objects.count() == 6
    assert FrontSlot.objects.count() == 3


def test_demo_admin_login_from_the_readme_works(demo, client):
    # Through the login form, as a person does (and as the login throttle sees it).
    response = client.post(
        "/admin/login/?next=/admin/", {"username": DEMO_USERNAME, "password": DEMO_PASSWORD}
    )

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_readme_names_the_demo_login():
    from tests.conftest import PROJECT_ROOT

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert DEMO_USERNAME in readme and DEMO_PASSWORD in readme


def test_demo_home_page_leads_with_the_reference_story_and_its_picture(demo, client):
    page = client.get("/").content.decode()

    lead = page[page.index('class="front__lead"') :]
    assert lead.index(demo.headline) < lead.index('class="front__secondary"')
    assert 'fetchpriority="high"' in lead[: lead.index(demo.headline)]
    assert Article.objects.filter(lead_image__isnull=False).count() == 6
