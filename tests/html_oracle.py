"""A parser-based XSS oracle: parse HTML as a browser does (html5lib) and list what could run.

Adapted from ../shared/tools/oracles/html_oracle.py. ``fragment_problems`` is for story HTML
(no forms, no scripts at all); ``page_problems`` for whole pages, whose only scripts may be
JSON-LD data and files from the site itself.
"""

import re

import html5lib

ACTIVE_TAGS = {"script", "iframe", "frame", "object", "embed", "base", "template", "noscript"}
FRAGMENT_ONLY_TAGS = {"form", "svg", "math", "style", "link", "meta", "input", "button",
                      "textarea", "select"}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "srcset",
                  "background", "data", "cite"}  # fmt: skip
SAFE_SCHEMES = {"http", "https", "mailto", "tel"}
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")


def _elements(html: str, *, document: bool):
    parse = html5lib.parse if document else html5lib.parseFragment
    tree = parse(html, treebuilder="etree", namespaceHTMLElements=False)
    for element in tree.iter():
        tag = element.tag.split("}")[-1].lower() if isinstance(element.tag, str) else ""
        yield tag, {name.split("}")[-1].lower(): value for name, value in element.attrib.items()}


def _attribute_problems(attributes: dict) -> list[str]:
    found = []
    for name, value in attributes.items():
        if name.startswith("on"):
            found.append(f"attr:{name}")
        if name == "style":
            found.append("attr:style")
        if name in URL_ATTRIBUTES:
            match = _SCHEME.match(_CONTROL.sub("", value).lower())
            if match and match.group(1) not in SAFE_SCHEMES:
                found.append(f"url:{match.group(1)}:")
    return found


def fragment_problems(html: str) -> list[str]:
    """What in an HTML fragment (a story body, a feed item) could run or load active content."""
    found = []
    for tag, attributes in _elements(html, document=False):
        if tag in ACTIVE_TAGS | FRAGMENT_ONLY_TAGS:
            found.append(f"tag:{tag}")
        found += _attribute_problems(attributes)
    return found


def page_problems(html: str) -> list[str]:
    """What in a whole page could run: scripts other than JSON-LD, data and the site's files."""
    found = []
    for tag, attributes in _elements(html, document=True):
        if tag == "script":
            kind = attributes.get("type", "")
            source = attributes.get("src", "")
            same_site_file = source.startswith("/") and not source.startswith("//")
            if kind not in {"application/ld+json", "application/json"} and not (
                same_site_file and not kind
            ):
                found.append(f"script:{kind or source or 'inline'}")
        elif tag in ACTIVE_TAGS:
            found.append(f"tag:{tag}")
        found += _attribute_problems(attributes)
    return found
