"""``manage.py import_wordpress`` on WordPress's own theme test exports (../shared/corpus)."""

import json
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from PIL import Image as PillowImage

from articles.importers.wordpress_xml import WxrItem, read_wxr
from articles.models import Article, ArticlePath, Category, Image, WordPressItem
from tests.conftest import PROJECT_ROOT

WORDPRESS_CORPUS = PROJECT_ROOT.parent / "shared" / "corpus" / "wordpress-theme-test-data"
THEME = "themeunittestdata.wordpress.xml"
BLOCKS = "64-block-test-data.xml"


@pytest.fixture
def corpus():
    """The WordPress exports from ../shared; skipped where they are absent."""
    if not WORDPRESS_CORPUS.is_dir():
        pytest.skip(f"the WordPress corpus is not at {WORDPRESS_CORPUS} (it ships beside the repo)")
    return WORDPRESS_CORPUS


def run_import(export, *args):
    """Run the command and return what it printed."""
    out = StringIO()
    call_command("import_wordpress", str(export), *args, stdout=out)
    return out.getvalue()


def items_of(export) -> list[WxrItem]:
    return [entry for entry in read_wxr(export) if isinstance(entry, WxrItem)]


@pytest.fixture
def uploads(tmp_path, corpus):
    """A wp-content/uploads copy with a real picture for every image attachment of the export."""
    folder = tmp_path / "uploads"
    for item in items_of(corpus / THEME):
        if item.post_type == "attachment" and item.attachment_url.endswith((".jpg", ".gif")):
            key = item.attachment_url.split(".files.wordpress.com/", 1)[1]
            path = folder / key
            path.parent.mkdir(parents=True, exist_ok=True)
            kind = "GIF" if key.endswith(".gif") else "JPEG"
            PillowImage.new("RGB", (80, 60), (200, 40, 40)).save(path, kind)
    return folder


@pytest.fixture
def theme(db, corpus, uploads):
    """The theme unit test export imported with its uploads; returns the printed report."""
    return run_import(corpus / THEME, "--uploads", str(uploads))


def story(wordpress_id: str) -> Article:
    return Article.objects.get(import_metadata__wordpress_id=wordpress_id)


def test_stories_by_status(theme, corpus):
    statuses = {}
    for article in Article.objects.all():
        key = (article.import_metadata["wordpress_status"], article.status)
        statuses[key] = statuses.get(key, 0) + 1
    # 56 published posts (one has a password) and 21 pages, a scheduled and a draft post; the
    # empty post and an empty page cannot be published and stay drafts, with a warning.
    assert statuses == {
        ("publish", "published"): 56 + 21 - 3,
        ("publish", "draft"): 3,
        ("future", "published"): 1,
        ("draft", "draft"): 1,
    }
    assert Article.objects.filter(category__name="Páginas").count() == 21
    assert "Edge Case: No Content" in theme
    assert "Comentarios no importados: 33" in theme


def test_scheduled_draft_and_password_protected_posts(theme, client):
    scheduled = story("1153")
    assert scheduled.status == Article.Status.PUBLISHED
    assert scheduled.published_at == datetime(2030, 1, 1, 19, 0, 18, tzinfo=UTC)
    assert scheduled not in Article.objects.published()
    assert client.get(scheduled.get_absolute_url()).status_code == 404
    for wordpress_id in ("1164", "1168"):  # the draft, the password-protected post
        hidden = story(wordpress_id)
        assert hidden not in Article.objects.published()
        assert client.get(hidden.get_absolute_url()).status_code == 404
    assert "1168" in theme and "contraseña" in theme


