"""The independent checkers that judge the public pages: the Nu HTML Checker and axe-core.

Neither is a Python package. Both come from npm, pinned in ``tests/oracles/package.json``, into
the directory that ``NEWSROOM_ORACLES_DIR`` names; ``.ci/run`` installs and caches them and the
README says how to get them locally. Where they (or Java) are missing the tests that need them
are skipped with the reason, except in CI (``CI`` set), where a missing checker is a failure:
a check that silently stops running would prove nothing.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.urls import reverse

ORACLES_DIR_VARIABLE = "NEWSROOM_ORACLES_DIR"
VNU_JAR = Path("node_modules/vnu-jar/build/dist/vnu.jar")
AXE_SCRIPT = Path("node_modules/axe-core/axe.min.js")

# axe's rules for WCAG 2.0, 2.1 and 2.2 at levels A and AA (2.2 adds only AA rules, target-size).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Words of the demo's reference story, so the search page shows a result with its snippet.
SEARCH_QUERY = "gobierno abierto"


def _unavailable(reason: str):
    """Skip on a developer's machine; fail in CI, which promises to run every checker."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must provide it: see .ci/run)")
    pytest.skip(f"{reason}; see the README, Development: HTML and accessibility checkers")


def oracle_file(relative: Path) -> Path:
    """A file of the npm-installed checkers, or skip (fail in CI) when it is not there."""
    directory = os.environ.get(ORACLES_DIR_VARIABLE)
    if not directory:
        _unavailable(f"{ORACLES_DIR_VARIABLE} is not set, so the npm checkers cannot be found")
    path = Path(directory) / relative
    if not path.is_file():
        _unavailable(f"{path} is missing (install tests/oracles/package.json there)")
    return path


def nu_checker_errors(files: list[Path]) -> list[dict]:
    """Run the Nu HTML Checker once over the HTML files and return its error messages."""
    jar = oracle_file(VNU_JAR)
    java = shutil.which("java")
    if java is None:
        _unavailable("java is not installed (the Nu HTML Checker needs Java 11 or newer)")
    result = subprocess.run(
        [java, "-jar", str(jar), "--errors-only", "--format", "json", "--exit-zero-always"]
        + [str(path) for path in files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    # The JSON report goes to standard error; anything else there means the checker broke.
    try:
        report = json.loads(result.stderr)
    except json.JSONDecodeError:
        pytest.fail(
            f"the Nu HTML Checker did not report (exit {result.returncode}):\n"
            f"{result.stderr[-2000:]}"
        )
    # "non-document-error" is the checker failing to read a file: that is no pass either.
    return [m for m in report["messages"] if m["type"] in {"error", "non-document-error"}]


def describe_nu_errors(messages: list[dict]) -> str:
    """One line per Nu message: file, line, message and the markup it points at."""
    return "\n".join(
        f"{Path(m.get('url', '?')).name}:{m.get('lastLine', '?')}: {m['message']}"
        f"  «{m.get('extract', '').strip()}»"
        for m in messages
    )


def run_axe(page) -> dict:
    """Run axe-core on the page's document for WCAG A/AA and best practice; return its results.

    axe is evaluated through the DevTools protocol (``page.evaluate``), which the page's
    Content-Security-Policy does not govern: the page runs under its real policy, unaltered,
    and no inline script is injected (``script-src 'self'`` would refuse one).
    """
    page.evaluate(oracle_file(AXE_SCRIPT).read_text(encoding="utf-8"))
    return page.evaluate(
        """tags => axe.run(document, {
            runOnly: {type: "tag", values: tags},
            resultTypes: ["violations"],
        })""",
        [*WCAG_TAGS, "best-practice"],
    )


def is_wcag_violation(violation: dict) -> bool:
    """Whether an axe violation breaks a WCAG A/AA criterion (else it is best practice)."""
    return bool(set(violation["tags"]) & set(WCAG_TAGS))


def describe_axe_violations(violations: list[dict]) -> str:
    """One block per axe violation: rule, impact, help and the first few offending nodes."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node['failureSummary']}")
    return "\n".join(lines)


def public_pages_to_check(story) -> dict[str, str]:
    """The public pages issue 8 asks the checkers to judge, by name, around a published story."""
    return {
        "home": reverse("articles:home"),
        "story": story.get_absolute_url(),
        "section": story.category.get_absolute_url(),
        "author": story.ordered_bylines[0].author.get_absolute_url(),
        "organization": story.organizations.order_by("name").first().get_absolute_url(),
        "search": reverse("articles:search") + "?" + urlencode({"q": SEARCH_QUERY}),
        "tag": reverse("articles:tag", kwargs={"slug": story.tags.get().slug}),
        "archive": reverse("articles:archive"),
        "404": "/esta-pagina-no-existe/",
    }
