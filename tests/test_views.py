"""The public site through the test client: every page, the publishing rule, query counts."""

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.template.loader import get_template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.views.defaults import server_error

from articles import page_tags, story_pages
from articles.models import Article, Byline, Category
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, OrganizationFactory

# The most queries any public page may make, whether it lists 1 story or 30 (each with 3
# authors, 5 tags and 5 organizations): the subject, a tag's, author's or organization's links
# (up to FEW_STORIES of them, so that a rare one is read by id: ArticleQuerySet.about_for_listing),
# the page of stories with their stored teasers (never counted, articles/pagination.py and
# articles/list_fragments.py), the stories the page renders itself (its first teaser, any
# without a fresh teaser: one query, from their rows), the navigation's sections; and, once per content change,
# the page cache's question of when the next scheduled story (or a front's change) is due,
# and the breaking-news banner (articles/front_pages.py); and, before rendering, the number of
# the last change and the versions of the tags every page shares (one indexed read,
# articles/tag_versions.py: what the page is built "as of").
MAX_QUERIES_PER_PAGE = 8
# The home page and a section's page add their front: its places (and the pictures chosen for
# them, both read once per change), the stored pieces of the places the newest stories fill
# and of its rail, and the stories it renders itself, from their rows
# (articles/list_fragments.py); the home page adds the stored pieces of its section blocks'
# stories, chosen among the newest stories lists carry, read once per change
# (articles/front_pages.py).
MAX_QUERIES_FRONT_PAGE = 11
# The story page reads the story and everything it prints about it in one query, its row of
# the read model (articles/story_pages.py); it has no subject. The navigation's sections and
# the newest stories its related stories are chosen from (3 queries) are read with the next
# publication time once per change readers see, with the breaking-news banner; until the next
# change a story page reads only its row and the pictures of its related stories and of "More
# from" its section (one query for both lists, from their rows). Each adds the read of the
# change number and shared tag versions, as above.
MAX_QUERIES_STORY_PAGE = 9
MAX_QUERIES_STORY_PAGE_SAME_GENERATION = 3

HIDDEN_TRAITS = ["draft", "in_review", "scheduled", "unpublished"]

pytestmark = pytest.mark.django_db


def html_of(response):
    return response.content.decode()


@pytest.fixture
def subjects(db):
    """A section, tag, author and organization that stories can share."""
    return {
        "section": CategoryFactory(slug="politica", name="Política"),
        "author": AuthorFactory(slug="ana-lopez", name="Ana López"),
        "organization": OrganizationFactory(slug="inai", name="INAI"),
    }


def story_about(subjects, **kwargs):
    """A story in the shared section, signed by the shared author, naming the organization."""
    return ArticleFactory(
        category=subjects["section"],
        authors=[subjects["author"]],
        organizations=[subjects["organization"]],
        tags=["agua"],
        **kwargs,
    )


def list_urls(subjects, when):
    """Every page that lists stories, for the subjects above and the month ``when``."""
    return {
        "home": reverse("articles:home"),
        "section": reverse("articles:section", kwargs={"slug": subjects["section"].slug}),
        "tag": reverse("articles:tag", kwargs={"slug": "agua"}),
        "author": reverse("articles:author", kwargs={"slug": subjects["author"].slug}),
        "organization": reverse(
            "articles:organization", kwargs={"slug": subjects["organization"].slug}
        ),
        "archive": reverse("articles:archive"),
        "archive-year": reverse("articles:archive-year", kwargs={"year": when.year}),
        "archive-month": reverse(
            "articles:archive-month", kwargs={"year": when.year, "month": when.month}
        ),
    }


# Every page renders


def test_home_lists_the_latest_stories_newest_first(client):
    older = ArticleFactory(headline="Ayer", published_at=timezone.now() - timedelta(days=1))
    newer = ArticleFactory(headline="Hoy")

    response = client.get("/")

    assert response.status_code == 200
    page = html_of(response)
    assert page.index(newer.headline) < page.index(older.headline)
    assert older.get_absolute_url() in page


