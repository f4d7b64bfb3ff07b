"""The story form's side of a three-way merge: its posted values in the shape
``editing.merge_edit`` compares, the values it takes back, and the conflicts it shows."""

from dataclasses import dataclass, field
from types import SimpleNamespace

from django.utils.translation import gettext as _
from taggit.utils import edit_string_for_tags

from .. import editing
from ..models import Author, Category, Image, Organization

# Every field a conflict can offer a choice on; "bylines" is the byline rows below the form.
CHOICE_FIELDS = (
    *editing.MERGED_TEXT,
    "body",
    *editing.MERGED_CHOICES,
    "tags",
    "organizations",
    "bylines",
)
CHOSEN_MODELS = {"category": Category, "lead_image": Image}
BYLINE_PREFIX = "bylines"


@dataclass
class FieldConflict:
    """A field both editors changed differently: what each wrote, readable, and the posted
    value that "keep theirs" puts back into the form."""

    name: str
    label: str
    mine: str
    theirs: str
    theirs_raw: object
    clashes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def theirs_values(self) -> list:
        """The hidden inputs' values (several for a many-to-many field)."""
        return self.theirs_raw if isinstance(self.theirs_raw, list) else [self.theirs_raw]


def apply_choices(data, fields) -> tuple:
    """Posted data with "keep theirs" choices applied (``merge-<field>=theirs`` takes the value
    of ``merge-theirs-<field>``), and whether the byline rows should be left as saved."""
    chosen = [name for name in CHOICE_FIELDS if data.get(f"merge-{name}") == "theirs"]
    if not chosen:
        return data, False
    data = data.copy()
    for name in chosen:
        if name not in fields:
            continue
        if name == "organizations":
            data.setlist(name, data.getlist(f"merge-theirs-{name}"))
        else:
            data[name] = data.get(f"merge-theirs-{name}", "")
    return data, "bylines" in chosen


def posted_bylines(data) -> tuple | None:
    """The authors of the byline rows as posted, in their order (None without the rows)."""
    try:
        total = int(data.get(f"{BYLINE_PREFIX}-TOTAL_FORMS", ""))
    except ValueError:
        return None
    rows = []
    for number in range(min(total, 1000)):
        prefix = f"{BYLINE_PREFIX}-{number}-"
        author = data.get(prefix + "author", "")
        if not author.isdigit() or data.get(prefix + "DELETE"):
            continue
        position = data.get(prefix + "position", "")
        rows.append((int(position) if position.isdigit() else 0, number, int(author)))
    return tuple(author for _position, _number, author in sorted(rows))


def values_of_form(form, cleaned: dict) -> dict:
    """The merged fields as this form posted them, compared as ``editing`` compares them."""
    values = {}
    for name in (*editing.MERGED_TEXT, "body"):
        if name in cleaned:
            values[name] = editing.comparable_text(cleaned[name])
    for name in editing.MERGED_CHOICES:
        if name in cleaned:
            values[name] = cleaned[name].pk if cleaned[name] else None
    if "tags" in cleaned:
        values["tags"] = tuple(sorted(cleaned["tags"]))
    if "organizations" in cleaned:
        values["organizations"] = frozenset(org.pk for org in cleaned["organizations"])
    bylines = posted_bylines(form.data)
    if bylines is not None:
        values["bylines"] = bylines
    return values


def label_of(form, name: str) -> str:
    """The field's label as the form shows it."""
    if name == "bylines":
        return str(_("Byline"))
    return str(form.fields[name].label or name)


def raw_value(name: str, value):
    """A merged value as the form posts it."""
    if name in editing.MERGED_CHOICES:
        return "" if value is None else str(value)
    if name == "tags":
        return edit_string_for_tags([SimpleNamespace(name=tag) for tag in value])
    if name == "organizations":
        return [str(pk) for pk in sorted(value)]
    return value


def set_data(data, name: str, raw) -> None:
    """Put a value into posted data (a list for a many-to-many field)."""
    if isinstance(raw, list):
        data.setlist(name, raw)
    else:
        data[name] = raw


def readable(name: str, value) -> str:
    """How a conflict shows a value to the editor."""
    if name in CHOSEN_MODELS:
        found = CHOSEN_MODELS[name].objects.filter(pk=value).first() if value else None
        return str(found) if found else "—"
    if name == "tags":
        return ", ".join(value) or "—"
    if name == "organizations":
        return ", ".join(str(org) for org in Organization.objects.filter(pk__in=value)) or "—"
    if name == "bylines":
        authors = Author.objects.in_bulk(value)
        return ", ".join(str(authors.get(pk, f"#{pk}")) for pk in value) or "—"
    return value or "—"


def conflict_of(name: str, label: str, merge) -> FieldConflict:
    """What the form shows for a field both editors changed."""
    return FieldConflict(
        name=name,
        label=label,
        mine=readable(name, merge.mine),
        theirs=readable(name, merge.theirs),
        theirs_raw="" if name == "bylines" else raw_value(name, merge.theirs),
        clashes=merge.clashes,
    )
