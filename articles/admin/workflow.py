"""The workflow on the story's admin page: transition buttons, corrections, preview links,
revisions, save conflicts, who else is editing, autosave. Every view checks permissions here,
and every change goes through ``publishing``, ``previews``, ``revisions`` or ``editing``."""

import json
from datetime import datetime

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from reversion.admin import VersionAdmin
from reversion.models import Version

from .. import editing, previews, publishing, revisions, story_states
from ..canonical import absolute_url
from ..models import Article, ArticleTransition, Byline, Correction, PreviewLink
from .merge_view import ConcurrencyForm

STATE_FIELDS = ["status", "published_at", "embargoed_until"]
AUDIT_ROWS_SHOWN = 50


def parse_local_datetime(value: str) -> datetime | None:
    """A ``datetime-local`` input in the newsroom's time zone (the label beside it says which,
    whatever the browser's); None when empty; ValidationError when it is not a time."""
    if not value:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValidationError(_("“%(value)s” is not a date and time.") % {"value": value})
    if timezone.is_naive(parsed):
        return timezone.make_aware(parsed, story_states.newsroom_zone())
    return parsed


def audit_label(transition: ArticleTransition) -> str:
    """The state a transition led to, as readers saw it then ("Programada para el …")."""
    return story_states.state_label(
        transition.to_status,
        published_at=transition.publish_at,
        embargoed_until=transition.embargoed_until,
        now=transition.at,
    )


