"""Real Jekyll blogs of every shape: small sites written by each test, imported as Jekyll built them."""

import json
from datetime import UTC, date, datetime, timedelta, timezone
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import translation
from PIL import Image

from articles.importers.jekyll import (
    JekyllPostError,
    expand_permalink,
    jekyll_slugify,
    parse_front_matter_date,
)
from articles.importers.progress import ProgressBar
from articles.models import Article, Author


def write(site, relative, text):
    """Write one file of a fixture site."""
    path = site / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run_import(site, *args):
    """Run the command in English and return what it printed."""
    out = StringIO()
    with translation.override("en"):
        call_command("import_jekyll", str(site), *args, stdout=out)
    return out.getvalue()


def todos(story):
    return {item["code"]: item["count"] for item in story.todos}


@pytest.mark.django_db
def test_a_post_with_26_images_without_alt_text_is_published_with_its_to_do(tmp_path, client):
    for number in range(26):
        Image.new("RGB", (8, 8), (number * 9, 0, 0)).save(tmp_path / f"foto-{number}.png")
        (tmp_path / "assets").mkdir(exist_ok=True)
        (tmp_path / f"foto-{number}.png").rename(tmp_path / "assets" / f"foto-{number}.png")
    images = "\n\n".join(f"![](/assets/foto-{number}.png)" for number in range(26))
    write(tmp_path, "_posts/2019-12-31-el-ano-en-fotos.md",
          f"---\ntitle: El año en fotos\ncategory: Datos\nauthor: Ana\n---\n{images}\n")  # fmt: skip

    report = run_import(tmp_path, "--report", str(tmp_path / "report.json"))

    story = Article.objects.published().get()
    assert story.headline == "El año en fotos"
    assert todos(story) == {"alt_text": 26, "dek": 1}
    assert "1 story has to-dos" in report
    assert "missing alt text on 26 images" in report
    old = client.get("/datos/2019/12/31/el-ano-en-fotos.html")
    assert old.status_code == 301 and old["Location"].endswith(story.get_absolute_url())
    assert client.get(story.get_absolute_url()).status_code == 200
    written = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert written["todos"][0]["file"] == "_posts/2019-12-31-el-ano-en-fotos.md"
    assert written["todos"][0]["todos"][0] == {
        "code": "alt_text", "count": 26, "label": "missing alt text on 26 images"
    }  # fmt: skip


@pytest.mark.django_db
def test_unsigned_unsectioned_post_is_published_with_those_to_dos(tmp_path, settings):
    settings.NEWSROOM_BYLINE = "La Redacción"
    write(tmp_path, "_posts/2020-02-03-suelta.md", "---\ntitle: Suelta\n---\nTexto.\n")
    run_import(tmp_path)
    story = Article.objects.published().get()
    assert story.category.name == "General"
    assert [byline.author.name for byline in story.ordered_bylines] == ["La Redacción"]
    assert Author.objects.get().kind == Author.Kind.ORGANIZATION
    assert todos(story) == {"dek": 1, "section": 1, "byline": 1}


@pytest.mark.django_db
def test_the_blog_author_from_config_signs_without_a_to_do(tmp_path):
    write(tmp_path, "_config.yml", "title: Mi blog\nauthor:\n  name: Pat Doe\n")
    write(tmp_path, "_posts/2020-02-03-nota.md",
          "---\ntitle: Nota\ndescription: Una nota\ncategory: x\n---\nTexto.\n")  # fmt: skip
    report = run_import(tmp_path)
    story = Article.objects.published().get()
    assert [byline.author.name for byline in story.ordered_bylines] == ["Pat Doe"]
    assert story.todos == []
    assert "no author" not in report and "to-dos" not in report
    assert "The blog is called “Mi blog”: set SITE_NAME" in report