def test_pages_are_spanish_by_default(client, db):
    page = html_of(client.get("/"))

    assert '<html lang="es">' in page
    assert "Saltar al contenido" in page
    assert 'name="viewport"' in page


def test_the_menu_lists_the_sections_and_follows_a_new_or_renamed_one_at_once(client, db):
    def menu():
        html = html_of(client.get(reverse("articles:organizations")))
        nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.DOTALL).group(0)
        return re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav)[:-2]

    CategoryFactory(name="Agua", slug="agua", position=2)
    assert menu() == [("/secciones/agua/", "Agua")]
    CategoryFactory(name="Transparencia", slug="transparencia", position=1)
    assert menu() == [("/secciones/transparencia/", "Transparencia"), ("/secciones/agua/", "Agua")]
    section = Category.objects.get(slug="agua")
    section.name = "Agua y ciudad"
    section.save()
    assert menu()[1] == ("/secciones/agua/", "Agua y ciudad")


def test_home_paginates_with_accessible_links(client, settings):
    settings.ARTICLES_PER_PAGE = 2
    stories = [
        ArticleFactory(published_at=timezone.now() - timedelta(hours=n)) for n in range(1, 6)
    ]

    first = html_of(client.get("/"))
    second = client.get("/?page=2")

    assert 'href="?page=2" rel="next"' in first
    assert "Página 1" in first
    assert second.status_code == 200
    page = html_of(second)
    assert stories[2].headline in page
    assert stories[0].headline not in page
    assert 'href="?page=1" rel="prev"' in page
    assert 'aria-label="Páginas"' in page


@pytest.mark.parametrize("page", ["abc", "99", "-1"])
def test_a_page_number_that_does_not_exist_is_404(client, db, page):
    ArticleFactory()

    assert client.get(f"/?page={page}").status_code == 404


def test_section_page_shows_its_stories_only(client, subjects):
    mine = story_about(subjects)
    other = ArticleFactory()
    subjects["section"].description = "Lo que pasa en el Congreso."
    subjects["section"].save()

    page = html_of(client.get(subjects["section"].get_absolute_url()))

    assert "<h1" in page and "Política" in page
    assert "Lo que pasa en el Congreso." in page
    assert mine.headline in page
    assert other.headline not in page


def test_tag_page_shows_stories_with_the_tag(client, subjects):
    tagged = story_about(subjects)
    untagged = ArticleFactory()

    response = client.get(reverse("articles:tag", kwargs={"slug": "agua"}))

    assert response.status_code == 200
    assert tagged.headline in html_of(response)
    assert untagged.headline not in html_of(response)


def test_author_page_shows_bio_links_and_stories_but_never_the_email(client, subjects):
    author = subjects["author"]
    author.bio = "Reportera de datos en la Ciudad de México."
    author.email = "ana@secreto.example"
    author.links = "https://ana.example/\nhttps://mastodon.example/@ana"
    author.save()
    signed = story_about(subjects)

    page = html_of(client.get(author.get_absolute_url()))

    assert "Reportera de datos en la Ciudad de México." in page
    assert 'href="https://ana.example/"' in page
    assert 'href="https://mastodon.example/@ana"' in page
    assert signed.headline in page
    assert "ana@secreto.example" not in page


def test_organization_page_says_what_it_is_and_lists_stories_that_name_it(client, subjects):
    organization = subjects["organization"]
    organization.acronym = "INAI"
    organization.description = "Órgano garante de la transparencia."
    organization.save()
    naming = story_about(subjects)
    not_naming = ArticleFactory()

    page = html_of(client.get(organization.get_absolute_url()))

    assert "Órgano garante de la transparencia." in page
    assert f'href="{organization.website}"' in page
    assert naming.headline in page
    assert not_naming.headline not in page


