"""``manage.py import_jekyll`` on the real blog in ../shared/corpus, and the pieces it is made of."""

import shutil
from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import translation

from articles.importers.jekyll import (
    JekyllPostError,
    expand_permalink,
    front_matter_list,
    normalize_old_path,
    parse_front_matter_date,
    parse_post,
    resolve_liquid,
    split_authors,
)
from articles.middleware import candidate_paths
from articles.models import Article, ArticlePath, Author, Category
from articles.publishing import unpublish_article
from tests.factories import OrganizationFactory

REFERENCE_POST = "2017-05-24-sociedad-civil-sale-de-alianza-para-el-gobierno-abierto.md"
MEXICO = ZoneInfo("America/Mexico_City")


def run_import(site_dir, *args):
    """Run the command in English and return what it printed."""
    out = StringIO()
    with translation.override("en"):
        call_command("import_jekyll", str(site_dir), *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def imported(db, corpus_dir):
    """The corpus imported once; returns the command's report, every warning listed."""
    return run_import(corpus_dir, "--verbosity", "2")


@pytest.fixture
def site_copy(corpus_dir, tmp_path):
    """A writable copy of the corpus, for posts that break or change."""
    return shutil.copytree(corpus_dir, tmp_path / "site")


def test_corpus_gives_18_published_stories_and_the_draft(imported):
    assert Article.objects.published().count() == 18
    draft = Article.objects.get(status=Article.Status.DRAFT)
    assert draft.slug == "jekyll-introduction-draft"
    assert draft not in Article.objects.published()
    assert "posts imported 19, updated 0, unchanged 0, failed 0" in imported


def test_co_authors_keep_their_order(imported):
    story = Article.objects.get(slug="agua-en-mexico")
    assert [b.author.name for b in story.ordered_bylines] == [
        "Alejandra Padilla",
        "Argentina Velasco",
    ]
    assert Author.objects.filter(name="Alejandra Padilla").count() == 1


def test_newsroom_byline_is_an_organization(imported):
    assert Author.objects.get(name="Gobierno Fácil").kind == Author.Kind.ORGANIZATION
    assert Author.objects.get(name="Hugo Osorio").kind == Author.Kind.PERSON


def test_categories_differing_in_case_make_one_section(imported):
    assert Category.objects.filter(name__iexact="transparencia").count() == 1
    rally = Article.objects.get(slug__startswith="rally-32")
    assert rally.category.name == "Transparencia"


def test_site_images_are_copied_into_media_storage(imported, corpus_dir):
    story = Article.objects.get(slug="agua-en-mexico")
    assert "{{" not in story.body and "/assets/images/" not in story.body
    name = next(
        part.split(")")[0] for part in story.body.split("/media/")[1:] if "infografia" in part
    )
    assert default_storage.exists(name)
    with default_storage.open(name) as stored:
        assert stored.read() == (corpus_dir / "assets/images/infografia_conagua.png").read_bytes()
    assert f'src="/media/{name}"' in story.body_html


def test_no_liquid_reaches_any_body_or_page(imported, client):
    for story in Article.objects.all():
        assert "{%" not in story.body_html and "{{" not in story.body_html
    for story in Article.objects.published():
        response = client.get(story.get_absolute_url())
        assert response.status_code == 200
        assert b"{%" not in response.content and b"{{" not in response.content


def test_every_old_permalink_answers_301_to_the_story(imported, client):
    old_paths = ArticlePath.objects.select_related("article__category")
    assert old_paths.count() == 35  # 18 posts; "Transparencia" and "transparencia" in 17 of them
    for old in old_paths:
        canonical = old.article.get_absolute_url()
        for variant in {old.path, old.path + "/", old.path + ".html"} - {canonical}:
            response = client.get(variant)
            assert response.status_code == 301, variant
            assert response["Location"] == canonical


def test_old_permalinks_follow_jekyll_for_both_category_cases(imported):
    story = Article.objects.get(slug="sociedad-civil-sale-de-alianza-para-el-gobierno-abierto")
    assert set(story.old_paths.values_list("path", flat=True)) == {
        "/transparencia/2017/05/24/sociedad-civil-sale-de-alianza-para-el-gobierno-abierto",
        "/Transparencia/2017/05/24/sociedad-civil-sale-de-alianza-para-el-gobierno-abierto",
    }


def test_reference_story_is_its_markdown_without_the_liquid_include(imported, corpus_dir):
    text = (corpus_dir / "_posts" / REFERENCE_POST).read_text(encoding="utf-8")
    markdown = text.split("---", 2)[2].replace("{% include JB/setup %}", "").strip() + "\n"
    story = Article.objects.get(slug="sociedad-civil-sale-de-alianza-para-el-gobierno-abierto")
    assert story.body == markdown
    assert story.headline.startswith("Organizaciones de la Sociedad Civil")
    assert story.published_at == datetime(2017, 5, 24, tzinfo=MEXICO)


def test_link_warnings_are_reported(imported):
    assert "cultura ecologica" in imported
    assert "/user/login?destination=node/10021/ogp/zip/action_plan" in imported


def test_organizations_are_attached_from_links(db, corpus_dir):
    article19 = OrganizationFactory(
        name="Artículo 19", slug="articulo-19", domains=["articulo19.org"]
    )
    report = run_import(corpus_dir)
    story = Article.objects.get(slug="sociedad-civil-sale-de-alianza-para-el-gobierno-abierto")
    assert [org.slug for org in story.organizations.all()] == ["articulo-19"]
    assert f"organizations attached {article19.articles.count()}\n" in report


def test_second_run_creates_nothing_and_reports_unchanged(imported, corpus_dir):
    counts = [model.objects.count() for model in (Article, Author, Category, ArticlePath)]
    report = run_import(corpus_dir)
    assert "posts imported 0, updated 0, unchanged 19, failed 0" in report
    assert "authors created 0, sections created 0, tags created 0" in report
    assert "images copied 0" in report
    assert [model.objects.count() for model in (Article, Author, Category, ArticlePath)] == counts


def test_changed_post_is_updated_and_others_left_alone(db, site_copy):
    run_import(site_copy)
    post = site_copy / "_posts" / "2017-05-30-oaxaca.md"
    post.write_text(post.read_text(encoding="utf-8").replace("Oaxaca es uno", "Oaxaca fue uno"))
    report = run_import(site_copy)
    assert "posts imported 0, updated 1, unchanged 18, failed 0" in report
    assert "Oaxaca fue uno" in Article.objects.get(slug="oaxaca").body_html


def test_post_turned_unpublished_leaves_the_site(db, site_copy):
    run_import(site_copy)
    post = site_copy / "_posts" / "2017-05-30-oaxaca.md"
    post.write_text(post.read_text(encoding="utf-8").replace("layout: post", "published: false"))
    run_import(site_copy)
    assert not Article.objects.published().filter(slug="oaxaca").exists()


def test_dry_run_saves_nothing_and_copies_no_files(db, corpus_dir, settings):
    report = run_import(corpus_dir, "--dry-run")
    assert "Dry run" in report and "posts imported 19" in report
    assert Article.objects.count() == 0 and Author.objects.count() == 0
    assert not (settings.MEDIA_ROOT / "imports").exists()


def test_broken_posts_are_reported_and_the_others_import(db, site_copy):
    posts = site_copy / "_posts"
    (posts / "2019-01-01-bad-yaml.md").write_text("---\ntitle: [unclosed\n---\nBody\n")
    (posts / "2019-01-02-bad-date.md").write_text("---\ntitle: X\ndate: el martes\n---\nBody\n")
    (posts / "2019-13-45-impossible.md").write_text("---\ntitle: X\n---\nBody\n")
    (posts / "2019-01-03-binary.md").write_bytes(b"---\x00\xff\xfe binary")
    (posts / "2019-01-04-latin1.md").write_bytes("---\ntitle: Añil\n---\nB\n".encode("latin-1"))
    out = StringIO()
    with translation.override("en"), pytest.raises(CommandError, match="5 post"):
        call_command("import_jekyll", str(site_copy), stdout=out)
    report = out.getvalue()
    assert "FAILED: _posts/2019-01-01-bad-yaml.md: front matter is not valid YAML" in report
    assert "FAILED: _posts/2019-01-02-bad-date.md: the date “el martes”" in report
    assert "FAILED: _posts/2019-13-45-impossible.md: the date in the file name" in report
    assert "FAILED: _posts/2019-01-03-binary.md: the file is binary" in report
    assert "FAILED: _posts/2019-01-04-latin1.md: the file is not valid UTF-8" in report
    assert Article.objects.published().count() == 18


def test_unknown_front_matter_keys_are_kept_and_reported(db, site_copy):
    post = site_copy / "_posts" / "2017-05-30-oaxaca.md"
    text = post.read_text(encoding="utf-8").replace("layout: post", "layout: post\nimage: x.png")
    post.write_text(text)
    report = run_import(site_copy)
    assert "_posts/2017-05-30-oaxaca.md: unknown front-matter keys kept: image" in report
    metadata = Article.objects.get(slug="oaxaca").import_metadata
    assert metadata["front_matter"] == {"layout": "post", "image": "x.png"}


def test_post_without_category_is_filed_in_the_default_section_and_published(db, tmp_path):
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts" / "2020-02-03-sin-seccion.md").write_text(
        "---\ntitle: Sin sección\nauthor: Ana\n---\nTexto.\n", encoding="utf-8"
    )
    report = run_import(tmp_path)
    story = Article.objects.published().get()
    assert story.category.name == "General"
    assert "no category; filed under “General”" in report
    assert story.old_paths.get().path == "/2020/02/03/sin-seccion"


