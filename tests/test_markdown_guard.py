"""Pathological Markdown is refused quickly with a clear message, on every path that saves it."""

import json
import time

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from articles.models import Article
from articles.rendering import MarkdownRefused, render_markdown
from tests.factories import ArticleFactory, UserFactory
from tests.test_admin import change_form_data

NESTED_LISTS_400 = "".join("    " * level + "- punto\n" for level in range(400))
# Under the length cap: only the depth limit refuses it.
NESTED_LISTS_100 = "".join("    " * level + "- punto\n" for level in range(100))
NESTED_QUOTES_400 = "".join(">" * level + " cita\n" for level in range(1, 400))
NESTED_BRACKETS_20000 = "[" * 20_000 + "]" * 20_000
OPEN_BRACKETS_20000 = "[a" * 10_000
EMPHASIS_RUN = "*a" * 100_000
BUDGET_SECONDS = 2.0


@pytest.fixture
def staff_client(db, client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def refusal(text: str) -> tuple[str, float]:
    """The refusal code and the seconds until ``render_markdown`` refused ``text``."""
    started = time.monotonic()
    with pytest.raises(MarkdownRefused) as refused:
        render_markdown(text)
    return refused.value.code, time.monotonic() - started


@pytest.mark.threat(16)
@pytest.mark.parametrize(
    ("text", "code"),
    [
        (NESTED_LISTS_400, "too_long"),
        (NESTED_LISTS_100, "too_deep"),
        (NESTED_QUOTES_400, "too_deep"),
    ],
    ids=["400-lists", "100-lists", "400-quotes"],
)
def test_t16_deep_nesting_is_refused_within_the_budget(text, code):
    refused_as, seconds = refusal(text)

    assert refused_as == code
    assert seconds < BUDGET_SECONDS


@pytest.mark.threat(17)
@pytest.mark.parametrize(
    ("text", "code"),
    [
        (NESTED_BRACKETS_20000, "too_many_brackets"),
        (OPEN_BRACKETS_20000, "too_many_brackets"),
        ("![" * 5000, "too_many_brackets"),
        ("[a](" * 5000, "too_many_parentheses"),
        (EMPHASIS_RUN, "too_many_marks"),
    ],
    ids=["nested", "open", "images", "links", "emphasis"],
)
def test_t17_bracket_and_emphasis_runs_are_refused_within_the_budget(text, code):
    refused_as, seconds = refusal(text)

    assert refused_as == code
    assert seconds < BUDGET_SECONDS


@pytest.mark.threat(17)
def test_t17_a_slow_render_is_stopped_by_the_time_budget(settings):
    settings.MARKDOWN_RENDER_SECONDS = 0.3
    # A table row of 20,000 cells: no structural limit catches it (unguarded: about 20 s).
    slow = "|a" * 20_000 + "\n" + "|-" * 20_000 + "\n"
    render_markdown("Un párrafo.")  # the render worker starts once per process, not timed here

    refused_as, seconds = refusal(slow)

    assert refused_as == "too_complex"
    assert seconds < 1.0


@pytest.mark.threat(18)
def test_t18_a_5_mb_body_is_refused():
    assert refusal("palabra " * 655_360)[0] == "too_long"


def test_ordinary_nesting_and_brackets_still_render():
    body = "".join("    " * level + f"- nivel {level} [enlace](/a/)\n" for level in range(10))

    assert render_markdown(body).count("<ul>") == 10


@pytest.mark.threat(20)
def test_t20_nul_in_the_body_is_refused_by_the_renderer():
    assert refusal("hola\x00mundo")[0] == "null"


@pytest.mark.threat(20)
@pytest.mark.parametrize("field", ["headline", "dek", "summary", "lead_image_caption"])
def test_t20_saving_a_story_with_nul_is_a_validation_error(db, field):
    article = ArticleFactory.build(**{field: "texto\x00oculto"})

    with pytest.raises(ValidationError) as refused:
        article.save()

    assert field in refused.value.message_dict
    assert not Article.objects.exists()


@pytest.mark.threat(16)
def test_t16_deep_nesting_is_a_form_error_in_the_admin(staff_client):
    article = ArticleFactory()

    response = staff_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        change_form_data(article, body=NESTED_LISTS_100),
    )

    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors.as_data()["body"]
    assert error.code == "too_deep"


@pytest.mark.threat(20)
def test_t20_nul_in_the_headline_is_a_form_error_in_the_admin(staff_client):
    article = ArticleFactory()

    response = staff_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        change_form_data(article, headline="Titular\x00"),
    )

    assert response.status_code == 200
    assert "headline" in response.context["adminform"].form.errors


@pytest.mark.threat(17)
def test_t17_preview_of_pathological_markdown_is_a_json_400(staff_client):
    started = time.monotonic()
    response = staff_client.post(
        reverse("admin:articles_article_preview"), {"body": NESTED_BRACKETS_20000}
    )

    assert time.monotonic() - started < BUDGET_SECONDS
    assert response.status_code == 400
    assert "[" in json.loads(response.content)["error"]


def write_post(site_dir, name, front_matter, body):
    posts = site_dir / "_posts"
    posts.mkdir(parents=True, exist_ok=True)
    (posts / name).write_text(f"---\n{front_matter}\n---\n{body}", encoding="utf-8")


@pytest.mark.threat(16)
@pytest.mark.threat(20)
def test_t16_t20_importer_reports_refused_posts_and_imports_the_rest(db, tmp_path):
    from articles.importers.jekyll_import import import_site

    write_post(tmp_path, "2020-01-01-anidada.md", "title: Anidada", NESTED_LISTS_100)
    write_post(tmp_path, "2020-01-02-nul.md", 'title: "Nulo\\0 oculto"', "Texto.")
    write_post(tmp_path, "2020-01-03-buena.md", "title: Buena", "Texto normal.")

    with translation.override("en"):
        report = import_site(tmp_path)

    failures = dict(report.failures)
    assert "nested too deeply" in failures["_posts/2020-01-01-anidada.md"]
    assert "NUL" in failures["_posts/2020-01-02-nul.md"]
    assert list(Article.objects.values_list("headline", flat=True)) == ["Buena"]
