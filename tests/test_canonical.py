"""Absolute addresses for what leaves the site: feeds' story bodies."""

from articles.canonical import absolute_static_url, absolutize_links
from articles.rendering import render_markdown

SITE = "https://gobiernofacil.test"  # SITE_URL in tests/settings.py


def test_root_relative_links_and_images_become_absolute():
    html = render_markdown("[archivo](/archivo/) y ![gráfica](/media/grafica.png)")
    absolute = absolutize_links(html)
    assert f'href="{SITE}/archivo/"' in absolute
    assert f'src="{SITE}/media/grafica.png"' in absolute


def test_other_links_are_left_alone():
    html = render_markdown(
        "[fuera](https://fundar.org.mx/) [relativo](informe/) [protocolo](//cdn.example/x) "
        '[ancla](#datos) y el texto href="/no-es-enlace"'
    )
    assert absolutize_links(html) == html


def test_static_file_addresses_are_kept_until_the_settings_change(settings):
    assert absolute_static_url("img/logo.png") == f"{SITE}/static/img/logo.png"

    settings.SITE_URL = "https://otro.example"
    settings.STATIC_URL = "/estaticos/"

    assert absolute_static_url("img/logo.png") == "https://otro.example/estaticos/img/logo.png"
