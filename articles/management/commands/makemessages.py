"""``makemessages`` that also reads the public site's Jinja2 templates (``jinja2/``).

Django turns each template into Python that ``xgettext`` can read, but it parses templates as
Django templates. A Jinja2 template is parsed by Jinja2 instead, and each message it finds
(``_()``, ``gettext()``, ``ngettext()``, ``{% trans %}``) is written as a call on the
template's own line, so the catalogs point at the right file and line.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.commands import makemessages
from django.template import engines
from jinja2.ext import GETTEXT_FUNCTIONS, extract_from_ast


class JinjaAwareBuildFile(makemessages.BuildFile):
    def preprocess(self):
        if not self.is_templatized or not _is_jinja2_template(self.path):
            return super().preprocess()
        source = Path(self.path).read_text(encoding="utf-8")
        Path(self.work_path).write_text(jinja2_messages_as_python(source), encoding="utf-8")


class Command(makemessages.Command):
    build_file_class = JinjaAwareBuildFile


def jinja2_messages_as_python(source: str) -> str:
    """The template's translatable messages as Python calls, each on its line in the template."""
    environment = engines["jinja2"].env
    lines = [""] * (source.count("\n") + 1)
    for line, function, message in extract_from_ast(environment.parse(source), GETTEXT_FUNCTIONS):
        parts = message if isinstance(message, tuple) else (message,)
        strings = [repr(part) for part in parts if part is not None]
        if function == "ngettext":
            strings = [*strings[:2], "n"]
        lines[line - 1] += f"{function}({', '.join(strings)}); "
    return "\n".join(lines)


def _is_jinja2_template(path: str) -> bool:
    directories = [Path(directory).resolve() for directory in _jinja2_directories()]
    return any(parent in directories for parent in Path(path).resolve().parents)


def _jinja2_directories():
    for backend in settings.TEMPLATES:
        if backend["BACKEND"].endswith(".Jinja2"):
            yield from backend["DIRS"]