class WorkflowAdminMixin(VersionAdmin):
    """Put this first in ``ArticleAdmin``'s bases."""

    history_latest_first = True
    object_history_template = "admin/articles/article/object_history.html"

    class Media:
        js = ["articles/admin/workflow.js"]
        css = {"all": ["articles/admin/workflow.css"]}

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (ConcurrencyForm, form), {})

    def get_readonly_fields(self, request, obj=None):
        # State changes only through the buttons (publishing.py), for every role.
        return [*super().get_readonly_fields(request, obj), *STATE_FIELDS]

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or publishing.can_edit(request.user, obj))

    def has_view_permission(self, request, obj=None):
        # The read-only form shows the whole text: a story readers cannot see yet is for
        # those who may preview it, as its history and preview are.
        allowed = super().has_view_permission(request, obj)
        return allowed and (
            obj is None or obj.is_published or publishing.can_preview(request.user, obj)
        )

    @admin.display(description=_lazy("State"), ordering="status")
    def reader_state(self, article):
        """The story list's state column, as readers see it ("Programada para el …")."""
        return story_states.story_state(article)

    def has_publish_permission(self, request):
        return request.user.has_perm("articles.publish_article")

    def has_unpublish_permission(self, request):
        return request.user.has_perm("articles.unpublish_article")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article = form.instance
        profile = getattr(request.user, "author_profile", None)
        if not change and profile and not request.user.has_perm("articles.edit_any_article"):
            # A reporter's new story is theirs: without their byline they could not reopen it.
            article.bylines.get_or_create(author=profile, defaults={"position": 0})
        editing.discard_autosave(article=article, user=request.user)
        if not change:
            editing.discard_autosave(article=None, user=request.user)
        if getattr(form, "merged_theirs", None):
            self.message_user(
                request,
                _(
                    "Someone else saved this story while you edited it; kept their changes to: %(fields)s."
                )
                % {"fields": ", ".join(form.merged_theirs)},
                messages.INFO,
            )

    def save_formset(self, request, form, formset, change):
        # Bylines only the other editor changed (or whose choice was "theirs") stay as saved.
        if formset.model is Byline and getattr(form, "keep_their_bylines", False):
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            return
        super().save_formset(request, form, formset, change)

    # The story's page

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if article is not None and self.has_view_or_change_permission(request, article):
            if publishing.can_edit(request.user, article):
                editing.record_presence(article=article, user=request.user)
                revisions.keep_baseline(article)
            context.update(self.workflow_context(request, article))
        return super().change_view(request, object_id, form_url, context)

    def add_view(self, request, form_url="", extra_context=None):
        context = dict(extra_context or {})
        pending = editing.pending_autosave(article=None, user=request.user)
        context["pending_autosave"] = pending
        context["pending_autosave_json"] = json.dumps(pending.data) if pending else ""
        context["autosave_url"] = reverse("admin:articles_article_autosave_new")
        return super().add_view(request, form_url, context)

    def workflow_context(self, request, article):
        """What the workflow panel on the story's page shows."""
        user = request.user
        pending = editing.pending_autosave(article=article, user=user)
        may_publish = Article.Status.PUBLISHED in publishing.allowed_transitions(user, article)
        zone = story_states.newsroom_zone()
        return {
            "state_label": story_states.story_state(article),
            "newsroom_zone": zone.key,
            "held_by": publishing.held_by(article) if may_publish else [],
            "may_publish_anyway": publishing.may_publish_anyway(user),
            "transitions": [
                (status, Article.Status(status).label)
                for status in publishing.allowed_transitions(user, article)
            ],
            "can_correct": user.has_perm("articles.append_correction") and article.is_published,
            "correction_kinds": Correction.Kind.choices,
            "can_preview": publishing.can_preview(user, article),
            "can_share": user.has_perm("articles.share_preview"),
            "preview_links": [link for link in article.preview_links.all() if link.is_usable],
            "others_editing": [
                editing.describe_presence(presence)
                for presence in editing.others_editing(article=article, user=user)
            ],
            "audit_trail": [
                (transition, audit_label(transition))
                for transition in article.transitions.select_related("user")[:AUDIT_ROWS_SHOWN]
            ],
            "corrections": article.corrections.select_related("created_by", "superseded_by"),
            "pending_autosave": pending,
            "pending_autosave_json": json.dumps(pending.data) if pending else "",
            "autosave_url": reverse("admin:articles_article_autosave", args=[article.pk]),
            "heartbeat_url": reverse("admin:articles_article_heartbeat", args=[article.pk]),
        }

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context.get("adminform").form if context.get("adminform") else None
        conflict = getattr(form, "conflict", None)
        if conflict is not None:
            context["merge_conflicts"] = form.merge_conflicts
            context["merged_theirs"] = form.merged_theirs
            context["conflict_by"] = editing.last_saved_by(conflict.current)
        return super().render_change_form(request, context, add, change, form_url, obj)

    # Extra addresses

    def get_urls(self):
        def view(function, name, route):
            return path(
                route, self.admin_site.admin_view(function), name=f"articles_article_{name}"
            )

        return [
            view(self.transition_view, "transition", "<int:pk>/transition/"),
            view(self.correction_view, "correct", "<int:pk>/correct/"),
            view(self.share_view, "share", "<int:pk>/share/"),
            view(self.revoke_view, "revoke", "<int:pk>/share/<int:link_pk>/revoke/"),
            view(self.compare_view, "compare", "<int:pk>/compare/"),
            view(self.restore_view, "restore", "<int:pk>/restore/<int:version_pk>/"),
            view(self.heartbeat_view, "heartbeat", "<int:pk>/heartbeat/"),
            view(self.autosave_view, "autosave", "<int:pk>/autosave/"),
            view(self.autosave_view, "autosave_new", "autosave/"),
            *super().get_urls(),
        ]

    def story_or_404(self, request, pk, *, check=publishing.can_edit):
        article = get_object_or_404(Article, pk=pk)
        if not check(request.user, article):
            raise PermissionDenied
        return article

    def back_to(self, article):
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    def run(self, request, article, change, success):
        """Call a workflow function and say what happened; refusals become messages."""
        try:
            change()
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            self.message_user(request, success, messages.SUCCESS)
        return self.back_to(article)

    def transition_view(self, request, pk):
        """Move the story to the state a button asked for (publish may carry a time)."""
        if request.method != "POST":
            raise Http404
        article = get_object_or_404(Article, pk=pk)
        to_status = request.POST.get("to", "")
        note = request.POST.get("note", "")[:500]

        def change():
            if to_status == Article.Status.PUBLISHED:
                publishing.publish_article(
                    article=article,
                    user=request.user,
                    at=parse_local_datetime(request.POST.get("at", "")),
                    embargoed_until=parse_local_datetime(request.POST.get("embargoed_until", "")),
                    note=note,
                    override_reason=request.POST.get("override_reason", "")[:500],
                )
            else:
                publishing.move_to(
                    article=article, user=request.user, to_status=to_status, note=note
                )

        return self.run(request, article, change, _("The story's state changed."))

    def correction_view(self, request, pk):
        """Append a correction (or replace one) from the form on the story's page."""
        if request.method != "POST":
            raise Http404
        if not request.user.has_perm("articles.append_correction"):
            raise PermissionDenied
        article = get_object_or_404(Article, pk=pk)
        supersedes_pk = request.POST.get("supersedes", "")
        supersedes = (
            get_object_or_404(Correction, pk=supersedes_pk, article=article)
            if supersedes_pk.isdigit()
            else None
        )
        kind = request.POST.get("kind", Correction.Kind.CORRECTION)
        if kind not in Correction.Kind.values:
            kind = Correction.Kind.CORRECTION
        return self.run(
            request,
            article,
            lambda: publishing.add_correction(
                article=article,
                user=request.user,
                text=request.POST.get("text", ""),
                kind=kind,
                supersedes=supersedes,
            ),
            _("The correction is on the story."),
        )

    def share_view(self, request, pk):
        """Create a preview link to send outside the newsroom."""
        if request.method != "POST" or not request.user.has_perm("articles.share_preview"):
            raise PermissionDenied
        article = get_object_or_404(Article, pk=pk)
        link = previews.create_preview_link(article=article, user=request.user)
        address = absolute_url(link.get_absolute_url())
        self.message_user(
            request,
            _("Preview link (until %(until)s): %(address)s")
            % {
                "until": story_states.newsroom_time(link.expires_at),
                "address": address,
            },
            messages.SUCCESS,
        )
        return self.back_to(article)

    def revoke_view(self, request, pk, link_pk):
        """Stop a preview link from working."""
        if request.method != "POST" or not request.user.has_perm("articles.share_preview"):
            raise PermissionDenied
        link = get_object_or_404(PreviewLink, pk=link_pk, article_id=pk)
        previews.revoke_preview_link(link=link, user=request.user)
        self.message_user(request, _("The preview link no longer works."), messages.SUCCESS)
        return self.back_to(link.article)

    def compare_view(self, request, pk):
        """Differences between two revisions (``?from=&to=``; ``to`` empty means now)."""
        article = self.story_or_404(request, pk, check=publishing.can_preview)
        versions = revisions.versions_of(article.pk)
        by_pk = {str(version.pk): version for version in versions}
        older = by_pk.get(request.GET.get("from", ""))
        newer = by_pk.get(request.GET.get("to", ""))
        if older is None:
            raise Http404
        after = (
            revisions.snapshot_of_version(newer)
            if newer
            else revisions.snapshot_of_article(article)
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": _("Compare versions of “%(story)s”") % {"story": article},
            "older": older,
            "newer": newer,
            "older_label": revisions.describe(older),
            "newer_label": revisions.describe(newer) if newer else _("now"),
            "changes": revisions.compare(revisions.snapshot_of_version(older), after),
            "can_restore": publishing.can_edit(request.user, article),
        }
        return TemplateResponse(request, "admin/articles/article/compare.html", context)

    def restore_view(self, request, pk, version_pk):
        """Restore a revision as a new revision; the state of the story stays. A GET asks
        first, showing what restoring would change."""
        article = self.story_or_404(request, pk)
        version = get_object_or_404(Version.objects.get_for_object(article), pk=version_pk)
        if request.method != "POST":
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": article,
                "title": _("Restore a version of “%(story)s”?") % {"story": article},
                "version": version,
                "version_label": revisions.describe(version),
                "changes": revisions.compare(
                    revisions.snapshot_of_article(article), revisions.snapshot_of_version(version)
                ),
            }
            return TemplateResponse(request, "admin/articles/article/restore.html", context)
        revisions.restore_version(version=version, user=request.user)
        self.message_user(
            request,
            _("Restored the version of %(when)s.") % {"when": revisions.describe(version)},
            messages.SUCCESS,
        )
        return self.back_to(article)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # Reversion's own revert screen would also bring back an old state; compare instead.
        url = reverse("admin:articles_article_compare", args=[object_id])
        return HttpResponseRedirect(f"{url}?from={version_id}")

    def history_view(self, request, object_id, extra_context=None):
        article = get_object_or_404(Article, pk=object_id)
        if not publishing.can_preview(request.user, article):
            raise PermissionDenied
        versions = revisions.versions_of(article.pk)
        context = {
            "versions": [(version, revisions.describe(version)) for version in versions],
            "can_restore": publishing.can_edit(request.user, article),
            "preview_url": reverse("articles:preview", args=[article.pk]),
            **(extra_context or {}),
        }
        return super().history_view(request, object_id, context)

    def recoverlist_view(self, request, extra_context=None):
        # A recovered story comes back in the state it was deleted in: an editor's decision.
        if not request.user.has_perm("articles.publish_article"):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if not request.user.has_perm("articles.publish_article"):
            raise PermissionDenied
        return super().recover_view(request, version_id, extra_context)

    def heartbeat_view(self, request, pk):
        """The edit page pings this while open; answers who else is on the story."""
        if request.method != "POST":
            raise Http404
        article = self.story_or_404(request, pk)
        editing.record_presence(article=article, user=request.user)
        others = editing.others_editing(article=article, user=request.user)
        return JsonResponse({"others": [editing.describe_presence(other) for other in others]})

    def autosave_view(self, request, pk=None):
        """Keep what is typed in the form (POST), or forget it (POST ``discard=1``)."""
        if request.method != "POST":
            raise Http404
        article = get_object_or_404(Article, pk=pk) if pk is not None else None
        if request.POST.get("discard"):
            editing.discard_autosave(article=article, user=request.user)
            return JsonResponse({"discarded": True})
        try:
            autosave = editing.save_autosave(article=article, user=request.user, data=request.POST)
        except ValidationError as error:
            return JsonResponse({"error": " ".join(error.messages)}, status=400)
        return JsonResponse({"saved_at": autosave.saved_at.isoformat()})
