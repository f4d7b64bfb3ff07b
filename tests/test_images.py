"""The media library in use: renditions, pictures in templates and Markdown, publishing, queries."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from PIL import Image as PillowImage

from articles import rendering
from articles.images import ensure_renditions, focal_crop_box, save_image, specs_for
from articles.models import Article, Image, Rendition
from articles.publishing import missing_for_publication, publish_article
from articles.template_helpers import rendition_url
from tests.factories import ArticleFactory, ImageFactory, UserFactory, image_upload


def media_files(settings):
    root = settings.MEDIA_ROOT
    return sorted(path.relative_to(root) for path in root.rglob("*") if path.is_file())


def render(template_code, **context):
    return engines["jinja2"].from_string(template_code).render(context)


# Renditions


def test_renditions_are_made_at_upload_in_webp_and_the_original_format(db):
    image = ImageFactory(size=(2000, 1500))
    specs = {rendition.spec: rendition for rendition in image.renditions.all()}
    for width in (320, 640, 1024, 1600):
        assert {f"w{width}.webp", f"w{width}.jpg"} <= specs.keys()
        assert (specs[f"w{width}.webp"].width, specs[f"w{width}.webp"].height) == (
            width,
            width * 3 // 4,
        )
    assert (specs["card-1200.jpg"].width, specs["card-1200.jpg"].height) == (1200, 630)
    assert (specs["square-400.webp"].width, specs["square-400.webp"].height) == (400, 400)
    with specs["w640.webp"].file.open("rb") as stored:
        assert PillowImage.open(stored).format == "WEBP"


def test_renditions_are_made_once_and_reused(db, settings, django_assert_num_queries):
    image = ImageFactory(size=(1200, 900))
    files, rows = media_files(settings), Rendition.objects.count()
    assert rows == len(specs_for(image))

    fresh = Image.objects.get(pk=image.pk)
    with django_assert_num_queries(1):
        ensure_renditions(fresh)
    prefetched = Image.objects.prefetch_related("renditions").get()
    with django_assert_num_queries(0):
        render("{{ picture(image) }}", image=prefetched)
    assert media_files(settings) == files
    assert Rendition.objects.count() == rows


def test_renditions_never_upscale_a_small_original(db):
    image = ImageFactory(size=(500, 300))
    renditions = list(image.renditions.all())
    assert sorted({r.width for r in renditions if r.spec.startswith("w")}) == [320, 500]
    assert all(r.width <= 500 and r.height <= 300 for r in renditions)
    card = next(r for r in renditions if r.spec.startswith("card"))
    assert abs(card.width / card.height - 1200 / 630) < 0.01


def test_png_originals_get_png_fallbacks(db):
    image = ImageFactory(file=image_upload("g.png", image_format="PNG", mode="RGBA"))
    assert image.renditions.filter(spec="w640.png").exists()
    assert not image.renditions.filter(spec__endswith=".jpg").exists()


@pytest.mark.parametrize(
    ("size", "ratio", "focal", "box"),
    [
        ((1000, 1000), 2.0, (0.5, 0.5), (0, 250, 1000, 750)),
        ((1000, 1000), 2.0, (0.5, 0.9), (0, 500, 1000, 1000)),
        ((1000, 500), 1.0, (0.1, 0.5), (0, 0, 500, 500)),
        ((1000, 500), 1.0, (0.7, 0.5), (450, 0, 950, 500)),
    ],
)
def test_crops_keep_the_focal_point_in_view(size, ratio, focal, box):
    assert focal_crop_box(size, ratio, focal) == box


def test_moving_the_focal_point_remakes_only_the_crops(db):
    image = ImageFactory(size=(1600, 800))
    widths_before = set(image.renditions.filter(spec__startswith="w").values_list("pk", flat=True))
    square_before = image.renditions.get(spec="square-400.jpg").file.name
    image.focal_x = 0.0
    save_image(image=image, recrop=True)
    assert (
        set(image.renditions.filter(spec__startswith="w").values_list("pk", flat=True))
        == widths_before
    )
    square = image.renditions.get(spec="square-400.jpg")
    assert square.file.name != square_before
    with square.file.open("rb") as stored:
        # The test picture's red channel grows from left to right: a left crop is dark.
        assert PillowImage.open(stored).convert("RGB").getpixel((200, 200))[0] < 100


def test_replacing_the_file_removes_the_old_files(db, settings):
    image = ImageFactory(size=(700, 500))
    old_files = media_files(settings)
    from articles.images import prepare_upload

    save_image(image=image, prepared=prepare_upload(image_upload(size=(900, 600))))
    assert (image.width, image.height) == (900, 600)
    assert not set(old_files) & set(media_files(settings))
    assert image.renditions.count() == len(specs_for(image))


# Templates


def test_picture_tag_emits_webp_and_fallback_srcsets_with_dimensions_and_alt(db):
    image = ImageFactory(size=(2000, 1000), alt='Marcha "8M" en el Zócalo')
    html = render('{{ picture(image, sizes="50vw") }}', image=image)
    assert re.search(
        r'<source type="image/webp" srcset="[^"]*w320-[0-9a-f]{8}\.webp 320w, [^"]*w1600-[0-9a-f]{8}\.webp 1600w"',
        html,
    )
    assert 'sizes="50vw"' in html
    assert re.search(
        r'<img src="[^"]*w1024-[0-9a-f]{8}\.jpg" srcset="[^"]*w320-[0-9a-f]{8}\.jpg 320w', html
    )
    assert 'width="1600" height="800"' in html
    assert 'alt="Marcha &quot;8M&quot; en el Zócalo"' in html
    assert 'loading="lazy"' in html and "fetchpriority" not in html


def test_picture_tag_can_load_eagerly_above_the_fold(db):
    html = render("{{ picture(image, eager=true) }}", image=ImageFactory())
    assert 'loading="eager"' in html and 'fetchpriority="high"' in html


def test_rendition_url_gives_the_social_card(db):
    image = ImageFactory(size=(2000, 1500))
    assert rendition_url(image, "card").split("/")[-1].startswith("card-1200-")


def test_lead_image_partial_shows_caption_and_credit_with_story_overrides(db):
    image = ImageFactory(caption="Pie de la biblioteca", credit="Ana Foto")
    article = ArticleFactory(lead_image=image)
    html = render("{% include 'articles/includes/lead_image.html' %}", article=article)
    assert "<figure" in html and "<picture>" in html and 'loading="eager"' in html
    assert "Pie de la biblioteca" in html and '<span class="credit">Ana Foto</span>' in html

    article.lead_image_caption = "Pie propio de la historia"
    html = render("{% include 'articles/includes/lead_image.html' %}", article=article)
    assert "Pie propio de la historia" in html and "Pie de la biblioteca" not in html
    assert (
        render(
            "{% include 'articles/includes/lead_image.html' %}", article=ArticleFactory()
        ).strip()
        == ""
    )


def test_image_in_use_as_lead_cannot_be_deleted(db):
    from django.db.models import ProtectedError

    image = ImageFactory()
    ArticleFactory(lead_image=image)
    with pytest.raises(ProtectedError):
        image.delete()


# Markdown


def test_library_image_in_markdown_becomes_a_picture_with_final_urls(db):
    image = ImageFactory(size=(1200, 800), alt="Alt de la biblioteca")
    html = rendering.render_markdown(f"Antes ![Alt propio](image:{image.pk}) después.")
    assert "<picture>" in html and "image:" not in html
    assert 'alt="Alt propio"' in html and 'loading="lazy"' in html
    assert 'width="1200"' in html and 'height="800"' in html
    assert image.renditions.get(spec="w640.webp").file.url in html
    assert html.startswith("<p>Antes <picture>") and "</picture> después.</p>" in html


def test_library_image_alone_in_a_paragraph_becomes_a_figure_with_caption_and_credit(db):
    image = ImageFactory(alt="Mapa", caption="Pozos en <Sonora>", credit="Conagua")
    html = rendering.render_markdown(f"![](image:{image.pk})")
    assert html.startswith("<figure><picture>")
    assert 'alt="Mapa"' in html
    assert (
        '<figcaption>Pozos en &lt;Sonora&gt;<span class="credit">Conagua</span></figcaption>'
        in html
    )


def test_unknown_library_image_leaves_nothing_for_readers_and_warns_the_editor(db):
    text = "Texto.\n\n![Foto](image:999)\n\nMás ![x](image:998) texto."
    html = rendering.render_markdown(text)
    assert "image:" not in html and "<img" not in html and "<p></p>" not in html
    assert "Más  texto." in html
    with translation.override("en"):
        warnings = rendering.find_image_warnings(text)
    assert [w.href for w in warnings] == ["image:999", "image:998"]
    assert "no image 999" in warnings[0].message


def test_external_images_stay_img_and_always_get_an_alt(db):
    html = rendering.render_markdown(
        '![](https://example.org/a.png)\n\n<img src="https://example.org/b.png">'
    )
    assert html.count('alt=""') == 2
    assert "<picture>" not in html
    assert len(rendering.find_image_warnings("![](https://example.org/a.png)")) == 1
    assert rendering.find_image_warnings("![Una gráfica](https://example.org/a.png)") == []


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="data:image/svg+xml;base64,PHN2Zz4=" alt="x">',
        '<img src="javascript:alert(1)" alt="x">',
        '<img alt="sin dirección">',
        "![x](data:image/png;base64,AAAA)",
    ],
)
def test_images_without_a_usable_address_are_removed_entirely(markup):
    assert "<img" not in rendering.render_markdown(markup)


def test_sanitizer_keeps_picture_attributes_and_strips_dangerous_ones():
    html = rendering.sanitize_html(
        '<picture><source type="image/webp" srcset="/a.webp 320w" sizes="100vw" onerror="x()">'
        '<img src="/a.jpg" srcset="/a.jpg 320w" sizes="100vw" width="3" height="2" alt="a" '
        'loading="lazy" onload="x()" style="x"></picture>'
        '<img src="/b.jpg" alt="b" srcset="javascript:alert(1) 1x, /b.jpg 2x">'
    )
    assert 'srcset="/a.webp 320w"' in html and 'srcset="/a.jpg 320w"' in html
    assert 'width="3" height="2"' in html and 'loading="lazy"' in html
    assert "onerror" not in html and "onload" not in html and "style" not in html
    assert "javascript" not in html and '<img src="/b.jpg" alt="b">' in html


def test_story_body_is_rendered_with_library_images_on_save(db):
    image = ImageFactory()
    article = ArticleFactory(body=f"![Foto](image:{image.pk})")
    assert "<picture>" in Article.objects.get(pk=article.pk).body_html


# Publishing


def test_lead_image_without_alt_blocks_publication(db):
    article = ArticleFactory(draft=True, lead_image=ImageFactory(alt=""))
    with translation.override("en"):
        assert "alt text for the lead image" in missing_for_publication(article)
        with pytest.raises(ValidationError, match="alt text for the lead image"):
            publish_article(article=article)


def test_body_images_without_alt_block_publication_by_position(db):
    described, undescribed = ImageFactory(alt="Con alt"), ImageFactory(alt="")
    body = (
        f"![](image:{described.pk})\n\n![](image:{undescribed.pk})\n\n"
        f"![Alt propio](image:{undescribed.pk})\n\n![](https://example.org/x.png)"
    )
    article = ArticleFactory(draft=True, body=body)
    with translation.override("en"):
        missing = missing_for_publication(article)
    assert "alt text for image 2 in the body" in missing
    assert "alt text for image 4 in the body" in missing
    assert not any("image 1 " in m or "image 3 " in m for m in missing)

    undescribed.alt = "Ahora sí"
    undescribed.save()
    article.body = body.replace("![](https://", "![Gráfica](https://")
    article.save()
    publish_article(article=article)
    assert article.is_published


# Queries


def _article_page_queries(article):
    """Queries made to load a story as the detail view does and render what shows its images."""
    with CaptureQueriesContext(connection) as queries:
        story = Article.objects.published().for_detail().get(pk=article.pk)
        render(
            "{% include 'articles/includes/lead_image.html' %}{{ article.body_html|safe }}"
            "{% for b in article.ordered_bylines %}{{ b.author }}{% endfor %}"
            "{% for t in article.tags.all() %}{{ t }}{% endfor %}",
            article=story,
        )
    return len(queries)


def test_article_page_queries_do_not_grow_with_images(db):
    plain = ArticleFactory()
    lead_only = ArticleFactory(lead_image=ImageFactory())
    images = ImageFactory.create_batch(3)
    body = "\n\n".join(f"![Foto {n}](image:{image.pk})" for n, image in enumerate(images))
    illustrated = ArticleFactory(lead_image=ImageFactory(), body=body)
    assert illustrated.body_html.count("<picture>") == 3

    # Body images cost nothing at read time: their markup was made when the story was saved.
    assert _article_page_queries(illustrated) == _article_page_queries(lead_only)
    # A lead image costs one query for its renditions, however many renditions it has.
    assert _article_page_queries(lead_only) == _article_page_queries(plain) + 1


def test_listing_queries_do_not_grow_with_lead_images(db, django_assert_max_num_queries):
    def listing_queries():
        with CaptureQueriesContext(connection) as queries:
            for story in Article.objects.published().for_listing():
                render("{{ picture(story.lead_image) }}", story=story)
        return len(queries)

    ArticleFactory(lead_image=ImageFactory(size=(400, 300)))
    one = listing_queries()
    for _ in range(4):
        ArticleFactory(lead_image=ImageFactory(size=(400, 300)))
    assert listing_queries() == one


# Admin


@pytest.fixture
def admin_client_logged_in(client, db):
    client.force_login(UserFactory(username="editora", is_staff=True, is_superuser=True))
    return client


def test_admin_upload_stores_a_cleaned_image_with_the_uploader(admin_client_logged_in):
    response = admin_client_logged_in.post(
        "/admin/articles/image/add/",
        {
            "upload": image_upload("foto.jpg"),
            "alt": "Una foto",
            "credit": "Ana",
            "focal_x": 0.5,
            "focal_y": 0.5,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    image = Image.objects.get()
    assert image.uploaded_by.username == "editora"
    assert image.original_filename == "foto.jpg" and image.renditions.exists()


def test_admin_refuses_a_disguised_file_with_a_clear_message(admin_client_logged_in):
    with translation.override("en"):
        response = admin_client_logged_in.post(
            "/admin/articles/image/add/",
            {
                "upload": image_upload("foto.jpg", b"<html><script>alert(1)</script>"),
                "alt": "x",
                "focal_x": 0.5,
                "focal_y": 0.5,
            },
        )
    assert response.status_code == 200
    assert "not a JPEG, PNG, GIF or WebP image" in response.content.decode()
    assert not Image.objects.exists()


def test_admin_list_is_searchable_and_shows_thumbnails(admin_client_logged_in):
    ImageFactory(credit="Cuartoscuro", alt="Protesta")
    ImageFactory(credit="Otra agencia", alt="Paisaje")
    response = admin_client_logged_in.get("/admin/articles/image/", {"q": "cuartoscuro"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Protesta" in html and "Paisaje" not in html
    assert re.search(r'<img src="[^"]*square-400-[0-9a-f]{8}\.jpg" width="64"', html)
