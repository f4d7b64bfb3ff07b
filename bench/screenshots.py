"""Screenshots of the home page, a section and a story at a phone's and a desktop's width,
in Debian's chromium (Playwright), for docs/screenshots/.

    python bench/screenshots.py http://127.0.0.1:8000 STORY_PATH [OUT_DIR]

against a server running the demo newsroom (``manage.py load_demo``).
"""

import sys
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

WIDTHS = {"390": (390, 844), "1280": (1280, 900)}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]


def main(base: str, story_path: str, out: Path) -> None:
    """Write one full-page PNG per page and width."""
    pages = {"home": "/", "section": "/secciones/transparencia/", "story": story_path}
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        for width_name, (width, height) in WIDTHS.items():
            page = browser.new_page(viewport={"width": width, "height": height}, locale="es-MX")
            for name, path in pages.items():
                page.goto(base + path, wait_until="networkidle")
                # Scrolled through once, so the lazy pictures below the fold are in the shot.
                page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
                page.wait_for_load_state("networkidle")
                page.evaluate("window.scrollTo(0, 0)")
                shot = out / f"{name}-{width_name}.png"
                page.screenshot(path=shot, full_page=True)
                # 128 colours: a third of the bytes, and text and charts still read well.
                picture = Image.open(shot).convert("RGB")
                picture.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(
                    shot, optimize=True
                )
            page.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], Path(sys.argv[3] if len(sys.argv) > 3 else "docs/screenshots"))