def test_organization_list_names_every_organization(client, db):
    first = OrganizationFactory(name="Artículo 19")
    second = OrganizationFactory(name="Fundar")

    page = html_of(client.get(reverse("articles:organizations")))

    assert first.get_absolute_url() in page
    assert second.get_absolute_url() in page


def test_archive_pages_list_stories_by_year_and_month(client, db):
    may = timezone.make_aware(datetime(2017, 5, 24, 10, 0))
    story = ArticleFactory(published_at=may)
    ArticleFactory(published_at=timezone.make_aware(datetime(2018, 1, 3, 10, 0)))

    index = html_of(client.get(reverse("articles:archive")))
    year = html_of(client.get(reverse("articles:archive-year", kwargs={"year": 2017})))
    month = html_of(
        client.get(reverse("articles:archive-month", kwargs={"year": 2017, "month": 5}))
    )

    assert reverse("articles:archive-year", kwargs={"year": 2017}) in index
    assert reverse("articles:archive-year", kwargs={"year": 2018}) in index
    assert story.headline in year
    assert reverse("articles:archive-month", kwargs={"year": 2017, "month": 5}) in year
    assert "mayo" in year
    assert story.headline in month
    assert "Historias de mayo de 2017" in month


def test_an_empty_archive_month_is_a_page_not_an_error(client, db):
    response = client.get(reverse("articles:archive-month", kwargs={"year": 2016, "month": 2}))

    assert response.status_code == 200
    assert "Todavía no hay historias publicadas." in html_of(response)


@pytest.mark.parametrize(
    "url",
    [
        "/secciones/no-existe/",
        "/temas/no-existe/",
        "/autores/no-existe/",
        "/organizaciones/no-existe/",
        "/transparencia/2017/05/24/no-existe/",
        "/archivo/2017/13/",
        "/no/existe/",
    ],
)
def test_unknown_addresses_answer_the_friendly_404(client, db, url):
    response = client.get(url)

    assert response.status_code == 404
    assert "Página no encontrada" in html_of(response)


def test_500_page_stands_alone_without_context_processors_or_url_lookups():
    source = Path(get_template("500.html").origin.name).read_text(encoding="utf-8")

    response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert "Algo salió mal" in response.content.decode()
    assert "url(" not in source and "address(" not in source
    assert "{% extends" not in source


# The story page


def test_story_page_shows_byline_in_order_with_roles_and_author_links(client, db):
    first = AuthorFactory(name="Zoe Zamora", slug="zoe")
    second = AuthorFactory(name="Alan Álvarez", slug="alan")
    story = ArticleFactory(authors=[])
    Byline.objects.create(article=story, author=first, position=0, role=Byline.Role.REPORTING)
    Byline.objects.create(article=story, author=second, position=1, role=Byline.Role.DATA)

    page = html_of(client.get(story.get_absolute_url()))

    assert page.index(first.name) < page.index(second.name)
    assert f'href="{first.get_absolute_url()}"' in page
    assert f'href="{second.get_absolute_url()}"' in page
    assert "(Reporteo)" in page
    assert "(Datos)" in page


def test_story_page_shows_section_tags_organizations_and_reading_time(client, subjects):
    story = story_about(subjects, headline="El agua de la ciudad", dek="Quién la cobra.")

    page = html_of(client.get(story.get_absolute_url()))

    assert "<h1" in page and "El agua de la ciudad" in page
    assert "Quién la cobra." in page
    assert f'href="{subjects["section"].get_absolute_url()}"' in page
    assert f'href="{reverse("articles:tag", kwargs={"slug": "agua"})}"' in page
    assert f'href="{subjects["organization"].get_absolute_url()}"' in page
    assert "1 minuto de lectura" in page


