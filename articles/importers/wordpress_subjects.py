"""A WordPress site's categories, tags and authors as our sections, tags and authors, and the
old archive address of each (``WordPressItem`` rows, answered by ``wordpress_redirects``).

The first category of a post is its section; the other categories, the parents of every
nested one and the post's tags become tags, so nothing of the hierarchy is lost. Pages go to
the section “Páginas”. Names are matched whatever their case (``subjects.Subjects``).
"""

from django.utils.text import slugify
from django.utils.translation import gettext as _

from ..models import WordPressItem
from .subjects import Subjects
from .wordpress_report import WordPressReport
from .wordpress_xml import WxrItem, WxrTerm

PAGES_SECTION = "Páginas"


class WordPressSubjects:
    """Sections, tags and authors for one import run, with the rows that remember them."""

    def __init__(
        self,
        *,
        site: str,
        prefix: str,
        categories: dict[str, WxrTerm],
        authors: dict[str, str],
        report: WordPressReport,
    ):
        self.site, self.prefix = site, prefix
        self.categories, self.authors = categories, authors
        self.subjects = Subjects(report=report, newsroom_names=set())
        self.reload()

    def reload(self) -> None:
        """Read the site's attachments, categories, tags and authors imported before (again
        after a failed item's savepoint took back some this run had made)."""
        self.subjects.reload()
        self.known = {
            (row.kind, row.wordpress_id): row
            for row in WordPressItem.objects.filter(site=self.site)
            .exclude(kind__in=[WordPressItem.Kind.POST, WordPressItem.Kind.PAGE])
            .select_related("author", "image")
        }

    def section_and_tags(self, item: WxrItem, label: str):
        """The section (first category, or “Páginas” for pages) and the tags: the other
        categories, every category's parents (so nothing of the hierarchy is lost) and tags."""
        categories = [(slug, name) for domain, slug, name in item.terms if domain == "category"]
        tag_terms = [(slug, name) for domain, slug, name in item.terms if domain == "post_tag"]
        tag_names = []
        if item.post_type == "page":
            section = self.subjects.section(PAGES_SECTION, label)
            tag_names = [name for _slug, name in categories]
        elif categories:
            slug, name = categories[0]
            section = self.subjects.section(name, label)
            self._remember(WordPressItem.Kind.CATEGORY, slug, category=section)
            # Every category's parents, so a story filed under “A › B” is found under A too.
            tag_names = [
                self.categories[parent].name
                for category_slug, _name in categories
                for parent in self._parents(category_slug)
                if parent in self.categories
            ]
        else:
            section = self.subjects.section(None, label)
        tags = []
        for slug, name in [*categories[1:], *tag_terms]:
            tag = self.subjects.tag(name)
            tags.append(tag)
            kind = (
                WordPressItem.Kind.TAG if (slug, name) in tag_terms else WordPressItem.Kind.CATEGORY
            )
            self._remember(kind, slug, tag=tag)
        tags += [self.subjects.tag(name) for name in tag_names if name]
        return section, list({tag.pk: tag for tag in tags}.values())

    def _parents(self, slug: str) -> list[str]:
        parents, seen = [], {slug}
        term = self.categories.get(slug)
        while term is not None and term.parent and term.parent not in seen:
            parents.append(term.parent)
            seen.add(term.parent)
            term = self.categories.get(term.parent)
        return parents

    def _category_path(self, slug: str) -> str:
        chain = [slug, *self._parents(slug)]
        return f"{self.prefix}/category/" + "/".join(reversed(chain))

    def _remember(self, kind, slug, **record) -> None:
        """Keep the old archive address of a category, tag or author (once per run)."""
        if not slug or (kind, slug) in self.known:
            existing = self.known.get((kind, slug))
            # A category that became a section leads there rather than to its tag.
            if existing is None or existing.category_id or "category" not in record:
                return
        path = {
            WordPressItem.Kind.CATEGORY: lambda: self._category_path(slug),
            WordPressItem.Kind.TAG: lambda: f"{self.prefix}/tag/{slug}",
            WordPressItem.Kind.AUTHOR: lambda: f"{self.prefix}/author/{slugify(slug)}",
        }[kind]()
        row, _created = WordPressItem.objects.update_or_create(
            site=self.site, kind=kind, wordpress_id=slug, defaults={"path": path, **record}
        )
        self.known[(kind, slug)] = row

    def author(self, login: str):
        """The author for a login: the one made before, else found or made by display name."""
        row = self.known.get((WordPressItem.Kind.AUTHOR, login))
        if row is not None and row.author_id:
            return row.author
        name = self.authors.get(login) or login or _("Newsroom")
        author = self.subjects.author(name)
        if login:
            self._remember(WordPressItem.Kind.AUTHOR, login, author=author)
        return author