@pytest.mark.django_db
def test_dates_and_old_addresses_follow_the_blogs_timezone(tmp_path, client):
    write(tmp_path, "_config.yml", "timezone: UTC\npermalink: /:year-:month-:day/:title/\n")
    write(tmp_path, "_posts/2017-01-19-monolithic-crm.md",
          "---\ntitle: CRM\ndate: 2017-01-19 00:00:00 Z\ncategory: x\n---\nTexto.\n")  # fmt: skip
    write(tmp_path, "_posts/2017-01-20-sin-hora.md", "---\ntitle: Sin hora\n---\nTexto.\n")
    report = run_import(tmp_path, "--timezone", "America/New_York")  # _config.yml's zone wins
    assert "The blog's time zone is UTC" in report  # the suite's newsroom is in Mexico City
    story = Article.objects.get(slug="monolithic-crm")
    assert story.published_at == datetime(2017, 1, 19, tzinfo=UTC)
    assert list(story.old_paths.values_list("path", flat=True)) == ["/2017-01-19/monolithic-crm"]
    assert client.get("/2017-01-19/monolithic-crm/").status_code == 301
    assert Article.objects.get(slug="sin-hora").published_at == datetime(2017, 1, 20, tzinfo=UTC)


@pytest.mark.django_db
def test_without_a_zone_in_config_the_timezone_option_is_the_blogs(tmp_path):
    write(tmp_path, "_posts/2020-03-01-nota.md", "---\ntitle: Nota\n---\nTexto.\n")
    run_import(tmp_path, "--timezone", "America/New_York")
    assert Article.objects.get().published_at == datetime(
        2020, 3, 1, tzinfo=ZoneInfo("America/New_York")
    )


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2023-01-29 18:30:22 2023 -0800", datetime(2023, 1, 29, 18, 30, 22, tzinfo=timezone(timedelta(hours=-8)))),
        ("2017-01-19", date(2017, 1, 19)),
        ("2017-1-9 8:05", datetime(2017, 1, 9, 8, 5)),
        ("2017-01-19T08:05:03.25Z", datetime(2017, 1, 19, 8, 5, 3, 250000, tzinfo=UTC)),
        ("2017-01-19 08:05 America/New_York", datetime(2017, 1, 19, 8, 5, tzinfo=ZoneInfo("America/New_York"))),
        ("2014-03-02 10:00 pm EST", datetime(2014, 3, 2, 22, 0, tzinfo=timezone(timedelta(hours=-5)))),
        ("2017-01-19 10:00:00 +05:30", datetime(2017, 1, 19, 10, 0, tzinfo=timezone(timedelta(hours=5, minutes=30)))),
    ],
)  # fmt: skip
def test_every_date_form_jekyll_accepts(written, expected):
    assert parse_front_matter_date(written) == expected


def test_a_date_jekyll_refuses_is_reported():
    with pytest.raises(JekyllPostError):
        parse_front_matter_date("el martes")


def test_title_and_slug_are_slugified_as_jekyll_does():
    assert jekyll_slugify("BetterOff-Show-and-tell---8th-May", mode="pretty", cased=True) == (
        "BetterOff-Show-and-tell-8th-May"
    )
    assert jekyll_slugify("Jekyll 3.0 released!", mode="pretty", cased=True) == (
        "Jekyll-3.0-released!"
    )
    assert jekyll_slugify(" Año_nuevo: 2024 ") == "año-nuevo-2024"


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("date", "/news/2013/09/06/Jekyll-3.0-released"),
        ("pretty", "/news/2013/09/06/Jekyll-3.0-released"),
        ("ordinal", "/news/2013/249/Jekyll-3.0-released"),
        ("none", "/news/Jekyll-3.0-released"),
        ("/:categories/:i_month/:short_year/:slug/", "/news/9/13/jekyll-3-0-released"),
        ("/blog/:year/:month/:day/:title.html", "/blog/2013/09/06/Jekyll-3.0-released"),
    ],
)
def test_permalink_styles_and_patterns(pattern, expected):
    when = datetime(2013, 9, 6, 10, tzinfo=UTC)
    paths = expand_permalink(pattern, when=when, slug="Jekyll-3.0-released", categories=["News"])
    assert paths[0] == expected


def test_runs_of_hyphens_keep_both_jekyll_eras_addresses():
    when = datetime(2015, 5, 8, tzinfo=UTC)
    paths = expand_permalink("/:title/", when=when, slug="Show-and-tell---8th-May", categories=[])
    assert paths == ["/Show-and-tell-8th-May", "/Show-and-tell---8th-May"]