def test_story_page_shows_updated_date_only_when_the_story_changed(client, db):
    published_at = timezone.make_aware(datetime(2024, 3, 1, 9, 0))
    fresh = ArticleFactory(published_at=published_at)
    Article.objects.filter(pk=fresh.pk).update(updated_at=published_at)
    corrected = ArticleFactory(published_at=published_at)
    Article.objects.filter(pk=corrected.pk).update(updated_at=published_at + timedelta(days=2))
    # update() sends no signals: the story pages' read model is written by hand, as bulk
    # writers do.
    story_pages.write_pages([fresh.pk, corrected.pk])

    assert "Actualizado" not in html_of(client.get(fresh.get_absolute_url()))
    page = html_of(client.get(corrected.get_absolute_url()))
    assert "Actualizado" in page
    assert "3 de marzo de 2024" in page


def test_time_elements_carry_whole_seconds_in_the_site_time_zone(client, db):
    # HTML refuses more than three fraction digits; stored times have six (the Nu checker found it).
    # An hour ago: replacing the microseconds alone could put the story a moment in the future.
    published_at = (timezone.now() - timedelta(hours=1)).replace(microsecond=123456)
    story = ArticleFactory(published_at=published_at)
    Article.objects.filter(pk=story.pk).update(updated_at=story.published_at + timedelta(days=1))
    story_pages.write_pages([story.pk])  # update() sends no signals

    page = html_of(client.get(story.get_absolute_url()))

    local = timezone.localtime(story.published_at).replace(microsecond=0)
    assert f'<time datetime="{local.isoformat()}">' in page
    assert f'<time datetime="{(local + timedelta(days=1)).isoformat()}">' in page
    assert not re.search(r'datetime="[^"]*\.123456', page)


def test_demo_story_renders_its_date_links_quote_and_rule(client, demo):
    response = client.get(demo.get_absolute_url())

    assert response.status_code == 200
    page = html_of(response)
    assert '<time datetime="2017-05-24T10:00:00-05:00">24 de mayo de 2017' in page
    assert 'href="https://articulo19.org"' in page
    assert "<blockquote>" in page
    assert "<hr" in page
    assert "Por <a" in page and demo.ordered_bylines[0].author.get_absolute_url() in page
    assert "{%" not in page


def test_story_body_is_sanitized_on_the_page(client, db):
    story = ArticleFactory(
        body='Hola <script>alert("x")</script> <img src=x onerror="alert(1)"> '
        "[clic](javascript:alert(1))"
    )

    page = html_of(client.get(story.get_absolute_url()))

    assert "<script>alert" not in page
    assert "onerror" not in page
    assert "javascript:" not in page


@pytest.mark.parametrize(
    "stale",
    [
        "/otra-seccion/{y}/{m}/{d}/{slug}/",
        "/{section}/2001/01/01/{slug}/",
    ],
)
def test_an_outdated_story_address_redirects_permanently_to_the_current_one(client, db, stale):
    story = ArticleFactory()
    when = timezone.localtime(story.published_at)
    url = stale.format(
        section=story.category.slug,
        y=when.year,
        m=f"{when.month:02d}",
        d=f"{when.day:02d}",
        slug=story.slug,
    )

    response = client.get(url)

    assert response.status_code == 301
    assert response["Location"] == story.get_absolute_url()


def test_story_page_has_canonical_link_and_social_card(client, db, settings):
    story = ArticleFactory(dek="Un resumen.")

    page = html_of(client.get(story.get_absolute_url()))

    assert f'<link rel="canonical" href="{settings.SITE_URL}{story.get_absolute_url()}">' in page
    assert '<meta property="og:title"' in page
    assert '<meta name="description" content="Un resumen.">' in page


# The publishing rule on every list and on the story page