def test_sections_nested_categories_and_tags(theme, client):
    formatting = story("1177")  # Markup: Image Alignment
    assert formatting.category.name == "Classic"
    # Tags and categories of the same name (“template”, “Template”) are one tag.
    assert {tag.name.casefold() for tag in story("1011").tags.all()} == {
        "codex", "edge case", "featured image", "image", "template", "uncategorized",
    }  # fmt: skip
    many = {tag.name for tag in story("1152").tags.all()}
    # child-2 sits under child-1 under parent: the parents come along as tags.
    assert {"Child 2", "Child 1", "Parent", "Child Category 01", "Parent Category"} <= many
    response = client.get("/category/parent/child-1/child-2/")
    assert response.status_code == 301
    assert client.get(response["Location"]).status_code == 200
    classic = Category.objects.get(name="Classic")
    assert client.get("/category/classic/")["Location"] == classic.get_absolute_url()
    assert (
        client.get("/category/classic/feed/")["Location"] == f"/feeds/secciones/{classic.slug}/rss/"
    )
    assert client.get("/tag/edge-case/").status_code == 301
    assert client.get("/author/themedemos/").status_code == 301
    assert client.get("/feed/")["Location"] == "/feeds/rss/"


def test_featured_image_becomes_the_lead_image(theme):
    horizontal = story("1011")
    assert horizontal.lead_image is not None
    assert horizontal.lead_image.alt == "Horizontal Featured Image"
    assert horizontal.lead_image.width == 80
    assert Image.objects.count() == 35
    assert WordPressItem.objects.filter(kind="attachment").count() == 35


def test_readers_never_see_shortcodes_or_block_comments(theme, client):
    published = list(Article.objects.published().select_related("category"))
    assert len(published) == 74
    for article in published:
        html = client.get(article.get_absolute_url()).content.decode()
        assert "[caption" not in html and "<!-- wp:" not in html and "[gallery" not in html
    captioned = story("1163")  # Post Format: Image (Caption)
    assert "<figure>" in captioned.body_html and "<picture>" in captioned.body_html


def test_every_old_post_address_answers_301_to_the_story(theme, client, corpus):
    checked = 0
    for item in items_of(corpus / THEME):
        if item.post_type not in ("post", "page") or item.status != "publish" or item.password:
            continue
        article = story(item.post_id)
        if article.status != Article.Status.PUBLISHED:
            continue  # the empty post and page, reported as kept drafts
        path = item.link.split("wordpress.com", 1)[1].replace("//", "/")
        for old in (path, path.rstrip("/"), f"/?p={item.post_id}"):
            response = client.get(old)
            assert response.status_code == 301, old
            assert response["Location"] == article.get_absolute_url()
            assert client.get(old, follow=True).status_code == 200
        checked += 1
    assert checked == 74
    assert client.get(f"/?page_id={story('2').import_metadata['wordpress_id']}").status_code == 301


def test_a_second_run_changes_nothing_and_keeps_editors_changes(theme, corpus, uploads):
    edited = story("1177")
    edited.headline = "Editada en la redacción"
    edited.save()
    counts = (Article.objects.count(), ArticlePath.objects.count(), Image.objects.count(),
              WordPressItem.objects.count(), Category.objects.count())  # fmt: skip
    versions = {a.pk: a.edit_version for a in Article.objects.all()}
    second = run_import(corpus / THEME, "--uploads", str(uploads))
    assert (Article.objects.count(), ArticlePath.objects.count(), Image.objects.count(),
            WordPressItem.objects.count(), Category.objects.count()) == counts  # fmt: skip
    assert {a.pk: a.edit_version for a in Article.objects.all()} == versions
    assert story("1177").headline == "Editada en la redacción"
    assert "0" in second.splitlines()[0] and "79" in second.splitlines()[0]


def test_a_changed_post_is_updated(db, corpus, tmp_path):
    export = tmp_path / "site.xml"
    text = (corpus / THEME).read_text(encoding="utf-8")
    export.write_text(text, encoding="utf-8")
    run_import(export)
    export.write_text(
        text.replace("<title>Markup: Image Alignment</title>", "<title>Alineación</title>"),
        encoding="utf-8",
    )
    report = run_import(export)
    assert story("1177").headline == "Alineación"
    assert story("1177").status == Article.Status.PUBLISHED
    assert Article.objects.count() == 79
    assert "post / publish / updated: 1" in report


def test_block_editor_export(db, corpus, client):
    report = run_import(corpus / BLOCKS)
    assert Article.objects.filter(import_metadata__wordpress_type="post").count() == 61
    assert not Article.objects.filter(body__contains="<!-- wp:").exists()
    published = Article.objects.published().select_related("category")
    assert published.count() >= 61
    for article in published:
        assert "<!-- wp:" not in client.get(article.get_absolute_url()).content.decode()
    assert "Historias creadas 62" in report


