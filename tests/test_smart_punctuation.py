"""The fast smarty (articles/smart_punctuation.py) must write exactly what smarty writes."""

from pathlib import Path

import markdown
import pytest
from markdown.treeprocessors import InlineProcessor

from articles import rendering
from articles.importers import jekyll

DEMO_POSTS = Path(__file__).resolve().parent.parent / "demo" / "posts"

TRICKY_TEXTS = [
    "Dijo \"no\" y luego 'sí'.",
    "\"Comillas\" al inicio, 'simples' al final'",
    "Los '80s y el rock 'n' roll; O'Higgins dijo: \"'Basta'\".",
    "Rango 2010--2020 y un inciso --así-- o un guion largo---como este.",
    "Espera... y tres puntos.... o cuatro.",
    'Un `código con "comillas" -- y ...` intacto.',
    '    bloque de código con "comillas" -- ...\n',
    '[enlace "con" comillas](https://example.org/ "título \'x\'") y *énfasis "dentro"*.',
    '&quot;Entidades&quot; y &nbsp;"tras espacio duro".',
    "Texto llano sin nada que educar, con [un enlace](https://example.org) y **negritas**.",
    "<<angulares>> que no se convierten.",
    'Una nota al pie[^1] "citada".\n\n[^1]: La nota -- con guion.',
    "| a | \"b\" |\n|---|---|\n| 'c' | d -- e |",
    "Término\n:   Definición con 'comillas'.",
    '*[ONU]: Organización de las Naciones Unidas\n\nLa ONU dijo "sí".',
    '<span title="x">HTML "en línea"</span> y <div>bloque \'html\'</div>',
    'Cita: > no es cita\n\n> Esta sí "es" una cita -- con guion...',
]


def stock_markdown(text: str) -> str:
    """The same conversion with Python-Markdown's own smarty extension."""
    renderer = markdown.Markdown(
        extensions=[*rendering.MARKDOWN_EXTENSIONS, "markdown.extensions.smarty"],
        extension_configs={
            **rendering.MARKDOWN_EXTENSION_CONFIGS,
            "markdown.extensions.smarty": {"smart_angled_quotes": False},
        },
        output_format="html",
    )
    return renderer.convert(text)


def test_inline_processor_still_has_the_entry_point_we_override():
    # If Python-Markdown renamed it, the override would silently stop saving time.
    assert callable(getattr(InlineProcessor, "_InlineProcessor__handleInline", None))


@pytest.mark.parametrize("text", TRICKY_TEXTS)
def test_tricky_text_renders_exactly_as_smarty_renders_it(text):
    assert rendering.markdown_to_unsafe_html(text) == stock_markdown(text)


def test_plain_text_is_not_passed_through_smarty_patterns(monkeypatch, settings):
    # In this process, where the patterns are counted (not in the render worker).
    settings.MARKDOWN_RENDER_SECONDS = 0
    tried = []
    original = InlineProcessor._InlineProcessor__applyPattern

    def counting(self, *args, **kwargs):
        tried.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(InlineProcessor, "_InlineProcessor__applyPattern", counting)
    rendering.markdown_to_unsafe_html("Un párrafo llano.\n\nOtro párrafo llano.")
    plain = len(tried)
    tried.clear()
    rendering.markdown_to_unsafe_html('Un párrafo "citado".\n\nOtro párrafo llano.')
    # The quoted paragraph goes through smarty's 17 patterns; plain ones through none of them.
    assert plain < len(tried)


def _bodies(folder: Path) -> list[tuple[str, str]]:
    return [
        (path.name, jekyll.parse_post(path.read_text(encoding="utf-8"), filename=path.name).body)
        for path in sorted(folder.glob("*.md"))
    ]


def test_the_demo_story_renders_exactly_as_with_smarty():
    for name, body in _bodies(DEMO_POSTS):
        assert rendering.markdown_to_unsafe_html(body) == stock_markdown(body), name


def test_every_corpus_post_renders_exactly_as_with_smarty(corpus_dir):
    bodies = _bodies(corpus_dir / "_posts") + _bodies(corpus_dir / "_drafts")
    assert len(bodies) >= 19
    for name, body in bodies:
        assert rendering.markdown_to_unsafe_html(body) == stock_markdown(body), name
