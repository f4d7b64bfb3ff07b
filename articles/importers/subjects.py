"""The sections, authors and tags an import files stories under: reused by name, whatever its
case, and created the first time a post names them."""

from django.core.files import File
from django.utils.text import slugify
from django.utils.translation import gettext
from taggit.models import Tag

from ..models import Author, Category
from . import jekyll
from .assets import AssetCopier
from .report import ImportReport

# Where a post without a category goes: a name that reads the same in Spanish and English.
DEFAULT_SECTION_NAME = "General"
# Profile keys of _data/authors.yml that are links, with the address a bare handle goes under.
_PROFILE_LINKS = {
    "url": "", "website": "", "web": "", "twitter": "https://twitter.com/",
    "github": "https://github.com/", "mastodon": "", "linkedin": "https://www.linkedin.com/in/",
}  # fmt: skip


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

    def __init__(
        self,
        *,
        report: ImportReport,
        newsroom_names: set[str],
        people: dict | None = None,
        assets: AssetCopier | None = None,
    ):
        self.report = report
        self.newsroom_names = newsroom_names
        # What the site knows of each person (``_data/authors.yml``), by case-folded name.
        self.people = {
            str(details.get("name") or key).casefold(): details
            for key, details in (people or {}).items()
        }
        self.assets = assets
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
                source,
                gettext("no category; filed under “%(section)s”")
                % {"section": DEFAULT_SECTION_NAME},
                "no_category",
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
            lambda: self._new_author(
                Author(
                    name=name[:150],
                    slug=self.authors.unique_slug(name, "autor"),
                    kind=Author.Kind.ORGANIZATION if is_newsroom else Author.Kind.PERSON,
                )
            ),
        )
        self.report.counts["authors"] += created
        return author

    def _new_author(self, author: Author) -> Author:
        """Save a new author with the bio, links and photo ``_data/authors.yml`` gives."""
        details = self.people.get(author.name.casefold(), {})
        author.bio = str(details.get("bio") or details.get("description") or "").strip()
        links = details.get("links")
        links = list(links.values()) if isinstance(links, dict) else jekyll.as_list(links)
        for key, prefix in _PROFILE_LINKS.items():
            if details.get(key):
                value = str(details[key]).strip()
                links.append(value if "://" in value else prefix + value.lstrip("@"))
        author.links = "\n".join(dict.fromkeys(str(link).strip() for link in links if link))
        avatar = str(details.get("avatar") or details.get("image") or details.get("picture") or "")
        source = self.assets.site_file(avatar) if self.assets and avatar else None
        if source is not None and not self.assets.dry_run:
            with source.open("rb") as handle:
                author.photo.save(source.name, File(handle), save=False)
        author.save()
        return author

    def tag(self, name: str) -> Tag:
        """The tag called ``name``."""
        tag, created = self.tags.find_or_add(name, lambda: Tag.objects.create(name=name[:100]))
        self.report.counts["tags"] += created
        return tag
