"""The story form's side of a three-way merge: ``ConcurrencyForm``, its posted values in the
shape ``editing.merge_edit`` compares, the values it takes back, and the conflicts it shows."""

from dataclasses import dataclass, field
from types import SimpleNamespace

from django import forms
from django.core.exceptions import ValidationError
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
            set_data(data, name, data.getlist(f"merge-theirs-{name}"))
        else:
            data[name] = data.get(f"merge-theirs-{name}", "")
    return data, "bylines" in chosen


def posted_bylines(data) -> tuple | None:
    """The authors of the byline rows as posted, in their order (None without the rows)."""
    try:
        total = int(data.get(f"{BYLINE_PREFIX}-TOTAL_FORMS", ""))
    except (TypeError, ValueError):
        return None
    rows = []
    for number in range(min(total, 1000)):
        prefix = f"{BYLINE_PREFIX}-{number}-"
        author = str(data.get(prefix + "author") or "")
        if not author.isdigit() or data.get(prefix + "DELETE"):
            continue
        position = str(data.get(prefix + "position") or "")
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
    if isinstance(raw, list) and hasattr(data, "setlist"):
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


class ConcurrencyForm(forms.ModelForm):
    """Saves over a newer version of the story only what this editor changed: a stale form is
    merged field by field with what was saved since (``editing.merge_edit``), and only fields
    both changed differently are refused, shown at the top of the form with a choice each."""

    edit_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = None
        self.merge_conflicts: list[FieldConflict] = []
        self.merged_theirs: list[str] = []
        self.keep_their_bylines = False
        self.fields["edit_version"].initial = self.instance.edit_version
        if self.is_bound:
            self.data, self.keep_their_bylines = apply_choices(self.data, self.fields)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None or self.errors:
            return cleaned
        submitted = cleaned.get("edit_version")
        try:
            current = editing.claim_for_saving(
                article_pk=self.instance.pk,
                submitted_version=self.instance.edit_version if submitted is None else submitted,
            )
        except editing.EditConflict as conflict:
            # The row stays locked until this request ends: nobody saves between the merge and
            # the save.
            current = conflict.current
            self.merge_with(conflict, cleaned)
            if self.merge_conflicts:
                self.conflict = conflict
                raise ValidationError(
                    _(
                        "Someone else saved this story after you opened it, and you both "
                        "changed the same things: choose which version to keep at the top."
                    ),
                    code="conflict",
                ) from None
        self.instance.edit_version = current.edit_version
        return cleaned

    def merge_with(self, conflict: editing.EditConflict, cleaned: dict) -> None:
        """Take the other editor's changes to what this editor left alone; note the rest."""
        mine = values_of_form(self, cleaned)
        merges = editing.merge_edit(conflict, mine=mine)
        data = self.data.copy()
        # The re-shown form carries the new version, so saving after choosing succeeds.
        data["edit_version"] = conflict.current.edit_version
        # What the form does not edit (the state, times, to-dos) is taken from the locked row:
        # the instance was read before the lock and may predate the other save.
        for model_field in self.instance._meta.concrete_fields:
            if model_field.name not in self.fields and not model_field.primary_key:
                setattr(
                    self.instance,
                    model_field.attname,
                    getattr(conflict.current, model_field.attname),
                )
        for name, merge in merges.items():
            label = label_of(self, name)
            if merge.conflict:
                self.merge_conflicts.append(conflict_of(name, label, merge))
            elif merge.took_theirs:
                self.merged_theirs.append(label)
            else:
                continue
            if name == "bylines":
                self.keep_their_bylines = not merge.conflict
                continue
            raw = raw_value(name, merge.value)
            set_data(data, name, raw)
            cleaned[name] = self.fields[name].clean(raw)
            # A merged body is new text: the form's own check (the renderer's limits) runs on it.
            if hasattr(self, f"clean_{name}"):
                cleaned[name] = getattr(self, f"clean_{name}")()
        self.data = data
