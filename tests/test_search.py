"""Search: Spanish plurals and accents, ranking, the publishing rule, hostile queries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.search import clean_query, highlight, rough_stem, search_articles, story_text
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def found(query, **filters):
    return list(search_articles(query, **filters).values_list("headline", flat=True))


def test_plural_query_finds_singular_with_accent():
    ArticleFactory(headline="Una organización civil", body="Texto.")
    assert found("organizaciones") == ["Una organización civil"]


def test_query_without_accent_finds_accented_word():
    ArticleFactory(headline="Acceso", body="La información pública es de todos.")
    assert found("informacion") == ["Acceso"]


def test_accented_query_finds_unaccented_text():
    ArticleFactory(headline="Acceso", body="Pidieron informacion a la dependencia.")
    assert found("información") == ["Acceso"]


def test_headline_match_ranks_above_body_match():
    ArticleFactory(headline="Otra cosa", body="Se habló del presupuesto una vez.")
    ArticleFactory(
        headline="El presupuesto", body="Nada más.", published_at=timezone.now() - timedelta(days=9)
    )
    assert found("presupuesto") == ["El presupuesto", "Otra cosa"]


def test_equal_matches_come_newest_first():
    now = timezone.now()
    ArticleFactory(headline="Vieja", body="Licitación.", published_at=now - timedelta(days=3))
    ArticleFactory(headline="Nueva", body="Licitación.", published_at=now - timedelta(days=1))
    ArticleFactory(headline="Media", body="Licitación.", published_at=now - timedelta(days=2))
    assert found("licitacion") == ["Nueva", "Media", "Vieja"]


@pytest.mark.parametrize("trait", ["draft", "in_review", "scheduled", "unpublished"])
def test_unpublished_stories_are_never_found(trait):
    ArticleFactory(headline="Secreto de Estado", **{trait: True})
    assert found("secreto") == []


def test_scheduled_story_is_found_once_its_time_comes(time_machine):
    story = ArticleFactory(headline="Embargo", scheduled=True)
    assert found("embargo") == []
    time_machine.move_to(story.published_at + timedelta(minutes=1))
    assert found("embargo") == ["Embargo"]


def test_byline_tags_section_and_organizations_are_searchable():
    author = AuthorFactory(name="Alejandra Padilla")
    organization = OrganizationFactory(name="Instituto de Transparencia", acronym="INAI")
    section = CategoryFactory(name="Medioambiente")
    ArticleFactory(
        headline="Uno",
        authors=[author],
        tags=["agua potable"],
        organizations=[organization],
        category=section,
    )
    for query in ["padilla", "potable", "inai", "medioambiente"]:
        assert found(query) == ["Uno"], query


def test_index_follows_edits_and_renames():
    organization = OrganizationFactory(name="Fundar")
    story = ArticleFactory(headline="Antes", organizations=[organization])
    story.headline = "Después"
    story.save()
    assert found("despues") == ["Después"]
    assert found("antes") == []
    organization.name = "Observatorio Ciudadano"
    organization.save()
    assert found("observatorio") == ["Después"]
    story.organizations.clear()
    assert found("observatorio") == []
    story.tags.add("elecciones")
    assert found("eleccion") == ["Después"]


def test_filters_by_section_author_and_dates():
    section, other_section = CategoryFactory(), CategoryFactory()
    author = AuthorFactory()
    now = timezone.now()
    ArticleFactory(headline="A", body="Agua.", category=section, authors=[author])
    ArticleFactory(headline="B", body="Agua.", category=other_section)
    ArticleFactory(
        headline="C", body="Agua.", category=section, published_at=now - timedelta(days=40)
    )
    assert found("agua", section=section) == ["A", "C"]
    assert found("agua", author=author) == ["A"]
    assert sorted(found("agua", date_from=(now - timedelta(days=5)).date())) == ["A", "B"]
    assert found("agua", date_to=(now - timedelta(days=30)).date()) == ["C"]


HOSTILE_QUERIES = [
    "",
    "   ",
    "x" * 10_000,
    "agua " * 2_000,
    "' OR 1=1 --",
    '"unbalanced quote',
    'a AND b OR NOT c NEAR(d e) * ^ : "',
    "-agua +agua (agua",
    "SELECT * FROM articles_article; DROP TABLE articles_article;",
    "agua\x00potable",
    "💧🌊 agua",
    "🙂",
    "{}[]()<>&|!~*:",
    "<script>alert(1)</script>",
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_queries_never_fail(query):
    ArticleFactory(headline="Agua potable", body="El agua es de todos.")
    list(search_articles(query))


def test_operators_and_sql_are_searched_as_words():
    ArticleFactory(headline="Agua potable")
    assert found("agua\x00potable") == ["Agua potable"]
    assert found("💧 agua") == ["Agua potable"]
    assert found("' OR 1=1 --") == []


def test_clean_query_strips_control_characters_and_caps_length():
    assert clean_query("a\x00b\n  c") == "a b c"
    assert len(clean_query("x" * 10_000)) == 200


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("organizaciones", "organiz"),
        ("organizacion", "organiz"),
        ("datos", "dato"),
        ("dato", "dato"),
    ],
)
def test_rough_stem_meets_singular_and_plural(word, stem):
    assert rough_stem(word) == stem


def test_highlight_escapes_text_and_marks_matches():
    snippet = highlight("La <b>información</b> & las organizaciones", "informacion organización")
    assert snippet == (
        "La &lt;b&gt;<mark>información</mark>&lt;/b&gt; &amp; las <mark>organizaciones</mark>"
    )


def test_highlight_matches_accents_however_they_are_encoded():
    # "informacio" + a combining acute accent, as text pasted from some editors arrives.
    assert highlight("La informacio\u0301n", "información") == "La <mark>información</mark>"
    # "ß" folds to two letters: the words around it are still found where they stand.
    assert highlight("La Straße y la información", "strasse informacion") == (
        "La <mark>Straße</mark> y la <mark>información</mark>"
    )


def test_a_snippet_is_cut_from_the_story_text_around_the_first_match():
    words = [f"palabra{number}" for number in range(100)]
    words[60] = "presupuesto"

    snippet = highlight(" ".join(words), "presupuestos", words=10)

    assert snippet == (
        "… palabra57 palabra58 palabra59 <mark>presupuesto</mark> palabra61 palabra62 "
        "palabra63 palabra64 palabra65 palabra66 …"
    )


def test_story_text_is_the_body_without_its_markup():
    story = ArticleFactory(
        body='Con `<script>alert(1)</script>` y &amp; "comillas", **negritas** y '
        "[enlace](https://ejemplo.mx).\n\n- uno\n- dos &lt;b&gt;"
    )

    assert story_text(story) == (
        "Con <script>alert(1)</script> y & “comillas”, negritas y enlace.\n\nuno\ndos <b>\n"
    )


def test_rebuild_command_indexes_stories_loaded_behind_the_index_back():
    from django.core.management import call_command

    from articles.models import Article

    ArticleFactory(headline="Presupuesto")
    Article.objects.bulk_create(
        [
            Article(
                headline="Cargada en bloque",
                slug="bloque",
                status=Article.Status.PUBLISHED,
                published_at=timezone.now() - timedelta(hours=1),
                body_html="<p>Texto</p>",
            )
        ]
    )
    assert found("bloque") == []
    call_command("rebuild_search_index", verbosity=0)
    assert found("bloque") == ["Cargada en bloque"]
    assert found("presupuesto") == ["Presupuesto"]


def test_backups_leave_the_derived_index_out():
    from django.db import router

    from articles.models import ArticleSearchEntry

    assert router.allow_migrate_model("default", ArticleSearchEntry) is False


def test_deferred_index_updates_index_each_story_once_at_the_end(db):
    from articles.search import index_updates_deferred, search_articles

    with index_updates_deferred():
        story = ArticleFactory(headline="Presupuesto participativo", tags=["finanzas"])
        story.tags.add("municipios")
        assert list(search_articles("participativo")) == []
    assert list(search_articles("participativo")) == [story]
    assert list(search_articles("municipios")) == [story]


def test_only_the_newest_matches_are_ranked(monkeypatch):
    """A word found in most of the archive ranks the newest few matches, not every match."""
    monkeypatch.setattr("articles.search.MAX_RANKED_MATCHES", 3)
    now = timezone.now()
    stories = ["Nota 0", "Nota 1", "Obra pública", "Nota 3", "Obra vieja"]
    # Written oldest first, as a newsroom does: SQLite takes the most recently added as newest.
    for days, headline in reversed(list(enumerate(stories))):
        body = "Una obra." if headline.startswith("Nota") else "Nada."
        ArticleFactory(headline=headline, body=body, published_at=now - timedelta(days=days + 1))
    # "Obra vieja" is the oldest match: outside the three newest, however good its headline is.
    assert found("obra") == ["Obra pública", "Nota 0", "Nota 1"]


def test_common_words_are_not_searched_or_marked():
    ArticleFactory(headline="Contratos", body="La dependencia firmó contratos de obra.")
    assert found("de la") == []
    snippet = highlight("La dependencia firmó contratos de obra.", "contratos de obra")
    assert snippet == "La dependencia firmó <mark>contratos</mark> de <mark>obra</mark>."
