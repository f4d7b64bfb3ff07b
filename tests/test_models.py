"""The content model and the one publishing rule."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from articles.models import Article, Category, OrganizationDomain
from articles.publishing import publish_article, unpublish_article
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "traits, visible",
    [
        ({}, True),
        ({"draft": True}, False),
        ({"in_review": True}, False),
        ({"scheduled": True}, False),
        ({"unpublished": True}, False),
        ({"status": Article.Status.DRAFT}, False),  # a draft that once had a date
        ({"published_at": None}, False),
        ({"embargoed_until": timezone.now() + timedelta(hours=1)}, False),
        ({"embargoed_until": timezone.now() - timedelta(minutes=1)}, True),
        ({"draft": True, "embargoed_until": timezone.now() - timedelta(minutes=1)}, False),
    ],
    ids=[
        "published",
        "draft",
        "in-review",
        "future",
        "unpublished",
        "draft-dated",
        "no-date",
        "embargoed",
        "embargo-lifted",
        "draft-embargo-lifted",
    ],
)
def test_is_published_agrees_with_the_queryset(traits, visible):
    article = ArticleFactory(**traits)
    assert article.is_published is visible
    assert Article.objects.published().filter(pk=article.pk).exists() is visible


def test_scheduled_story_becomes_visible_at_its_time(time_machine):
    time_machine.move_to("2026-05-01 12:00:00+00:00", tick=False)
    article = ArticleFactory(published_at=timezone.now() + timedelta(minutes=30))
    assert not Article.objects.published().filter(pk=article.pk).exists()
    time_machine.move_to("2026-05-01 12:31:00+00:00", tick=False)
    assert Article.objects.published().filter(pk=article.pk).exists()
    article.refresh_from_db()
    assert article.is_published


def test_next_publication_time_is_the_earliest_schedule_or_embargo_readers_wait_for():
    now = datetime(2026, 5, 1, 12, 0, 0, 500000, tzinfo=UTC)
    assert Article.objects.next_publication_time(now) is None

    ArticleFactory(published_at=now - timedelta(days=1))  # already visible
    ArticleFactory(draft=True, published_at=now + timedelta(minutes=5))  # nobody will see it
    ArticleFactory(published_at=now + timedelta(hours=2))
    assert Article.objects.next_publication_time(now) == now + timedelta(hours=2)

    # Embargoed: visible when the embargo lifts, even though its date has passed.
    ArticleFactory(
        published_at=now - timedelta(hours=1), embargoed_until=now + timedelta(minutes=45)
    )
    earliest = Article.objects.next_publication_time(now)
    assert earliest == now + timedelta(minutes=45)
    assert earliest.tzinfo is not None  # compared with aware times by the page cache

    ArticleFactory(published_at=now + timedelta(seconds=1))
    assert Article.objects.next_publication_time(now) == now + timedelta(seconds=1)
    assert Article.objects.next_publication_time(now + timedelta(hours=3)) is None


def test_body_html_word_count_and_reading_time_are_derived_on_save():
    article = ArticleFactory(body="palabra " * 450)
    assert article.body_html.startswith("<p>palabra")
    assert article.word_count == 450
    assert article.reading_time == 3


def test_saving_other_fields_does_not_rerender_but_body_updates_do():
    article = ArticleFactory(body="uno")
    Article.objects.filter(pk=article.pk).update(body_html="<p>stale</p>")
    article.refresh_from_db()
    article.save(update_fields=["headline"])
    article.refresh_from_db()
    assert article.body_html == "<p>stale</p>"
    article.body = "dos"
    article.save(update_fields=["body"])
    article.refresh_from_db()
    assert article.body_html == "<p>dos</p>"


def test_section_names_are_unique_whatever_their_case():
    CategoryFactory(name="Transparencia", slug="transparencia")
    with pytest.raises(IntegrityError), transaction.atomic():
        Category.objects.create(name="transparencia", slug="transparencia-2")


def test_byline_keeps_the_order_it_was_given():
    first, second, third = AuthorFactory(name="Zoe"), AuthorFactory(name="Ana"), AuthorFactory()
    article = ArticleFactory(authors=[first, second, third])
    fetched = Article.objects.for_listing().get(pk=article.pk)
    assert [b.author for b in fetched.ordered_bylines] == [first, second, third]


def test_story_url_has_section_date_and_slug_in_local_time(settings):
    settings.TIME_ZONE = "America/Mexico_City"
    article = ArticleFactory(
        slug="una-historia",
        category=CategoryFactory(slug="datos"),
        # 03:00 UTC on 25 May is still 24 May in Mexico City.
        published_at=datetime(2017, 5, 25, 3, 0, tzinfo=UTC),
    )
    assert article.get_absolute_url() == "/datos/2017/05/24/una-historia/"


def test_organizations_are_attached_from_links_including_subdomains():
    inai = OrganizationFactory(name="INAI", domains=["inai.org.mx", "ifai.org.mx"])
    fundar = OrganizationFactory(name="Fundar", domains=["fundar.org.mx"])
    OrganizationFactory(name="No mencionada", domains=["otra.org"])
    article = ArticleFactory(
        body="[INAI](http://inicio.ifai.org.mx/SitePages/ifai.aspx) y [Fundar](http://WWW.fundar.org.mx/?p=1)"
    )
    found = article.attach_linked_organizations()
    assert set(found) == {inai, fundar}
    assert set(article.organizations.all()) == {inai, fundar}


def test_an_organization_an_editor_removed_is_not_attached_again_by_the_same_link():
    fundar = OrganizationFactory(domains=["fundar.org.mx"])
    article = ArticleFactory(body="[Fundar](http://fundar.org.mx)")
    article.attach_linked_organizations()
    article.organizations.remove(fundar)
    previous = article.body_html
    article.body += "\n\nMás texto."
    article.save()
    article.attach_linked_organizations(previous_body_html=previous)
    assert not article.organizations.exists()


def test_domains_are_stored_bare_and_lower_case():
    domain = OrganizationDomain.objects.create(
        organization=OrganizationFactory(domains=[]), domain="https://WWW.Articulo19.org/inicio"
    )
    assert domain.domain == "articulo19.org"


def test_publishing_requires_headline_body_section_and_byline():
    article = ArticleFactory(draft=True, category=None, body="", authors=[])
    with pytest.raises(ValidationError) as error, translation.override("en"):
        publish_article(article=article)
    message = str(error.value)
    for missing in ("body", "section", "byline"):
        assert missing in message
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_publish_now_then_unpublish_then_republish_keeps_the_first_date(time_machine):
    time_machine.move_to("2026-03-01 12:00:00+00:00", tick=False)
    article = ArticleFactory(draft=True)
    publish_article(article=article)
    first_date = article.published_at
    assert Article.objects.published().filter(pk=article.pk).exists()
    unpublish_article(article=article)
    assert not Article.objects.published().filter(pk=article.pk).exists()
    time_machine.move_to("2026-03-02 12:00:00+00:00", tick=False)
    publish_article(article=article)
    assert article.published_at == first_date


def test_publishing_at_a_future_time_schedules_the_story(time_machine):
    time_machine.move_to("2026-03-01 12:00:00+00:00", tick=False)
    article = ArticleFactory(draft=True)
    publish_article(article=article, at=timezone.now() + timedelta(hours=2))
    assert article.status == Article.Status.PUBLISHED
    assert not article.is_published


@pytest.mark.parametrize(
    "model_factory",
    [ArticleFactory, AuthorFactory, CategoryFactory, OrganizationFactory],
)
def test_every_model_has_a_readable_name_and_a_public_address(model_factory):
    obj = model_factory()
    assert str(obj)
    assert obj.get_absolute_url().startswith("/")


def test_a_listing_reads_byline_tags_and_organizations_from_its_prefetch(
    django_assert_num_queries,
):
    first, second = AuthorFactory(name="Zoe Ruiz"), AuthorFactory(name="Ana Díaz")
    organization = OrganizationFactory(name="Fundar")
    story = ArticleFactory(
        authors=[first, second], tags=["agua", "presupuesto"], organizations=[organization]
    )

    fetched = Article.objects.for_detail().get(pk=story.pk)
    with django_assert_num_queries(0):
        byline = [entry.author.name for entry in fetched.ordered_bylines]
        tags = sorted(tag.name for tag in fetched.tag_list)
        organizations = [org.name for org in fetched.organization_list]
    assert byline == ["Zoe Ruiz", "Ana Díaz"]  # signing order, not alphabetical
    assert tags == ["agua", "presupuesto"]
    assert organizations == ["Fundar"]

    # A story fetched without the prefetch reads the same from the database.
    plain = Article.objects.get(pk=story.pk)
    assert [entry.author.name for entry in plain.ordered_bylines] == byline
    assert sorted(tag.name for tag in plain.tag_list) == tags
    assert [org.name for org in plain.organization_list] == organizations
