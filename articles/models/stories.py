"""Stories and what they are made of: sections, authors, organizations, bylines, tags,
and the old addresses that still lead to them."""

import math

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from .. import rendering
from ..addresses import address
from ..links import safe_links, validate_link, validate_link_lines
from ..querysets import ArticleQuerySet, OrganizationQuerySet

WORDS_PER_MINUTE = 200
# What a story's public address is built from (see ``Article.get_absolute_url``).
ADDRESS_FIELDS = {"status", "category_id", "published_at", "created_at", "slug"}


def refuse_null_characters(instance: models.Model) -> None:
    """Raise ValidationError if a text field holds NUL, which PostgreSQL cannot store.

    Forms refuse NUL already; this covers every other path (imports, scripts) with the same
    clear error instead of a database crash.
    """
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        if isinstance(value, str) and "\x00" in value:
            raise ValidationError(
                {field.name: _("The text contains NUL characters; remove them.")}, code="null"
            )


class Category(models.Model):
    """A section of the site ("Transparencia"). Names are unique whatever their case."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(
        _("description"), blank=True, help_text=_("Shown at the top of the section page.")
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Sections with a lower number come first in menus.")
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="category_name_unique_ci",
                violation_error_message=_("A section with this name already exists."),
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return address("articles:section", slug=self.slug)


class Author(models.Model):
    """Someone (or a desk) who signs stories. Guest contributors need no login account."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANIZATION = "organization", _("Newsroom or desk")

    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=150, unique=True)
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=Kind.choices,
        default=Kind.PERSON,
        help_text=_("Choose “Newsroom or desk” when the byline is the publication itself."),
    )
    bio = models.TextField(_("short bio"), blank=True)
    photo = models.ImageField(_("photo"), upload_to="authors/", blank=True)
    email = models.EmailField(_("e-mail"), blank=True, help_text=_("Never shown to readers."))
    links = models.TextField(
        _("links"),
        blank=True,
        help_text=_("One web address per line: personal site, social profiles."),
        validators=[validate_link_lines],
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author_profile",
        help_text=_("Optional: leave empty for guest contributors without an account."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return address("articles:author", slug=self.slug)

    @property
    def link_list(self):
        """The author's public links, one per line in the admin; only http, https and mailto
        ones, whatever the row holds (``links.safe_links``)."""
        return safe_links(line.strip() for line in self.links.splitlines() if line.strip())


class Organization(models.Model):
    """An institution that stories name (INAI, Artículo 19...), found from the links in a story."""

    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    website = models.URLField(_("website"), blank=True, validators=[validate_link])
    description = models.TextField(_("description"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="organizations/", blank=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def get_absolute_url(self):
        return address("articles:organization", slug=self.slug)


class OrganizationDomain(models.Model):
    """A web domain that identifies an organization; links to it attach the organization."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="domains",
        verbose_name=_("organization"),
    )
    domain = models.CharField(
        _("domain"),
        max_length=253,
        unique=True,
        help_text=_("Without “www.”, e.g. articulo19.org. Subdomains match too."),
    )

    class Meta:
        ordering = ["domain"]
        verbose_name = _("web domain")
        verbose_name_plural = _("web domains")

    def __str__(self):
        return self.domain

    def save(self, *args, **kwargs):
        self.domain = rendering.normalize_domain(self.domain)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return self.organization.get_absolute_url()


class TaggedArticle(TaggedItemBase):
    """A tag on a story; a direct foreign key (not a generic one) keeps tag pages indexed."""

    content_object = models.ForeignKey(
        "Article", on_delete=models.CASCADE, related_name="tagged_items"
    )

    class Meta:
        verbose_name = _("tagged story")
        verbose_name_plural = _("tagged stories")
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="tagged_article_once"),
        ]


class Article(models.Model):
    """A story. Its body is Markdown; the sanitized HTML is derived once, when it is saved."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        PUBLISHED = "published", _("Published")
        UNPUBLISHED = "unpublished", _("Unpublished")

    headline = models.CharField(_("headline"), max_length=300)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        help_text=_("The last part of the story's address. Filled in from the headline."),
    )
    dek = models.TextField(
        _("dek"),
        blank=True,
        help_text=_("One or two sentences under the headline; also the description for search."),
    )
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("A short tagline shown on story lists.")
    )
    body = models.TextField(
        _("body"), blank=True, help_text=_("Markdown. Raw HTML is allowed but cleaned.")
    )
    body_html = models.TextField(_("body HTML"), blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        _("published at"),
        null=True,
        blank=True,
        help_text=_("A future time schedules the story; it appears on its own at that time."),
    )
    embargoed_until = models.DateTimeField(
        _("embargoed until"),
        null=True,
        blank=True,
        help_text=_("Readers cannot see the story before this time, even if it is published."),
    )
    edit_version = models.PositiveIntegerField(
        _("edit version"),
        default=0,
        editable=False,
        help_text=_("Goes up on every save; a form opened on an older version cannot overwrite."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # ``updated_at`` moves on every save (a typo, a re-render, an import); readers are told
    # of an update only when an editor says there was one (or the old blog's
    # ``last_modified_at`` did): ``updated_for_readers`` is the one rule.
    revised_at = models.DateTimeField(
        _("revised at"),
        null=True,
        blank=True,
        help_text=_(
            "When the story was last updated for readers: shown on its page as “Updated” and "
            "given to search engines and feeds. Leave empty to use the time of the last save."
        ),
    )
    listed = models.BooleanField(
        _("in lists"),
        default=True,
        help_text=_(
            "Untick to keep the story out of the home page, sections, archive and feeds; it "
            "still answers at its address (Jekyll's “hidden: true”)."
        ),
    )
    in_sitemaps = models.BooleanField(
        _("in sitemaps"),
        default=True,
        help_text=_(
            "Untick to leave the story out of the sitemaps for search engines (Jekyll's "
            "“sitemap: false”)."
        ),
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("section"),
        on_delete=models.PROTECT,
        related_name="articles",
        null=True,
        blank=True,
    )
    authors = models.ManyToManyField(
        Author, through="Byline", related_name="articles", verbose_name=_("authors")
    )
    organizations = models.ManyToManyField(
        Organization,
        blank=True,
        related_name="articles",
        verbose_name=_("organizations named"),
        help_text=_("Filled in from the links in the body when you save; add or remove by hand."),
    )
    word_count = models.PositiveIntegerField(_("word count"), default=0, editable=False)
    reading_time = models.PositiveSmallIntegerField(
        _("reading time (minutes)"), default=0, editable=False
    )
    tags = TaggableManager(verbose_name=_("tags"), blank=True, through=TaggedArticle)
    # Filled by ``search.update_search_index`` on PostgreSQL (its GIN index is created by a
    # PostgreSQL-only migration); always empty on SQLite, which uses ``ArticleSearchEntry``.
    search_vector = SearchVectorField(null=True, editable=False)
    # PROTECT, not SET_NULL: deleting a library image must not silently strip a published
    # story of its lead image; the admin shows which stories still use it instead.
    lead_image = models.ForeignKey(
        "Image",
        verbose_name=_("lead image"),
        on_delete=models.PROTECT,
        related_name="lead_of",
        null=True,
        blank=True,
        help_text=_("Shown at the top of the story and on social networks."),
    )
    lead_image_caption = models.TextField(
        _("lead image caption"),
        blank=True,
        help_text=_("Leave empty to use the caption saved with the image in the library."),
    )
    lead_image_credit = models.CharField(
        _("lead image credit"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty to use the credit saved with the image in the library."),
    )
    import_metadata = models.JSONField(
        _("import metadata"),
        default=dict,
        blank=True,
        help_text=_("Where the story came from when it was imported, and old fields kept as-is."),
    )
    todos = models.JSONField(
        _("to-dos"),
        default=list,
        blank=True,
        editable=False,
        help_text=_(
            "What the story still lacks (alt text, dek, links…), worked out on every save."
        ),
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("story")
        verbose_name_plural = _("stories")
        # Each list page walks one of these newest first and stops after a page: no sort, no
        # scan, however long the archive (plans in docs/performance.md).
        indexes = [
            models.Index(fields=["status", "-published_at", "-id"], name="article_listing_idx"),
            models.Index(
                fields=["category", "status", "-published_at", "-id"],
                name="article_section_listing_idx",
            ),
            # The editors' story list: every state, newest first, and the first and last
            # date its date links start from.
            models.Index(fields=["-published_at", "-id"], name="article_newest_idx"),
            # The page cache asks when the next embargo lifts (``next_publication_time``).
            models.Index(fields=["status", "embargoed_until"], name="article_embargo_idx"),
            # An import finds the stories its posts made before, a batch at a time; without
            # this each batch read every story's metadata (12 ms at 10,000 stories, growing).
            models.Index(F("import_metadata__jekyll_id"), name="article_jekyll_id_idx"),
        ]
        permissions = [
            ("submit_article", _("Can submit a story for review")),
            ("publish_article", _("Can publish, schedule and embargo a story")),
            ("unpublish_article", _("Can unpublish a story")),
            ("append_correction", _("Can append a correction to a story")),
            ("share_preview", _("Can create and revoke preview links")),
            ("edit_any_article", _("Can edit stories by other authors and published stories")),
            ("publish_anyway", _("Can publish a story despite its problems, giving a reason")),
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        refuse_null_characters(self)
        update_fields = kwargs.get("update_fields")
        # Every save moves the version on: a form opened before it can no longer overwrite it.
        self.edit_version += 1
        extra_fields = {"edit_version"}
        if update_fields is None or "body" in update_fields:
            self.render_body()
            extra_fields |= {"body_html", "word_count", "reading_time"}
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *extra_fields}
        super().save(*args, **kwargs)
        self.remember_previous_address()

    def get_absolute_url(self):
        when = timezone.localtime(self.published_at or self.created_at or timezone.now())
        return address(
            "articles:article",
            section=self.category.slug if self.category_id else "historias",
            year=when.year,
            month=f"{when.month:02d}",
            day=f"{when.day:02d}",
            slug=self.slug,
        )

    @classmethod
    def from_db(cls, db, field_names, values):
        article = super().from_db(db, field_names, values)
        # The address as loaded, so a save that moves a published story can keep the old one.
        if not article.get_deferred_fields() & ADDRESS_FIELDS:
            article._loaded_address = article.address_parts()
        return article

    def address_parts(self) -> dict:
        """What the public address is built from: status, section, date and slug."""
        return {name: getattr(self, name) for name in ADDRESS_FIELDS}

    def remember_previous_address(self):
        """Keep the address a published story had before this save, so it answers a 301."""
        loaded = getattr(self, "_loaded_address", None)
        self._loaded_address = current = self.address_parts()
        if loaded is None or loaded["status"] != self.Status.PUBLISHED:
            return
        if all(loaded[name] == current[name] for name in ADDRESS_FIELDS - {"status"}):
            return
        previous = Article(**{name: value for name, value in loaded.items() if name != "status"})
        old_path = previous.get_absolute_url().rstrip("/")
        if old_path != self.get_absolute_url().rstrip("/"):
            ArticlePath.objects.update_or_create(path=old_path, defaults={"article": self})

    def render_body(self, *, rendered_html: str | None = None):
        """Derive the reader's HTML, word count and reading time from the Markdown body.

        ``rendered_html`` is ``rendering.render_markdown(self.body)`` when the caller already
        has it (the importer renders ahead in a second process).
        """
        if rendered_html is None:
            rendered_html = rendering.render_markdown(self.body)
        self.body_html = rendered_html
        self.word_count = rendering.count_words(self.body_html)
        self.reading_time = max(1, math.ceil(self.word_count / WORDS_PER_MINUTE))

    @property
    def is_published(self):
        """True when readers can see the story; agrees with ``ArticleQuerySet.published()``."""
        now = timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= now
            and (self.embargoed_until is None or self.embargoed_until <= now)
        )

    def attach_linked_organizations(self, *, previous_body_html: str = "") -> list[Organization]:
        """Attach organizations whose domains the body links to, counting only links that are
        new since ``previous_body_html`` so an organization an editor removed stays removed."""
        hosts = rendering.linked_hosts(self.body_html) - rendering.linked_hosts(previous_body_html)
        found = list(Organization.objects.linked_from(hosts))
        if found:
            self.organizations.add(*found)
        return found

    # ``for_listing()`` and ``for_detail()`` read into plain lists (``page_relations``): filling
    # each story's related manager instead built a queryset per story and relation, a quarter
    # of a listing's time. Read byline, tags and organizations through these.

    @property
    def ordered_bylines(self) -> list:
        """Byline entries in signing order (from the page's prefetch when it has one)."""
        prefetched = self.__dict__.get("prefetched_bylines")
        if prefetched is not None:
            return prefetched
        return sorted(self.bylines.all(), key=lambda byline: byline.position)

    @property
    def tag_list(self) -> list:
        """The story's tags (from the page's prefetch when it has one)."""
        prefetched = self.__dict__.get("prefetched_tags")
        return list(self.tags.all()) if prefetched is None else prefetched

    @property
    def organization_list(self) -> list:
        """The organizations the story names (from the page's prefetch when it has one)."""
        prefetched = self.__dict__.get("prefetched_organizations")
        return list(self.organizations.all()) if prefetched is None else prefetched

    @property
    def lead_caption(self):
        """The caption under the lead image: this story's own, else the library's."""
        if self.lead_image_caption or not self.lead_image_id:
            return self.lead_image_caption
        return self.lead_image.caption

    @property
    def lead_credit(self):
        """The credit under the lead image: this story's own, else the library's."""
        if self.lead_image_credit or not self.lead_image_id:
            return self.lead_image_credit
        return self.lead_image.credit

    @property
    def updated_for_readers(self):
        """When readers and machines are told the story last changed (page, JSON-LD,
        sitemaps, feeds): its editorial revision time if it has one, else its last save,
        never before its publication. ``querysets.UPDATED_FOR_READERS`` is the same in SQL."""
        changed = self.revised_at or self.updated_at
        return max(changed, self.published_at) if self.published_at else changed

    @property
    def was_updated(self):
        """True when the story changed noticeably (over an hour) after it was published."""
        return bool(
            self.published_at
            and (self.updated_for_readers - self.published_at).total_seconds() > 3600
        )


class Byline(models.Model):
    """One author's place in a story's byline, in order, with an optional role."""

    class Role(models.TextChoices):
        NONE = "", _("—")
        REPORTING = "reporting", _("Reporting")
        DATA = "data", _("Data")
        PHOTOS = "photos", _("Photos")
        GRAPHICS = "graphics", _("Graphics")
        TRANSLATION = "translation", _("Translation")

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="bylines", verbose_name=_("story")
    )
    author = models.ForeignKey(
        Author, on_delete=models.PROTECT, related_name="bylines", verbose_name=_("author")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("byline")
        verbose_name_plural = _("byline")
        constraints = [
            models.UniqueConstraint(fields=["article", "author"], name="byline_author_once"),
        ]

    def __str__(self):
        return f"{self.author} ({self.get_role_display()})" if self.role else str(self.author)

    def get_absolute_url(self):
        return self.author.get_absolute_url()


class ArticlePath(models.Model):
    """An address that used to show this story (an old Jekyll permalink, a renamed slug);
    requesting it answers a permanent redirect to the story's current address."""

    path = models.CharField(
        _("old address"),
        max_length=500,
        unique=True,
        help_text=_("A path on this site, starting with “/”, without a trailing slash."),
    )
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="old_paths", verbose_name=_("story")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("old address")
        verbose_name_plural = _("old addresses")

    def __str__(self):
        return self.path

    def get_absolute_url(self):
        return self.article.get_absolute_url()