@pytest.mark.parametrize("trait", HIDDEN_TRAITS)
def test_hidden_stories_are_absent_from_every_list(client, subjects, trait):
    visible = story_about(subjects, headline="Historia visible")
    # Drafts and reviews have no publication date; give them one so archives could see them.
    hidden = story_about(subjects, headline="Historia oculta", **{trait: True})
    if hidden.published_at is None:
        Article.objects.filter(pk=hidden.pk).update(published_at=visible.published_at)

    for name, url in list_urls(subjects, timezone.localtime(visible.published_at)).items():
        page = html_of(client.get(url))
        assert visible.headline in page, name
        assert hidden.headline not in page, name


@pytest.mark.parametrize("trait", HIDDEN_TRAITS)
def test_hidden_story_page_is_404_or_410_once_withdrawn(client, db, trait):
    hidden = ArticleFactory(**{trait: True})

    expected = 410 if trait == "unpublished" else 404
    assert client.get(hidden.get_absolute_url()).status_code == expected


# Feed links


def test_every_page_links_the_site_feeds_and_its_own(client, subjects):
    story = story_about(subjects)
    slugs = {
        "section": subjects["section"].slug,
        "tag": "agua",
        "author": subjects["author"].slug,
        "organization": subjects["organization"].slug,
    }
    pages = list_urls(subjects, timezone.localtime(story.published_at))
    pages["story"] = story.get_absolute_url()
    pages["organizations"] = reverse("articles:organizations")

    for name, url in pages.items():
        page = html_of(client.get(url))
        assert (
            f'type="application/rss+xml" title="Gobierno Fácil (RSS)" href="{reverse("articles:feed-rss")}"'
            in page
        ), name
        assert f'href="{reverse("articles:feed-atom")}"' in page, name
        assert '<link rel="alternate" type="application/atom+xml"' in page, name
    for kind, slug in slugs.items():
        page = html_of(client.get(pages[kind]))
        for flavour in ("rss", "atom"):
            feed = reverse(f"articles:{kind}-feed-{flavour}", kwargs={"slug": slug})
            assert f'href="{feed}"' in page, kind
    story_page = html_of(client.get(story.get_absolute_url()))
    section_feed = reverse("articles:section-feed-rss", kwargs={"slug": slugs["section"]})
    assert (
        f'<link rel="alternate" type="application/rss+xml" title="Gobierno Fácil: Política (RSS)" href="{section_feed}">'
        in story_page
    )


# Query counts stay flat as pages list more stories


def make_rich_stories(rich_story_factory, subjects, count):
    """``count`` stories with 3 authors, 5 tags and 5 organizations, sharing the subjects."""
    stories = [rich_story_factory(category=subjects["section"]) for _ in range(count)]
    for story in stories:
        Byline.objects.create(article=story, author=subjects["author"], position=3)
        story.organizations.add(subjects["organization"])
    return stories


@pytest.mark.parametrize("count", [1, 30])
@pytest.mark.parametrize(
    "page",
    [
        "home",
        "section",
        "tag",
        "author",
        "organization",
        "archive",
        "archive-year",
        "archive-month",
    ],
)
def test_list_pages_make_the_same_few_queries_for_1_or_30_stories(
    client,
    django_assert_max_num_queries,
    rich_story_factory,
    subjects,
    settings,
    count,
    page,
    committed,
):
    settings.ARTICLES_PER_PAGE = 30
    with committed():
        stories = make_rich_stories(rich_story_factory, subjects, count)
    subjects_urls = list_urls(subjects, timezone.localtime(stories[0].published_at))
    subjects_urls["tag"] = reverse("articles:tag", kwargs={"slug": "tema-0"})

    most = MAX_QUERIES_FRONT_PAGE if page in ("home", "section") else MAX_QUERIES_PER_PAGE
    with django_assert_max_num_queries(most):
        response = client.get(subjects_urls[page])

    assert response.status_code == 200
    assert html_of(response).count('class="teaser"') == count


