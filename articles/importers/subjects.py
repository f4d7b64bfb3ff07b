"""The sections, authors and tags an import files stories under: reused by name, whatever its
case, and created the first time a post names them."""

from django.utils.text import slugify
from taggit.models import Tag

from ..models import Author, Category
from .report import ImportReport

# Where a post without a category goes: a name that reads the same in Spanish and English.
DEFAULT_SECTION_NAME = "General"


class _CaseInsensitiveCache:
    """Existing records by case-folded name, loaded once per run."""

    def __init__(self, queryset):
        self.records = {record.name.casefold(): record for record in queryset}
        self.slugs = set(queryset.values_list("slug", flat=True))

    def unique_slug(self, name: str, fallback: str) -> str:
        base = slugify(name)[:90] or fallback
        slug, number = base, 1
        while slug in self.slugs:
            number += 1
            slug = f"{base}-{number}"
        self.slugs.add(slug)
        return slug

    def find_or_add(self, name: str, make) -> tuple[object, bool]:
        """The record called ``name`` in any case, else the one ``make()`` creates; and
        whether it was created."""
        key = name.casefold()
        if key in self.records:
            return self.records[key], False
        self.records[key] = make()
        return self.records[key], True


class Subjects:
    """Sections, authors and tags by case-folded name for one import run; counts what it creates."""

    def __init__(self, *, report: ImportReport, newsroom_names: set[str]):
        self.report = report
        self.newsroom_names = newsroom_names
        self.reload()

    def reload(self) -> None:
        """Read them again (after a rollback took back some this run had created)."""
        self.sections = _CaseInsensitiveCache(Category.objects.all())
        self.authors = _CaseInsensitiveCache(Author.objects.all())
        self.tags = _CaseInsensitiveCache(Tag.objects.all())

    def section(self, name: str | None, source: str) -> Category:
        """The section called ``name``, or the default one (with a warning) when there is none."""
        if not name:
            self.report.warn(
                source, f"no category; filed under “{DEFAULT_SECTION_NAME}”", "no_category"
            )
            name = DEFAULT_SECTION_NAME
        name = name.strip()[:100]
        section, created = self.sections.find_or_add(
            name,
            lambda: Category.objects.create(
                name=name, slug=self.sections.unique_slug(name, "seccion")
            ),
        )
        self.report.counts["sections"] += created
        return section

    def author(self, name: str) -> Author:
        """The author called ``name``; the site's own name signs as the newsroom."""
        is_newsroom = name.casefold() in self.newsroom_names
        author, created = self.authors.find_or_add(
            name,
            lambda: Author.objects.create(
                name=name[:150],
                slug=self.authors.unique_slug(name, "autor"),
                kind=Author.Kind.ORGANIZATION if is_newsroom else Author.Kind.PERSON,
            ),
        )
        self.report.counts["authors"] += created
        return author

    def tag(self, name: str) -> Tag:
        """The tag called ``name``."""
        tag, created = self.tags.find_or_add(name, lambda: Tag.objects.create(name=name[:100]))
        self.report.counts["tags"] += created
        return tag
