"""The story editor: the list, the form, bulk publishing, the Markdown preview and tag suggestions."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseNotAllowed, JsonResponse
from django.urls import path
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from taggit.models import Tag

from .. import editing, publishing, rendering, search, story_checks
from ..models import Article, Byline
from ..object_permissions import stories_listed_for, unknown_tags
from ..querysets import NOT_IN_TEASERS
from .editor import StoryEditorMixin
from .filters import SubjectLinksFilter, TodosFilter
from .widgets import TagAutocompleteWidget
from .workflow import WorkflowAdminMixin

TAG_SUGGESTIONS = 20
# A search in the story list keeps the newest matches only, as readers' search ranks only its
# newest (``search.MAX_RANKED_MATCHES``): a word in most of the archive then costs what a rare
# one does, count and date links included.
ADMIN_SEARCH_MATCHES = 1000


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = [
            "headline", "slug", "dek", "body",
            "lead_image", "lead_image_caption", "lead_image_credit",
            "summary", "status", "published_at", "category", "tags", "organizations",
        ]  # fmt: skip
        widgets = {
            "headline": forms.TextInput(attrs={"class": "vTextField story-headline"}),
            "dek": forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
            "summary": forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
            "tags": TagAutocompleteWidget,
        }

    # The person filling the form in (``ArticleAdmin.get_form`` sets it).
    user = None

    def clean_body(self):
        body = self.cleaned_data["body"]
        # Rendering here, not only on save, turns a refused body into a form error, not a 500.
        rendering.render_markdown(body)
        return body

    def clean_tags(self):
        tags = self.cleaned_data["tags"]
        unknown = unknown_tags(self.user, tags) if self.user else []
        if unknown:
            raise ValidationError(
                ngettext(
                    "There is no tag %(names)s yet, and you may not create tags: choose an "
                    "existing one or ask an editor to create it.",
                    "There are no tags %(names)s yet, and you may not create tags: choose "
                    "existing ones or ask an editor to create them.",
                    len(unknown),
                ),
                code="unknown_tags",
                params={"names": ", ".join(f"“{name}”" for name in unknown)},
            )
        return tags


def _position_or(position: int | None, default: int) -> int:
    return default if position is None else position


class BylineFormSet(BaseInlineFormSet):
    """Keeps a story's byline positions 0..n-1 in the order the editor gave, whatever was
    posted: rows sorted by their posted position, rows with equal or no position in the order
    they stand on the form; a new row left without one goes after the rows already placed."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # No default of 0 for a new row: left empty, it goes after the rows already placed.
        form.fields["position"].required = False
        if form.instance.pk is None:
            form.fields["position"].initial = None

    def save(self, commit=True):
        kept = [
            form
            for form in self.forms
            if (form.instance.pk or form.has_changed()) and not self._should_delete_form(form)
        ]
        last = len(self.forms)
        in_order = sorted(
            enumerate(kept),
            key=lambda item: (_position_or(item[1].cleaned_data.get("position"), last), item[0]),
        )
        renumbered = []
        for position, (_index, form) in enumerate(in_order):
            if form.instance.position != position or form.cleaned_data.get("position") is None:
                form.instance.position = position
                # Django saves only rows whose form changed; a row moved by the others' moves
                # is saved here.
                if form.instance.pk and not form.has_changed():
                    renumbered.append(form.instance)
        if commit:
            Byline.objects.bulk_update(renumbered, ["position"])
        return super().save(commit)


class BylineInline(admin.TabularInline):
    model = Byline
    formset = BylineFormSet
    fields = ["author", "position", "role"]
    autocomplete_fields = ["author"]
    ordering = ["position", "id"]
    extra = 1


class StoryChangeList(ChangeList):
    """The story list, kept on indexes at any archive size (100,000 stories here).

    Django removes the duplicates that a filter by author, tag or organization makes with
    ``DISTINCT`` over every column it reads, body and search vector included: at 100,000
    stories a search took 14–46 s, counting and dating that DISTINCT twice. Stories are
    matched by id instead, and the list reads only the columns it shows.
    """

    def get_queryset(self, request, exclude_parameters=None):
        stories = super().get_queryset(request, exclude_parameters)
        if not stories.query.distinct:
            return stories
        matching = stories.order_by().values("pk")
        return self.root_queryset.filter(pk__in=matching).order_by(*stories.query.order_by)

    def get_results(self, request):
        # A hundred bodies, their HTML and search vectors: about a megabyte no column shows.
        self.queryset = self.queryset.defer(*NOT_IN_TEASERS)
        super().get_results(request)