@pytest.mark.parametrize("count", [1, 30])
def test_story_page_makes_the_same_few_queries_however_many_stories_exist(
    client, django_assert_max_num_queries, rich_story_factory, subjects, count, committed
):
    with committed():
        stories = make_rich_stories(rich_story_factory, subjects, count)

    with django_assert_max_num_queries(MAX_QUERIES_STORY_PAGE):
        response = client.get(stories[0].get_absolute_url())
    assert response.status_code == 200

    with django_assert_max_num_queries(MAX_QUERIES_STORY_PAGE_SAME_GENERATION):
        response = client.get(stories[-1].get_absolute_url())
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 30])
def test_organization_list_makes_the_same_few_queries_for_1_or_30_organizations(
    client, django_assert_max_num_queries, db, count
):
    OrganizationFactory.create_batch(count)

    with django_assert_max_num_queries(MAX_QUERIES_PER_PAGE):
        response = client.get(reverse("articles:organizations"))

    assert html_of(response).count("<li>") >= count


def test_home_and_section_lists_read_once_compiled_follow_section_page_and_moment(
    client, settings, committed
):
    """The home page's and the sections' lists run statements compiled once per process, with
    each request's section, page and moment in them (``PlannedOncePagesMixin``)."""
    import time_machine

    from articles import views

    settings.ARTICLES_PER_PAGE = 2
    settings.PAGE_CACHE = False
    now = timezone.now()
    with committed():
        water, sport = CategoryFactory(slug="agua"), CategoryFactory(slug="deportes")
        for hours in range(1, 6):
            ArticleFactory(
                headline=f"Agua {hours}", category=water, published_at=now - timedelta(hours=hours)
            )
        ArticleFactory(headline="Deporte 1", category=sport, published_at=now - timedelta(hours=1))
        ArticleFactory(headline="Agua nueva", category=water, published_at=now + timedelta(hours=1))

    def headlines(url):
        return re.findall(r">((?:Agua|Deporte)[^<]*)</a>", html_of(client.get(url)))

    water_url = reverse("articles:section", args=["agua"])
    sport_url = reverse("articles:section", args=["deportes"])
    assert "Agua 5" in headlines(f"{water_url}?page=2") + headlines(f"{water_url}?page=3")
    assert "Agua nueva" not in headlines(water_url)
    assert set(headlines(sport_url)) == {"Deporte 1"}
    assert client.get(f"{water_url}?page=9").status_code == 404
    assert client.get(f"{water_url}?page=last").status_code == 200
    with time_machine.travel(now + timedelta(hours=2)):
        assert "Agua nueva" in headlines(water_url)
        assert "Agua nueva" in headlines("/")
    assert views._planned_page.cache_info().currsize >= 3


def test_home_and_section_pages_build_no_orm_query_for_their_rows(
    client, settings, committed, monkeypatch
):
    """Once their statement is compiled, the home page and a section's pages read their rows
    without building the list's ORM query (it was a tenth of the page); only a count
    (``?page=last``) builds it, and the section's page still records the tags of its list."""
    from articles import views

    settings.ARTICLES_PER_PAGE = 2
    settings.PAGE_CACHE = False
    with committed():
        water = CategoryFactory(slug="agua")
        ArticleFactory.create_batch(3, category=water)
    water_url = reverse("articles:section", args=["agua"])
    pages = ["/", water_url, f"{water_url}?page=2"]
    for url in pages:
        assert client.get(url).status_code == 200  # compiles the statements
    built = []
    listed_stories = views.PublishedArticlesMixin.listed_stories

    def counted(view, **kwargs):
        built.append(type(view).__name__)
        return listed_stories(view, **kwargs)

    monkeypatch.setattr(views.PublishedArticlesMixin, "listed_stories", counted)
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200
        if url != "/":
            tags = response["Surrogate-Key"].split()
            assert page_tags.subject_stories("section", water.pk) in tags
    assert built == []
    assert client.get(f"{water_url}?page=last").status_code == 200
    assert built == ["SectionView"]
