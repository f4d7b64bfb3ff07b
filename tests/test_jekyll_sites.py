"""Real Jekyll blogs of every shape: small sites written by each test, imported as Jekyll built them."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation
from PIL import Image

from articles.models import Article, Author

pytestmark = pytest.mark.django_db


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


def test_unsigned_unsectioned_post_is_published_with_those_to_dos(tmp_path, settings):
    settings.NEWSROOM_BYLINE = "La Redacción"
    write(tmp_path, "_posts/2020-02-03-suelta.md", "---\ntitle: Suelta\n---\nTexto.\n")
    run_import(tmp_path)
    story = Article.objects.published().get()
    assert story.category.name == "General"
    assert [byline.author.name for byline in story.ordered_bylines] == ["La Redacción"]
    assert Author.objects.get().kind == Author.Kind.ORGANIZATION
    assert todos(story) == {"dek": 1, "section": 1, "byline": 1}


def test_the_blog_author_from_config_signs_without_a_to_do(tmp_path):
    write(tmp_path, "_config.yml", "title: Mi blog\nauthor:\n  name: Pat Doe\n")
    write(tmp_path, "_posts/2020-02-03-nota.md",
          "---\ntitle: Nota\ndescription: Una nota\ncategory: x\n---\nTexto.\n")  # fmt: skip
    report = run_import(tmp_path)
    story = Article.objects.published().get()
    assert [byline.author.name for byline in story.ordered_bylines] == ["Pat Doe"]
    assert story.todos == []
    assert "no author" not in report and "to-dos" not in report