@admin.register(Article)
class ArticleAdmin(StoryEditorMixin, WorkflowAdminMixin, admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = ["headline", "reader_state", "category", "byline", "published_at"]
    list_filter = [
        "status",
        "category",
        ("bylines__author", SubjectLinksFilter),
        ("tags", SubjectLinksFilter),
        TodosFilter,
    ]
    # Searched by get_search_results; the list only needs to know that a box is wanted.
    search_fields = ["headline"]
    search_help_text = format_lazy(
        _(
            "Finds words in the headline, text, byline, tags, organizations and section, in "
            "any form (“contrato” finds “contratos”), in stories in any state. At most the "
            "newest {count} matches are listed: add words or filters to find older ones."
        ),
        count=ADMIN_SEARCH_MATCHES,
    )
    date_hierarchy = "published_at"
    # reversion's list (its "recover deleted" link) with date links that do not scan the archive.
    change_list_template = "admin/articles/article/change_list.html"
    actions = ["publish_selected", "unpublish_selected"]
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["category", "organizations", "lead_image"]
    inlines = [BylineInline]
    readonly_fields = ["todo_list"]
    fieldsets = [
        (None, {"fields": ["todo_list", "headline", "slug", "dek", "body"]}),
        (_("Lead image"), {"fields": ["lead_image", "lead_image_caption", "lead_image_credit"]}),
        (
            _("Metadata"),
            {
                "fields": [
                    "summary",
                    "status",
                    "published_at",
                    "revised_at",
                    "embargoed_until",
                    "listed",
                    "in_sitemaps",
                    "category",
                    "tags",
                    "organizations",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        # The list, its search, counts and date links show only what this user may find
        # (a reporter: no colleague's unpublished story).
        return stories_listed_for(request.user, self.all_stories(request))

    def all_stories(self, request):
        """Every story, byline and tags like a public list but every column: this also reads
        the story being edited, and revisions keep all of it."""
        return super().get_queryset(request).for_listing().defer(None)

    def get_object(self, request, object_id, from_field=None):
        # A story's own pages look it up among all stories, so one the user may not open
        # answers 403 (its permission checks) rather than "does not exist".
        field = self.opts.pk if from_field is None else self.opts.get_field(from_field)
        try:
            return self.all_stories(request).get(**{field.name: field.to_python(object_id)})
        except (Article.DoesNotExist, ValidationError, ValueError):
            return None

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def get_changelist(self, request, **kwargs):
        return StoryChangeList

    def get_search_results(self, request, queryset, search_term):
        """Stories in any state whose words match, the way readers' search matches them:
        Spanish stems, accents optional, bylines, tags, organizations and section included.

        Django's own search looked for the text inside every headline, dek and body, and
        joined the bylines (14–46 s at 100,000 stories; gunicorn gives up at 30 s). Only the
        newest ``ADMIN_SEARCH_MATCHES`` matches within the list's filters are kept."""
        if not search.clean_query(search_term):
            return queryset, False
        matches = queryset.filter(search.words_match(search_term)).newest_first()
        # Read once: the list counts, dates and pages what it gets, and as a subquery the
        # matches were looked for again each time (0.7 s for a word in 3 % of 100,000 stories).
        newest = list(matches.values_list("pk", flat=True)[:ADMIN_SEARCH_MATCHES])
        return queryset.filter(pk__in=newest), False

    def lookup_allowed(self, lookup, value, request):
        # An organization's page links to its stories; a sidebar filter would list every one.
        return lookup == "organizations__id__exact" or super().lookup_allowed(
            lookup, value, request
        )

    @admin.display(description=_("to-dos"))
    def todo_list(self, article):
        """What the story still lacks, as the last save found it."""
        if article.pk is None:
            return _("Worked out when the story is saved.")
        problems = story_checks.todos_of(article)
        if not problems:
            return _("None: nothing is missing.")
        return "; ".join(problem.label for problem in problems)

    @admin.display(description=_("byline"))
    def byline(self, article):
        return ", ".join(byline.author.name for byline in article.ordered_bylines)

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        suggestions = self.admin_site.admin_view(self.tag_autocomplete_view)
        return [
            path("preview/", preview, name="articles_article_preview"),
            path("tag-autocomplete/", suggestions, name="articles_article_tag_autocomplete"),
            *super().get_urls(),
        ]

    def save_model(self, request, obj, form, change):
        # body_html still holds what was saved before: only links added now attach organizations.
        form.previous_body_html = obj.body_html
        # The state is not in the form: it changes only through the workflow's buttons.
        if change:
            super().save_model(request, obj, form, change)
            return
        wanted = obj.slug
        editing.save_new_article(article=obj)
        if obj.slug != wanted:
            messages.warning(
                request,
                _(
                    "Another story took the address “%(wanted)s” a moment ago; this one is at “%(slug)s”."
                )
                % {"wanted": wanted, "slug": obj.slug},
            )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article = form.instance
        article.attach_linked_organizations(previous_body_html=form.previous_body_html)
        story_checks.refresh_todos(article)
        for warning in rendering.find_body_warnings(article.body):
            messages.warning(request, _("Check this link: %(warning)s") % {"warning": warning})

    @admin.action(description=_("Publish selected stories"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        self.apply_to_each(request, queryset, publishing.publish_article)

    @admin.action(description=_("Unpublish selected stories"), permissions=["unpublish"])
    def unpublish_selected(self, request, queryset):
        self.apply_to_each(request, queryset, publishing.unpublish_article)

    def apply_to_each(self, request, queryset, change_state):
        """Run a publishing function on every selected story; report each refusal by name,
        except for stories this user may not change, which are only counted."""
        done = 0
        # Selected stories left out of this user's list (``stories_listed_for``) are refused
        # like the others it may not change: counted, never named.
        selected = set(request.POST.getlist(helpers.ACTION_CHECKBOX_NAME))
        forbidden = len(selected - {str(article.pk) for article in queryset})
        for article in queryset:
            try:
                change_state(article=article, user=request.user)
            except PermissionDenied:
                # Counted, never named: the check runs before anything about the story is said.
                forbidden += 1
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                done += 1
        if forbidden:
            self.message_user(
                request,
                ngettext(
                    "%(count)d story was left as it was: you may not change it.",
                    "%(count)d stories were left as they were: you may not change them.",
                    forbidden,
                )
                % {"count": forbidden},
                messages.ERROR,
            )
        if done:
            self.message_user(
                request,
                ngettext("%(count)d story updated.", "%(count)d stories updated.", done)
                % {"count": done},
                messages.SUCCESS,
            )

    def preview_view(self, request):
        """Render posted Markdown exactly as the site will, with warnings about its links."""
        if not (self.has_change_permission(request) or self.has_add_permission(request)):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        body = request.POST.get("body")
        if body is None:
            return JsonResponse({"error": str(_("Nothing to preview."))}, status=400)
        try:
            html = rendering.render_markdown(body)
        except rendering.MarkdownRefused as error:
            return JsonResponse({"error": " ".join(error.messages)}, status=400)
        return JsonResponse(
            {
                "html": html,
                "warnings": [str(warning) for warning in rendering.find_body_warnings(body)],
            }
        )

    def tag_autocomplete_view(self, request):
        """Names of existing tags containing ``q`` (at most 20), for the tag field's suggestions."""
        if not (self.has_change_permission(request) or self.has_add_permission(request)):
            raise PermissionDenied
        query = request.GET.get("q", "").strip()
        if not query:
            return JsonResponse({"results": []})
        names = (
            Tag.objects.filter(name__icontains=query)
            .order_by("name")
            .values_list("name", flat=True)[:TAG_SUGGESTIONS]
        )
        return JsonResponse({"results": list(names)})