@pytest.mark.django_db
def test_collection_permalink_and_per_post_permalink(tmp_path, client):
    write(tmp_path, "_config.yml",
          "permalink: /release/:year/:month/:day/:title/\n"
          "collections:\n  posts:\n    permalink: /news/:year/:month/:day/:title/\n")  # fmt: skip
    write(tmp_path, "_posts/2013-09-06-jekyll-3.0-released.md",
          "---\ntitle: Jekyll 3.0\ncategory: release\n---\nTexto.\n")  # fmt: skip
    write(tmp_path, "_posts/2013-09-07-propia.md",
          "---\ntitle: Propia\npermalink: /docs/:title.html\n---\nTexto.\n")  # fmt: skip
    run_import(tmp_path)
    released = Article.objects.get(headline="Jekyll 3.0")
    assert client.get("/news/2013/09/06/jekyll-3.0-released/")["Location"] == (
        released.get_absolute_url()
    )
    assert client.get("/docs/propia.html").status_code == 301


@pytest.mark.django_db
def test_redirect_from_and_redirect_to(tmp_path, client):
    write(tmp_path, "_posts/2016-01-01-nueva.md",
          "---\ntitle: Nueva\nredirect_from:\n  - /vieja/\n---\nTexto.\n")  # fmt: skip
    write(tmp_path, "_posts/2016-01-02-mudada.md",
          "---\ntitle: Mudada\nredirect_to: https://example.org/aqui\n---\n")  # fmt: skip
    report = run_import(tmp_path)
    assert "failed 0" in report
    assert client.get("/vieja").status_code == 301
    moved = Article.objects.published().get(headline="Mudada")
    assert 'href="https://example.org/aqui"' in moved.body_html
    old = client.get("/2016/01/02/mudada.html")
    assert old.status_code == 301 and old["Location"] == "https://example.org/aqui"


@pytest.mark.django_db
def test_liquid_becomes_what_the_build_showed_or_is_reported(tmp_path):
    write(tmp_path, "_config.yml", "title: Blog\nrepository: https://github.com/x/y\n")
    write(tmp_path, "_posts/2017-05-24-primera.md", "---\ntitle: Primera\n---\nTexto.\n")
    code = 'def hola\n  puts "Hello World" # {{ no }}\nend'
    write(tmp_path, "_posts/2017-06-01-segunda.md",
          "---\ntitle: Segunda\nversion: 1.1\nparches: [{n: 1.1.1}, {n: 1.1.2}]\n---\n"
          "Ver [la primera]({% post_url 2017-05-24-primera %}) y [otra vez]({% link _posts/2017-05-24-primera.md %}).\n\n"
          "Versión {{ page.version }} en [GitHub]({{ site.repository }}/releases).\n\n"
          f"{{% highlight ruby %}}\n{code}\n{{% endhighlight %}}\n\n"
          "{% include aviso.html %}\n\n{% for x in page.cosas %}{{ x }}{% endfor %}\n\n"
          "{% if page.version == 1.1 %}Estable{% else %}Beta{% endif %}"
          "{% for v in page.parches %} [v{{ v.n }}]({{ site.repository }}/tag/v{{ v.n }}){% endfor %}\n")  # fmt: skip
    report = run_import(tmp_path, "--verbosity", "2")
    lines = (tmp_path / "_posts/2017-06-01-segunda.md").read_text(encoding="utf-8").splitlines()
    include_line = lines.index("{% include aviso.html %}") + 1
    first = Article.objects.get(headline="Primera")
    second = Article.objects.get(headline="Segunda")
    assert f"[la primera]({first.get_absolute_url()})" in second.body
    assert f"[otra vez]({first.get_absolute_url()})" in second.body
    assert "Versión 1.1 en [GitHub](https://github.com/x/y/releases)" in second.body
    assert f"```ruby\n{code}\n```" in second.body
    assert "<!-- Jekyll Liquid not imported: {% include aviso.html %} -->" in second.body
    assert f"line {include_line}: {{% include aviso.html %}} kept in a comment" in report
    assert f"line {include_line + 2}: {{% for x in page.cosas %}}" in report
    assert "{%" not in second.body_html and "Hello World" in second.body_html
    assert (
        "Estable [v1.1.1](https://github.com/x/y/tag/v1.1.1) "
        "[v1.1.2](https://github.com/x/y/tag/v1.1.2)"
    ) in second.body
    assert "link_no_destination" not in {item["code"] for item in second.todos}


