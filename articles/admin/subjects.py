"""Admin pages for what stories are about or signed by: authors, sections, organizations, tags.

Each change page lists the subject's latest stories and links to all of them in the story list.
"""

from django.contrib import admin
from django.db import models
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from taggit.models import Tag

from ..models import Article, Author, Category, Organization, OrganizationDomain
from ..querysets import link_table

LATEST_STORIES_SHOWN = 20


class SubjectStoriesMixin:
    """Adds a story count to the list and the latest stories to the change page."""

    changelist_filter = ""  # the story list's filter parameter, e.g. "category__id__exact"

    def get_queryset(self, request):
        # Counted for each subject the page shows, from its own links (a story is linked to a
        # subject once). A count grouped over every link took 0.3 s for the tags' first page
        # at 100,000 stories, however few tags the page showed.
        link_model, subject_field, _story_column = link_table(self.model)
        counts = (
            link_model.objects.filter(**{subject_field: OuterRef("pk")})
            .order_by()
            .values(subject_field)
            .annotate(count=Count("*"))
            .values("count")
        )
        return super().get_queryset(request).annotate(story_count=Coalesce(Subquery(counts), 0))

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "latest_stories"]

    @admin.display(description=_("stories"), ordering="story_count")
    def story_count(self, subject):
        return subject.story_count

    @admin.display(description=_("latest stories"))
    def latest_stories(self, subject):
        if subject.pk is None:
            return _("None yet.")
        stories = Article.objects.about(subject)
        total = stories.count()
        if not total:
            return _("None yet.")
        latest = stories.order_by(F("published_at").desc(nulls_first=True), "-created_at", "-id")
        rows = format_html_join(
            "",
            '<li><a href="{}">{}</a> <span class="quiet">({}, {})</span></li>',
            (
                (
                    reverse("admin:articles_article_change", args=[story.pk]),
                    story.headline,
                    story.get_status_display(),
                    date_format(localtime(story.published_at), "DATE_FORMAT")
                    if story.published_at
                    else _("no publication date"),
                )
                for story in latest[:LATEST_STORIES_SHOWN]
            ),
        )
        changelist = reverse("admin:articles_article_changelist")
        query = urlencode({self.changelist_filter: subject.pk})
        label = ngettext("See the story", "See all %(count)d stories", total) % {"count": total}
        return format_html(
            '<ul class="subject-stories">{}</ul><p><a href="{}?{}">{}</a></p>',
            rows,
            changelist,
            query,
            label,
        )


@admin.register(Author)
class AuthorAdmin(SubjectStoriesMixin, admin.ModelAdmin):
    changelist_filter = "bylines__author__id__exact"
    list_display = ["name", "kind", "user", "story_count"]
    list_filter = ["kind"]
    list_select_related = ["user"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]
    fields = ["name", "slug", "kind", "bio", "photo", "email", "links", "user", "latest_stories"]


@admin.register(Category)
class CategoryAdmin(SubjectStoriesMixin, admin.ModelAdmin):
    changelist_filter = "category__id__exact"
    list_display = ["name", "slug", "position", "story_count"]
    list_editable = ["position"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "description", "position", "latest_stories"]


class OrganizationDomainInline(admin.TabularInline):
    model = OrganizationDomain
    extra = 1


@admin.register(Organization)
class OrganizationAdmin(SubjectStoriesMixin, admin.ModelAdmin):
    changelist_filter = "organizations__id__exact"
    list_display = ["name", "acronym", "web_domains", "story_count"]
    search_fields = ["name", "acronym", "domains__domain"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OrganizationDomainInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = ["name", "acronym", "slug", "website", "description", "logo", "latest_stories"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("domains")

    @admin.display(description=_("web domains"))
    def web_domains(self, organization):
        return ", ".join(domain.domain for domain in organization.domains.all())


# taggit's own Tag admin edits generic tagged items; stories use their own through model.
admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(SubjectStoriesMixin, admin.ModelAdmin):
    changelist_filter = "tags__id__exact"
    list_display = ["name", "slug", "story_count"]
    search_fields = ["name"]
    ordering = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "latest_stories"]