def test_dry_run_saves_nothing_and_writes_the_json_report(db, corpus, tmp_path):
    report_file = tmp_path / "report.json"
    printed = run_import(corpus / THEME, "--dry-run", "--report", str(report_file))
    assert Article.objects.count() == WordPressItem.objects.count() == Category.objects.count() == 0
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert report["dry_run"] and report["counts"]["created"] == 79
    assert report["not_imported"]
    assert any(w["item"].startswith("post 1168") for w in report["warnings"])
    assert printed


BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<rss><channel><wp:wxr_version xmlns:wp="http://wordpress.org/export/1.2/">1.2</wp:wxr_version>
<item><title>&lol3;</title></item></channel></rss>"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss><channel><wp:wxr_version xmlns:wp="http://wordpress.org/export/1.2/">1.2</wp:wxr_version>
<item><title>&secret;</title></item></channel></rss>"""
RSS = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Un blog</title>
<item><title>Hola</title><link>https://example.org/hola</link></item></channel></rss>"""


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "truncado"),
        (BOMB, "tipo de documento"),
        (EXTERNAL, "tipo de documento"),
        (RSS, "WXR"),
        ("", "0 bytes"),
        ("<html><body>no</body></html>", "WXR"),
    ],
    ids=["truncated", "entity-bomb", "external-entity", "rss-not-wxr", "empty", "html"],
)
def test_bad_files_are_refused_with_nothing_written(db, corpus, tmp_path, content, message):
    export = tmp_path / "bad.xml"
    if content is None:
        whole = (corpus / THEME).read_bytes()
        export.write_bytes(whole[: len(whole) * 2 // 3])
    else:
        export.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        run_import(export)
    text = str(refused.value)
    assert message in text
    assert "root:" not in text
    if content is None:
        assert "línea 9660" in text
    assert Article.objects.count() == 0
    assert WordPressItem.objects.count() == Category.objects.count() == 0


def test_dates_in_the_sites_zone_and_the_statuses_that_stay_private(db, tmp_path, settings):
    settings.TIME_ZONE = "America/Mexico_City"
    export = tmp_path / "one.xml"
    export.write_text(
        """<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/"
        xmlns:dc="http://purl.org/dc/elements/1.1/"
        xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
        <link>https://viejo.example.org</link><wp:wxr_version>1.2</wp:wxr_version>
        <item><title>Nota</title><link>https://viejo.example.org/nota/</link>
        <dc:creator>ana</dc:creator><content:encoded>Hola [unknown_code x=1] mundo</content:encoded>
        <wp:post_id>7</wp:post_id><wp:post_date>2024-03-01 10:00:00</wp:post_date>
        <wp:post_date_gmt>0000-00-00 00:00:00</wp:post_date_gmt><wp:post_name>nota</wp:post_name>
        <wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>
        <item><title>Borrada</title><wp:post_id>8</wp:post_id><wp:status>trash</wp:status>
        <wp:post_type>post</wp:post_type></item>
        <item><title>Por revisar</title><wp:post_id>9</wp:post_id><wp:status>pending</wp:status>
        <content:encoded>Texto</content:encoded><wp:post_type>post</wp:post_type></item>
        <item><title>Privada</title><wp:post_id>10</wp:post_id><wp:status>private</wp:status>
        <content:encoded>Texto</content:encoded><wp:post_type>post</wp:post_type></item>
        </channel></rss>""",
        encoding="utf-8",
    )
    report = run_import(export)
    article = story("7")
    assert timezone.localtime(article.published_at).hour == 10
    assert article.published_at == datetime(2024, 3, 1, 16, 0, tzinfo=UTC)
    assert "[unknown_code]" in report and "post 8" in report
    assert story("9").status == Article.Status.IN_REVIEW
    assert story("10").status == Article.Status.DRAFT and "privada: se importó" in report
    assert set(Article.objects.published()) == {article}
    assert Article.objects.count() == 3


def test_embeds_become_links_readers_can_follow(theme):
    youtube = Article.objects.get(slug="post-format-video-youtube")
    assert 'class="embed"' in youtube.body_html
    assert 'href="https://www.youtube.com/watch?v=SQEQr7c0-dw"' in youtube.body_html
    blocks = Article.objects.filter(body_html__contains="twitter.com/WordPress/status").get()
    assert 'class="embed"' in blocks.body_html and "<iframe" not in blocks.body_html


SMALL_EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Viejo</title><link>{site}</link><wp:wxr_version>1.2</wp:wxr_version>
<wp:author><wp:author_login>ana</wp:author_login>
<wp:author_display_name>Ana Pérez</wp:author_display_name></wp:author>
<item><title>Foto</title><wp:post_id>10</wp:post_id><wp:post_type>attachment</wp:post_type>
<wp:status>inherit</wp:status><wp:post_parent>11</wp:post_parent>
<excerpt:encoded><![CDATA[La plaza, de noche]]></excerpt:encoded>
<wp:attachment_url>{site}/wp-content/uploads/2024/01/plaza.jpg</wp:attachment_url>
<wp:postmeta><wp:meta_key>_wp_attachment_image_alt</wp:meta_key>
<wp:meta_value>Plaza iluminada</wp:meta_value></wp:postmeta></item>
<item><title>Falsa</title><wp:post_id>12</wp:post_id><wp:post_type>attachment</wp:post_type>
<wp:status>inherit</wp:status>
<wp:attachment_url>{site}/wp-content/uploads/2024/01/falsa.jpg</wp:attachment_url></item>
<item><title>La plaza</title><link>{site}/2024/01/05/la-plaza/</link>
<dc:creator>ana</dc:creator><wp:post_id>11</wp:post_id><wp:post_type>post</wp:post_type>
<wp:status>publish</wp:status><wp:post_name>la-plaza</wp:post_name>
<wp:post_date_gmt>2024-01-05 18:00:00</wp:post_date_gmt>
<category domain="category" nicename="ciudad"><![CDATA[Ciudad]]></category>
<content:encoded><![CDATA[Texto de la nota.

[caption id="attachment_10" width="300"]<img src="{site}/wp-content/uploads/2024/01/plaza-300x200.jpg" alt="" /> La plaza, de noche[/caption]

Ver <a href="{site}/wp-content/uploads/2024/01/plaza.jpg">la foto grande</a>.]]></content:encoded>
<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>10</wp:meta_value></wp:postmeta>
<wp:postmeta><wp:meta_key>color_de_fondo</wp:meta_key><wp:meta_value>azul</wp:meta_value></wp:postmeta>
</item></channel></rss>"""


@pytest.fixture
def old_site(tmp_path):
    """The old site's uploads served over HTTP on a free local port: a real picture and a
    file named .jpg that is HTML."""
    import threading
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    root = tmp_path / "old-site"
    folder = root / "wp-content" / "uploads" / "2024" / "01"
    folder.mkdir(parents=True)
    PillowImage.new("RGB", (120, 90), (10, 120, 200)).save(folder / "plaza.jpg", "JPEG")
    (folder / "falsa.jpg").write_text("<html><script>alert(1)</script></html>")

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_download_brings_attachments_in_through_the_upload_checks(db, tmp_path, old_site, client):
    export = tmp_path / "small.xml"
    export.write_text(SMALL_EXPORT.format(site=old_site), encoding="utf-8")
    without = run_import(export, "--dry-run")
    assert "no se encontró el archivo" in without
    report = run_import(export, "--download")
    article = story("11")
    image = article.lead_image
    assert image is not None and image.alt == "Plaza iluminada" and image.width == 120
    assert image.caption == "La plaza, de noche"
    # The caption shortcode is the library figure, the link to the upload the stored file.
    assert f"![Plaza iluminada](image:{image.pk})" in article.body
    assert f"]({image.file.url})" in article.body
    assert "<figure>" in article.body_html and "<picture>" in article.body_html
    assert "falsa.jpg" in report and "rechazado" in report
    assert Image.objects.count() == 1
    assert article.import_metadata["wordpress_meta"] == {"color_de_fondo": "azul"}
    assert "color_de_fondo" in report
    assert article.ordered_bylines[0].author.name == "Ana Pérez"
    assert client.get("/?p=11")["Location"] == article.get_absolute_url()
    assert client.get("/2024/01/05/la-plaza/feed/")["Location"] == article.get_absolute_url()
    assert client.get("/author/ana/feed/")["Location"].startswith("/feeds/autores/")


def test_site_url_moves_the_old_addresses_but_not_the_items_identity(db, tmp_path, client):
    export = tmp_path / "small.xml"
    export.write_text(SMALL_EXPORT.format(site="https://staging.example.org"), encoding="utf-8")
    run_import(export, "--site-url", "https://viejo.example.org/noticias/")
    article = story("11")
    response = client.get("/noticias/2024/01/05/la-plaza/")
    assert response.status_code == 301 and response["Location"] == article.get_absolute_url()
    assert (
        client.get("/noticias/category/ciudad/")["Location"] == article.category.get_absolute_url()
    )
    again = run_import(export)
    assert Article.objects.count() == 1
    assert "post / publish / unchanged: 1" in again


def test_body_conversion_keeps_what_markdown_cannot_say_as_clean_html():
    from articles.importers.wordpress_body import convert_body
    from articles.importers.wordpress_media import MediaMap
    from articles.rendering import render_markdown

    content = (
        "Primer párrafo con H<sub>2</sub>O y x<sup>2</sup>.\nMisma línea.\n\n"
        "<dl><dt>Término</dt><dd>Definición</dd></dl>\n\n"
        '<table><tr><td colspan="2">Unida</td></tr><tr><td>a</td><td>b</td></tr></table>\n\n'
        '<script>alert(1)</script><p onclick="x()">Segundo [boton color="rojo"]</p>'
    )
    body = convert_body(content, media=MediaMap(), post_id="1", gallery_of={})
    html = render_markdown(body.markdown)
    assert "<sub>2</sub>" in html and "<sup>2</sup>" in html
    assert "<dl><dt>Término</dt><dd>Definición</dd></dl>" in html
    assert 'colspan="2"' in html
    assert "<br" in html  # a single newline is a line break, as in WordPress
    assert "script" not in html and "onclick" not in html
    assert body.shortcodes == {"boton"}
    assert "Segundo [boton color=" in html  # kept as text (smart quotes curl it)


TWO_POSTS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><link>https://viejo.example.org</link><wp:wxr_version>1.2</wp:wxr_version>
<wp:author><wp:author_login>ana</wp:author_login>
<wp:author_display_name>Ana Pérez</wp:author_display_name></wp:author>
<item><title>Rota</title><link>https://viejo.example.org/rota/</link><dc:creator>ana</dc:creator>
<wp:post_id>1</wp:post_id><wp:post_type>post</wp:post_type><wp:status>publish</wp:status>
<category domain="category" nicename="nueva"><![CDATA[Nueva]]></category>
<content:encoded><![CDATA[{bad}]]></content:encoded></item>
<item><title>Buena</title><link>https://viejo.example.org/buena/</link><dc:creator>ana</dc:creator>
<wp:post_id>2</wp:post_id><wp:post_type>post</wp:post_type><wp:status>publish</wp:status>
<category domain="category" nicename="nueva"><![CDATA[Nueva]]></category>
<content:encoded><![CDATA[Texto.]]></content:encoded></item>
</channel></rss>"""


def test_an_item_that_fails_leaves_nothing_and_the_others_are_kept(db, tmp_path, client):
    export = tmp_path / "two.xml"
    export.write_text(TWO_POSTS.format(bad="[" * 60 + "x" + "]" * 60), encoding="utf-8")
    with pytest.raises(CommandError, match="1 elemento"):
        run_import(export)
    good = story("2")
    # The section and author the failed post created first were taken back with it, and
    # made again for the good one.
    assert good.category.name == "Nueva" and good.ordered_bylines[0].author.name == "Ana Pérez"
    assert Article.objects.count() == 1
    assert client.get("/category/nueva/")["Location"] == good.category.get_absolute_url()
    assert client.get("/buena/")["Location"] == good.get_absolute_url()