@pytest.mark.django_db
def test_own_absolute_links_lead_to_the_new_stories(tmp_path):
    write(tmp_path, "_config.yml", "url: https://blog.example.org\n")
    write(tmp_path, "_posts/2017-05-24-primera.md",
          "---\ntitle: Primera\n---\nVer [la segunda](https://blog.example.org/2017/06/01/segunda.html).\n")  # fmt: skip
    write(tmp_path, "_posts/2017-06-01-segunda.md", "---\ntitle: Segunda\n---\nTexto.\n")
    report = run_import(tmp_path)
    first = Article.objects.get(headline="Primera")
    second = Article.objects.get(headline="Segunda")
    assert f"[la segunda]({second.get_absolute_url()})" in first.body
    assert "does not exist" not in report and "link_nowhere" not in str(first.todos)


@pytest.mark.django_db
def test_kramdown_specifics(tmp_path):
    write(tmp_path, "_posts/2017-05-24-kramdown.md",
          "---\ntitle: Kramdown\n---\n"
          "Lo que importa.\n\n<!--more-->\n\n* TOC\n{:toc}\n\n## Parte\n{: #parte}\n\n"
          "![gráfica](https://example.org/a.png)\n{:style=\"text-align:center\"}\n\n"
          "{: .nota}\nPárrafo.\n\nTérmino\n: Definición\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
          "El INE[^1].\n\n[^1]: Instituto.\n\n*[INE]: Instituto Nacional Electoral\n")  # fmt: skip
    report = run_import(tmp_path, "--verbosity", "2")
    story = Article.objects.get()
    assert story.summary == "Lo que importa."
    html = story.body_html
    assert "{:" not in html and "TOC" not in html
    # kramdown's table of contents is the story's: a list of links to its headings.
    assert '<div class="toc">' in html and '<a href="#parte" rel="noopener">Parte</a>' in html
    assert '<h2 id="parte">Parte</h2>' in html
    assert "<dt>Término</dt>" in html and "<table>" in html and 'class="footnote' in html
    assert '<abbr title="Instituto Nacional Electoral">INE</abbr>' in html
    assert "{:toc}" not in report


@pytest.mark.django_db
def test_a_posts_own_excerpt_separator_wins_and_visible_text_stays(tmp_path):
    write(tmp_path, "_config.yml", "excerpt_separator: <!--corte-->\n")
    write(tmp_path, "_posts/2017-05-24-propio.md",
          "---\ntitle: Propio\nexcerpt_separator: <!--resumen-->\n---\n"
          "Primero.\n\n<!--corte-->\n\nSegundo.\n\n<!--resumen-->\n\nTercero.\n")  # fmt: skip
    write(tmp_path, "_posts/2017-05-25-del-sitio.md",
          "---\ntitle: Del sitio\n---\nUno.\n\n<!--corte-->\n\nDos.\n")  # fmt: skip
    write(tmp_path, "_posts/2017-05-26-visible.md",
          "---\ntitle: Visible\nexcerpt_separator: \"[sigue]\"\n---\nAntes.\n\n[sigue]\n\nDespués.\n")  # fmt: skip
    report = run_import(tmp_path)
    own = Article.objects.get(headline="Propio")
    assert own.summary == "Primero.\n\n<!--corte-->\n\nSegundo."
    assert "<!--resumen-->" not in own.body and "Tercero." in own.body
    site = Article.objects.get(headline="Del sitio")
    assert site.summary == "Uno." and "<!--corte-->" not in site.body
    # Jekyll printed a separator that is text: the story keeps it, only the summary stops there.
    visible = Article.objects.get(headline="Visible")
    assert visible.summary == "Antes." and "[sigue]" in visible.body
    assert "excerpt_separator" not in report


@pytest.mark.django_db
def test_front_matter_conventions(tmp_path):
    write(tmp_path, "_posts/2017-05-24-lista.md",
          "---\ntitle: Lista\ncategories: datos abiertos\ntags: uno dos\nexcerpt: Resumen.\n"
          "hidden: true\nsitemap: false\nlast_modified_at: 2018-01-01\n---\nTexto.\n")  # fmt: skip
    write(tmp_path, "_posts/2017-05-25-oculta.md",
          "---\ntitle: Oculta\npublished: false\n---\nTexto.\n")  # fmt: skip
    report = run_import(tmp_path)
    story = Article.objects.get(headline="Lista")
    assert story.is_published and story.category.name == "datos"
    assert sorted(story.tags.names()) == ["abiertos", "dos", "uno"]
    assert story.summary == "Resumen."
    assert "unknown front-matter keys" not in report
    assert not Article.objects.get(headline="Oculta").is_published