def test_missing_image_is_reported_and_left_as_a_link(db, tmp_path):
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts" / "2020-02-03-foto.md").write_text(
        "---\ntitle: Foto\ncategory: Datos\n---\n![x]({{ site.url }}/assets/images/nada.png)\n"
        "![y](https://example.org/fuera.png)\n",
        encoding="utf-8",
    )
    report = run_import(tmp_path)
    assert "image not found in the site: /assets/images/nada.png" in report
    assert "images missing 1" in report
    body = Article.objects.get().body
    assert "](/assets/images/nada.png)" in body and "](https://example.org/fuera.png)" in body


def test_old_address_of_an_unpublished_story_does_not_lead_to_it(imported, client):
    story = Article.objects.get(slug="oaxaca")
    unpublish_article(article=story)
    for old in story.old_paths.all():
        # 410 where the old address is the story's own (withdrawn) address, else 404.
        assert client.get(old.path, follow=True).status_code in {404, 410}


def test_old_address_equal_to_the_current_one_does_not_loop(imported, client):
    story = Article.objects.get(slug="oaxaca")
    canonical = story.get_absolute_url()
    assert story.old_paths.filter(path=canonical.rstrip("/")).exists()
    response = client.get(canonical.rstrip("/"), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [(canonical, 301)]


def test_renamed_story_is_found_from_its_old_address(imported, client):
    story = Article.objects.get(slug="oaxaca")
    Article.objects.filter(pk=story.pk).update(slug="oaxaca-presentacion")
    response = client.get("/transparencia/2017/05/30/oaxaca/")
    assert response.status_code == 301
    assert response["Location"] == "/transparencia/2017/05/30/oaxaca-presentacion/"


def test_split_authors_keeps_co_author_order():
    assert split_authors("Alejandra Padilla + Argentina Velasco") == [
        "Alejandra Padilla",
        "Argentina Velasco",
    ]
    assert split_authors(["Ana", "Luis & Eva"]) == ["Ana", "Luis", "Eva"]
    assert split_authors(None) == []


def test_resolve_liquid_keeps_raw_text_and_resolves_site_url():
    body = "{% include JB/setup %}\n![a]({{ site.url }}/x.png) {% raw %}{{ keep }}{% endraw %}"
    assert resolve_liquid(body, site_url="https://a.mx/") == "![a](https://a.mx/x.png) {{ keep }}\n"


def test_expand_permalink_records_both_jekyll_category_cases():
    when = datetime(2017, 5, 24, tzinfo=MEXICO)
    pattern = "/:categories/:year/:month/:day/:title"
    assert expand_permalink(pattern, when=when, slug="x", categories=["Transparencia"]) == [
        "/transparencia/2017/05/24/x",
        "/Transparencia/2017/05/24/x",
    ]
    assert expand_permalink("pretty", when=when, slug="x", categories=[]) == ["/2017/05/24/x"]
    assert expand_permalink("date", when=when, slug="x", categories=["a b"]) == [
        "/a b/2017/05/24/x"
    ]


def test_old_paths_are_normalised_and_matched_with_or_without_slash_and_html():
    assert normalize_old_path("/a/b/") == "/a/b"
    assert normalize_old_path("/a/b.html") == "/a/b"
    assert normalize_old_path("/a/index.html") == "/a"
    assert candidate_paths("/a/b.html/") == ["/a/b.html", "/a/b"]


def test_front_matter_lists_follow_jekyll():
    assert front_matter_list({"category": "Datos Abiertos"}, "category", "categories") == [
        "Datos Abiertos"
    ]
    assert front_matter_list({"tags": "a b", "tag": "A"}, "tag", "tags") == ["A", "b"]


def test_front_matter_dates():
    assert parse_front_matter_date("2017-05-24") == date(2017, 5, 24)
    assert (
        parse_front_matter_date("2017-05-24 10:30:00 -0500").utcoffset().total_seconds() == -18000
    )
    with pytest.raises(JekyllPostError):
        parse_front_matter_date("mañana")


def test_post_without_front_matter_is_an_error():
    # The reason is in the active language (the report's).
    with translation.override("en"), pytest.raises(JekyllPostError, match="no front matter"):
        parse_post("just text", filename="2017-01-01-x.md")


def test_every_imported_story_has_a_first_revision(imported):
    from reversion.models import Version

    for article in Article.objects.all():
        assert Version.objects.get_for_object(article).exists(), article.slug


def test_refused_posts_are_reported_in_spanish_with_file_line_and_reason(db, site_copy):
    posts = site_copy / "_posts"
    (posts / "2019-01-01-bad-yaml.md").write_text("---\ntitle: X\nautor: [unclosed\n---\nBody\n")
    (posts / "2019-01-02-bad-date.md").write_text("---\ntitle: X\ndate: el martes\n---\nBody\n")
    (posts / "2019-02-30-impossible.md").write_text("---\ntitle: X\n---\nBody\n")
    (posts / "2019-01-03-binary.md").write_bytes(b"---\x00\xff\xfe binary")
    (posts / "2019-01-04-latin1.md").write_bytes("---\ntitle: Añil\n---\nB\n".encode("latin-1"))
    (posts / "2019-01-05-no-front.md").write_text("Solo texto.\n")
    out = StringIO()
    with translation.override("es"), pytest.raises(CommandError):
        call_command("import_jekyll", str(site_copy), stdout=out)
    report = out.getvalue()
    # The YAML starts on the file's line 2; the unclosed list is found open at line 4.
    assert (
        "_posts/2019-01-01-bad-yaml.md: el encabezado no es YAML válido (línea 4, columna 1)"
        in report
    )
    assert (
        "_posts/2019-01-02-bad-date.md: la fecha «el martes» no es una fecha que Jekyll" in report
    )
    assert (
        "_posts/2019-02-30-impossible.md: la fecha del nombre del archivo no existe: 2019-02-30"
        in report
    )
    assert "_posts/2019-01-03-binary.md: el archivo es binario" in report
    assert "_posts/2019-01-04-latin1.md: el archivo no es UTF-8 válido (byte 12)" in report
    assert "_posts/2019-01-05-no-front.md: no tiene encabezado YAML" in report
    for english in ["not valid", "is not a date", "is impossible", "NUL bytes), not", "must start"]:
        assert english not in report
