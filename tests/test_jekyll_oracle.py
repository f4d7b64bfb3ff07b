"""A real Jekyll as the oracle: every address `jekyll build` gives a post answers here after
the import (permalink styles, time zones, :title, collections, categories, .html or pretty,
redirect_from). Skipped where Jekyll is not installed (Debian: `apt-get install jekyll
ruby-jekyll-redirect-from`)."""

import contextlib
import os
import re
import shutil
import subprocess
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from tests.test_jekyll_sites import write

JEKYLL = shutil.which("jekyll")
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(JEKYLL is None, reason="the real Jekyll is not installed"),
]

# Each post's body is its marker, so the page Jekyll wrote for it can be told apart.
POST = "---\n{front}---\nMARK-{mark}\n"

SITES = {
    "dates-in-utc": (
        "timezone: UTC\n",
        {
            "_posts/2017-01-19-monolithic-crm.md": "title: CRM\ndate: 2017-01-19 00:00:00 Z\n",
            "_posts/2017-05-24-transparencia.md": "categories: [Transparencia, Datos]\n",
            "_posts/2018-02-03-dos puntos.markdown": "title: Con espacio\n",
            "_posts/2019-12-31-fin.html": "title: HTML\ndate: 2019-12-31 23:30:00 -0600\n",
            # A real blog's "work in progress", dated year 1 with a 12-hour clock.
            "_posts/2018-12-31-books-i-read.md": "date: 0001-01-01 12:00:00 AM UTC\n",
        },
    ),
    "pretty-in-new-york": (
        "timezone: America/New_York\npermalink: pretty\nplugins: [jekyll-redirect-from]\n",
        {
            "_posts/2017-01-19-BetterOff-Show-and-tell---8th-May.md": (
                "date: 2017-01-19 00:30:00 Z\ncategories: [Datos, Año Nuevo]\n"
            ),
            "_posts/2017-03-04-undated.md": "category: Notas\n",
            "_posts/2017-04-05-propia.md": "permalink: /otra/direccion/\n",
            "_posts/2017-06-07-movida.md": "redirect_from: [/vieja/, /mas/vieja.html]\n",
            "_posts/2023-01-29-odd-date.md": "date: 2023-01-29 18:30:22 2023 -0800\n",
        },
    ),
    "custom-patterns": (
        "permalink: /:year/:i_month/:i_day/:short_year-:title:output_ext\n"
        "collections:\n  posts:\n    permalink: /news/:year/:month/:day/:title/\n",
        {
            "_posts/2015-10-26-jekyll-3-0-released.md": "title: Jekyll 3.0\n",
            "_posts/2016-01-02-jekyll-3.0.1-released.md": "title: Jekyll 3.0.1\n",
            "news/_posts/2016-03-04-en-carpeta.md": "title: Carpeta\n",
            "_posts/2016-05-06-con-slug.md": "slug: Otro Nombre\n",
        },
    ),
    "ordinal-and-none": (
        "timezone: Europe/London\npermalink: ordinal\n",
        {
            "_posts/2014-07-08-ordinal.md": "date: 2014-07-08 23:30:00\n",
            "_posts/sub/2014-09-10-en-subcarpeta.md": "categories: uno dos\n",
            "_posts/2014-10-11-sin-fecha-propia.md": "permalink: none\ncategories: [Tres]\n",
        },
    ),
    "categories-and-slugs": (
        "timezone: Asia/Kolkata\npermalink: /:categories/:slug:output_ext\n",
        {
            "_posts/2020-02-03-Café con Leche!.md": "categories: [Bebidas]\n",
            "_posts/2020-02-04-UPPER-case.md": "categories: Noticias Locales\n",
            "_posts/2020-02-05-sin-categoria.md": "",
        },
    ),
}


def jekyll_build(site: Path, out: Path) -> dict[str, str]:
    """Build the site with the real Jekyll; its post pages' addresses by marker, and the
    addresses of jekyll-redirect-from's pages."""
    subprocess.run(
        [JEKYLL, "build", "--quiet", "--disable-disk-cache", "-s", str(site), "-d", str(out)],
        check=True,
        env={**os.environ, "TZ": "UTC", "JEKYLL_ENV": "production"},
        timeout=120,
    )
    addresses = {}
    for path in out.rglob("*.html"):
        relative = path.relative_to(out).as_posix()
        address = "/" + (
            relative.removesuffix("index.html") if path.name == "index.html" else relative
        )
        text = path.read_text(encoding="utf-8")
        marker = re.search(r"MARK-(\d+)", text)
        if marker:
            addresses[address] = marker.group(0)
        elif 'http-equiv="refresh"' in text:
            addresses[address] = "redirect"
    return addresses


def import_site(site: Path) -> str:
    """Import the site (the test's zone, as Jekyll's when _config.yml names none); the report,
    failures included."""
    out = StringIO()
    with translation.override("en"), contextlib.suppress(CommandError):
        call_command("import_jekyll", str(site), "--timezone", "UTC", stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("name", SITES)
def test_every_address_the_real_jekyll_gives_a_post_answers_after_the_import(
    name, tmp_path, client
):
    config, posts = SITES[name]
    site = tmp_path / "site"
    write(site, "_config.yml", config)
    for number, (path, front) in enumerate(posts.items()):
        write(site, path, POST.format(front=front, mark=number))
    addresses = jekyll_build(site, tmp_path / "out")
    assert sum(kind != "redirect" for kind in addresses.values()) == len(posts)

    report = import_site(site)
    assert "failed 0" in report, report

    answered = {}
    for address, kind in addresses.items():
        response = client.get(quote(address), follow=True)
        page = response.content.decode() if response.status_code == 200 else ""
        found = kind == "redirect" or kind in page
        answered[address] = (response.status_code, found)
    missing = {address: result for address, result in answered.items() if result != (200, True)}
    assert not missing, f"{len(missing)} of {len(addresses)} addresses: {missing}"