@pytest.mark.django_db
def test_posts_in_every_place_and_format_jekyll_reads(tmp_path, client):
    write(tmp_path, "news/_posts/2017-05-24-en-carpeta.md", "---\ntitle: Carpeta\n---\nTexto.\n")
    write(tmp_path, "vendor/bundle/gems/tema/_posts/2010-01-01-del-tema.md", "---\n---\nTema.\n")
    write(tmp_path, "borradores/_posts/2010-01-02-excluida.md", "---\n---\nFuera.\n")
    write(tmp_path, "_config.yml", "exclude: [borradores]\n")
    write(tmp_path, "_posts/2018/2018-01-02-sub.mkd", "---\ntitle: Sub\n---\nTexto.\n")
    write(tmp_path, "_posts/2018-01-03-año-nuevo.markdown", "---\ntitle: Año\n---\nTexto.\n")
    write(tmp_path, "_posts/2018-01-04-pagina.html",
          "---\ntitle: HTML\n---\n<p>Hola <script>x()</script><b>mundo</b></p>\n")  # fmt: skip
    report = run_import(tmp_path)
    assert "failed 0" in report and Article.objects.published().count() == 4
    assert Article.objects.get(headline="Carpeta").category.name == "news"
    assert client.get("/news/2017/05/24/en-carpeta.html").status_code == 301
    assert client.get("/2018/01/03/año-nuevo.html").status_code == 301
    html = Article.objects.get(headline="HTML").body_html
    assert "<b>mundo</b>" in html and "script" not in html


@pytest.mark.django_db
def test_people_from_data_authors_and_the_lead_image(tmp_path):
    (tmp_path / "assets").mkdir()
    Image.new("RGB", (40, 30), (0, 90, 0)).save(tmp_path / "assets" / "pat.png")
    Image.new("RGB", (64, 48), (0, 0, 90)).save(tmp_path / "assets" / "portada.png")
    write(tmp_path, "_data/authors.yml",
          "pat:\n  name: Pat Doe\n  bio: Escribe de datos.\n  avatar: /assets/pat.png\n"
          "  twitter: patdoe\n  links:\n    - https://pat.example.org\n")  # fmt: skip
    write(tmp_path, "_posts/2020-02-03-con-imagen.md",
          "---\ntitle: Con imagen\nauthor: pat\nheader:\n  image: /assets/portada.png\n---\nTexto.\n")  # fmt: skip
    run_import(tmp_path)
    story = Article.objects.get()
    person = story.ordered_bylines[0].author
    assert person.name == "Pat Doe" and person.bio == "Escribe de datos."
    assert person.link_list == ["https://pat.example.org", "https://twitter.com/patdoe"]
    assert person.photo.name.endswith(".png") and person.photo.size > 0
    assert (story.lead_image.width, story.lead_image.height) == (64, 48)
    assert todos(story)["alt_text"] == 1  # the lead image has no alt text yet


@pytest.mark.django_db
def test_a_lead_image_the_library_refuses_costs_the_post_nothing(tmp_path):
    write(tmp_path, "assets/roto.png", "no soy una imagen")
    write(tmp_path, "_posts/2020-02-03-nota.md",
          "---\ntitle: Nota\nimage: /assets/roto.png\n---\nTexto.\n")  # fmt: skip
    report = run_import(tmp_path)
    story = Article.objects.published().get()
    assert story.lead_image is None
    assert "lead image not imported: /assets/roto.png" in report


class Terminal(StringIO):
    """A text stream that says it is a terminal, as a user's shell is."""

    def isatty(self):
        return True


def test_the_progress_bar_draws_on_a_terminal_only():
    terminal, log = Terminal(), StringIO()
    for stream in (terminal, log):
        bar = ProgressBar(stream, width=10)
        bar(1, 4)
        bar(4, 4)
        bar.close()
    assert terminal.getvalue() == "\r[##........] 1/4\r[##########] 4/4\n"
    assert log.getvalue() == ""
