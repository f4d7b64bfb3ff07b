"""Markdown to safe HTML: the reader never receives script from an editor's text."""

import re

import pytest
from django.utils import translation

from articles.publishing import add_correction
from articles.rendering import (
    count_words,
    find_link_warnings,
    linked_hosts,
    looks_like_link_target,
    render_markdown,
)

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">clic</a>',
    "[clic](javascript:alert(1))",
    "[clic](JaVaScRiPt:alert(1))",
    '<a href="  javascript:alert(1)">clic</a>',
    '<a href="java&#x09;script:alert(1)">clic</a>',
    '<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=">',
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<div onmouseover="alert(1)">pasa</div>',
    '<svg onload="alert(1)"></svg>',
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{display:none}</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<form action="https://evil.example"><input name="p"></form>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<object data='x.swf'></object><embed src='x.swf'>",
    '<a href="vbscript:msgbox(1)">x</a>',
    "<base href='https://evil.example/'>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_dangerous_markup_never_survives(payload):
    html = render_markdown(f"Texto antes.\n\n{payload}\n\nTexto después.").lower()
    for forbidden in (
        "<script", "onerror", "onload", "onmouseover", "javascript:", "vbscript:", "data:",
        "<iframe", "<svg", "<style", "style=", "<form", "<input", "<object", "<embed", "<base",
        "<meta",
    ):  # fmt: skip
        assert forbidden not in html
    assert "texto después" in html


def test_reference_story_features_render(demo):
    html = demo.body_html
    assert '<a href="https://articulo19.org" rel="noopener">Artículo 19</a>' in html
    assert "<blockquote>" in html
    assert "<hr>" in html
    assert "{%" not in html


def test_tables_footnotes_attributes_fenced_code_and_smart_quotes():
    html = render_markdown(
        'Dijo "hola"... y se fue[^1].\n\n'
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "Un párrafo.\n{: .destacado }\n\n"
        "```\ncódigo <b>\n```\n\n"
        "[^1]: Una nota."
    )
    assert "“hola”…" in html
    assert "<table>" in html and "<td>1</td>" in html
    assert 'class="footnote' in html
    assert '<p class="destacado">' in html
    assert "<pre><code>código &lt;b&gt;" in html


def test_raw_html_from_the_old_blog_is_kept_when_safe():
    html = render_markdown(
        '<div class="viz">Gráfica</div>\n\nNota<sup>1</sup> <a name="ancla"></a>'
    )
    assert '<div class="viz">Gráfica</div>' in html
    assert "<sup>1</sup>" in html
    assert '<a id="ancla"></a>' in html


def test_a_link_whose_target_is_not_an_address_keeps_only_its_words():
    html = render_markdown("[Cultura Ecológica](cultura ecologica)")
    assert html == "<p><a>Cultura Ecológica</a></p>"


@pytest.mark.parametrize(
    "href, ok",
    [
        ("https://fundar.org.mx", True),
        ("mailto:hola@example.org", True),
        ("/transparencia/", True),
        ("#nota", True),
        ("cultura ecologica", False),
        ("javascript:alert(1)", False),
        ("", False),
        ("www.fundar.org.mx", False),
    ],
)
def test_looks_like_link_target(href, ok):
    assert looks_like_link_target(href) is ok


def test_link_warnings_name_the_reference_story_mistakes(demo):
    with translation.override("en"):
        warnings = find_link_warnings(demo.body)
    assert [w.href for w in warnings] == [
        "cultura ecologica",
        "/user/login?destination=node/10021/ogp/zip/action_plan",
    ]
    assert "not a web address" in warnings[0].message
    assert "does not exist on this site" in warnings[1].message


def test_links_to_existing_pages_raise_no_warning(demo):
    assert find_link_warnings(f"[ver]({demo.get_absolute_url()}) y [inicio](/)") == []


def test_linked_hosts_are_normalized():
    html = render_markdown("[a](https://WWW.Fundar.org.mx/x) [b](/local) [c](mailto:a@b.org)")
    assert linked_hosts(html) == {"fundar.org.mx"}


def test_word_count_ignores_markup():
    assert count_words("<p>Hola <strong>mundo</strong> de-datos</p>") == 3


def test_empty_body_renders_empty():
    assert render_markdown("") == ""


def test_rerender_command_refreshes_stale_html_without_touching_update_time(db):
    from django.core.management import call_command

    from articles.models import Article
    from tests.factories import ArticleFactory

    article = ArticleFactory(body="*hola*")
    Article.objects.filter(pk=article.pk).update(body_html="<p>viejo</p>")
    updated_at = Article.objects.get(pk=article.pk).updated_at
    call_command("rerender_articles", verbosity=0)
    article.refresh_from_db()
    assert article.body_html == "<p><em>hola</em></p>"
    assert article.updated_at == updated_at


def test_a_table_of_contents_lists_the_headings_with_ids_footnotes_keep_theirs():
    html = render_markdown(
        "[TOC]\n\n## Qué pasó\n\nTexto[^1].\n\n### Las cifras\n\n## Qué pasó\n\n"
        "## fn:1\n\n[^1]: La fuente.\n"
    )
    toc, _, body = html.partition("</div>")
    assert toc.startswith('<div class="toc">')
    targets = re.findall(r'href="#([^"]+)"', toc)
    assert targets == ["que-paso", "las-cifras", "que-paso_1", "fn1"]
    ids = re.findall(r'\sid="([^"]+)"', body)
    assert all(f'id="{target}"' in body for target in targets)
    assert "fn:1" in ids and "fnref:1" in ids and len(ids) == len(set(ids))
    assert ">Las cifras</a>" in toc


def test_a_table_of_contents_is_safe_against_markup_in_headings():
    html = render_markdown(
        '[TOC]\n\n## <img src=x onerror="alert(1)">Uno\n\n'
        '## Dos" onmouseover="alert(1)\n\n## <script>alert(1)</script>\n'
    )
    lowered = html.lower()
    assert "<script" not in lowered and "onerror" not in lowered
    assert 'onmouseover="' not in lowered
    for value in re.findall(r'\s(?:id|href)="([^"]*)"', html):
        assert re.fullmatch(r"#?[\w-]*", value), value


def test_headings_never_take_an_id_the_story_page_gives_its_own_elements(client, db):
    from tests.factories import ArticleFactory, OrganizationFactory

    plain = ArticleFactory(body="Texto.", tags=["agua"], organizations=[OrganizationFactory()])
    add_correction(article=plain, text="Una corrección.")
    page = client.get(plain.get_absolute_url()).content.decode()
    page_ids = set(re.findall(r'\sid="([^"]+)"', page))
    assert {"main", "story-tags", "story-organizations", "story-corrections"} <= page_ids
    headings = "\n\n".join(f"## {name.replace('-', ' ')}" for name in sorted(page_ids))
    story = ArticleFactory(
        body=headings, category=plain.category, tags=["agua"], organizations=[OrganizationFactory()]
    )
    correction = add_correction(article=story, text="Otra corrección.")
    story.body += f"\n\n## Corrección {correction.pk}\n"
    story.save()
    page = client.get(story.get_absolute_url()).content.decode()
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted(name for name in ids if ids.count(name) > 1)
