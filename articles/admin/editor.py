"""The story's writing surface: a Markdown editor (CodeMirror 6, built into static/editor/ from
frontend/editor/) with a live preview from the site's own renderer, a picker and drag-and-drop
upload for library images, a link search of our stories and of organizations, and bylines that
reorder by dragging. The Markdown textarea stays the submitted field, so without JavaScript it
is all there is, and autosave and conflicts see what the editor typed."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseNotAllowed, JsonResponse
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ..images import ImageNotStored, store_uploaded_image
from ..models import Article, Image, Organization
from ..querysets import NOT_IN_TEASERS
from .images import thumbnail_url
from .widgets import EDITOR_CSS

STORY_EDITOR_JS = "editor/story-editor.js"
STORY_EDITOR_CSS = "articles/admin/story-editor.css"
BYLINES_JS = "articles/admin/bylines.js"
PICKER_RESULTS = 24
LINK_RESULTS = 8
# Longer searches are cut: nobody types a sentence into a picker, and it bounds the query.
QUERY_LIMIT = 100


class StoryEditorWidget(forms.Textarea):
    """The body's Markdown textarea inside the writing surface's markup (toolbar, preview pane,
    image and link dialogs), which story-editor.js brings to life; all of it but the textarea
    stays hidden without JavaScript."""

    template = "admin/articles/article/includes/story_editor.html"

    def __init__(self, attrs=None):
        super().__init__(
            attrs={"rows": 30, "class": "vLargeTextField markdown-body", **(attrs or {})}
        )

    def render(self, name, value, attrs=None, renderer=None):
        context = {
            "textarea": super().render(name, value, attrs, renderer),
            "preview_url": reverse("admin:articles_article_preview"),
            "images_url": reverse("admin:articles_article_editor_images"),
            "upload_url": reverse("admin:articles_article_editor_upload"),
            "links_url": reverse("admin:articles_article_editor_links"),
        }
        return render_to_string(self.template, context)

    class Media:
        js = [STORY_EDITOR_JS]
        css = {"all": [EDITOR_CSS, STORY_EDITOR_CSS]}


def image_choice(image: Image) -> dict:
    """What the image picker shows of a library image and needs to place it."""
    return {
        "id": image.pk,
        "alt": image.alt,
        "caption": image.caption,
        "thumbnail": thumbnail_url(image),
        "width": image.width,
        "height": image.height,
    }


def search_query(request) -> str:
    """The ``q`` parameter, trimmed and cut to ``QUERY_LIMIT`` characters."""
    return request.GET.get("q", "").strip()[:QUERY_LIMIT]


class StoryEditorMixin:
    """Gives the story admin its writing surface: the body's widget, the bylines' reordering
    and the JSON views the surface calls, each checking the user's permissions."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "body":
            kwargs["widget"] = StoryEditorWidget
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @property
    def media(self):
        return super().media + forms.Media(js=[BYLINES_JS], css={"all": [STORY_EDITOR_CSS]})

    def get_urls(self):
        def view(function, route, name):
            return path(
                route, self.admin_site.admin_view(function), name=f"articles_article_{name}"
            )

        return [
            view(self.editor_images_view, "editor/images/", "editor_images"),
            view(self.editor_upload_view, "editor/images/upload/", "editor_upload"),
            view(self.editor_links_view, "editor/links/", "editor_links"),
            *super().get_urls(),
        ]

    def check_may_write(self, request, *permissions):
        """Refuse anyone who may neither add nor change stories, or lacks ``permissions``."""
        writes = self.has_change_permission(request) or self.has_add_permission(request)
        if not (writes and request.user.has_perms(permissions)):
            raise PermissionDenied

    def editor_images_view(self, request):
        """Library images whose description, caption, credit or file name contain ``q`` (the
        newest when it is empty; an id finds its image), for the image picker."""
        self.check_may_write(request, "articles.view_image")
        query = search_query(request)
        images = Image.objects.prefetch_related("renditions")
        if query:
            matches = (
                Q(alt__icontains=query)
                | Q(caption__icontains=query)
                | Q(credit__icontains=query)
                | Q(original_filename__icontains=query)
            )
            if query.isdecimal():
                matches |= Q(pk=int(query))
            images = images.filter(matches)
        return JsonResponse({"results": [image_choice(image) for image in images[:PICKER_RESULTS]]})

    def editor_upload_view(self, request):
        """Store a dropped, pasted or chosen file in the library with its alt text, through the
        library's safe upload path; answers the new image as the picker shows it."""
        self.check_may_write(request, "articles.add_image")
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        upload = request.FILES.get("file")
        alt = " ".join(request.POST.get("alt", "").split())
        if upload is None:
            return JsonResponse({"error": _("Choose an image file.")}, status=400)
        if not alt:
            return JsonResponse(
                {"error": _("Describe the picture for readers who cannot see it.")}, status=400
            )
        try:
            image = store_uploaded_image(file=upload, user=request.user, alt=alt)
        except ValidationError as error:
            return JsonResponse({"error": " ".join(error.messages)}, status=400)
        except ImageNotStored as error:
            return JsonResponse({"error": str(error)}, status=503)
        return JsonResponse(image_choice(image), status=201)

    def editor_links_view(self, request):
        """Published stories whose headline contains ``q`` and organizations whose name or
        acronym does, for the link dialog: a story links to its page, an organization to its
        website (which names it in the story) or else to its page here."""
        self.check_may_write(request)
        query = search_query(request)
        if not query:
            return JsonResponse({"stories": [], "organizations": []})
        stories = (
            Article.objects.published()
            .filter(headline__icontains=query)
            .select_related("category")
            .defer(*NOT_IN_TEASERS)
            .newest_first()[:LINK_RESULTS]
        )
        organizations = []
        if request.user.has_perm("articles.view_organization"):
            organizations = Organization.objects.filter(
                Q(name__icontains=query) | Q(acronym__icontains=query)
            ).order_by("name")[:LINK_RESULTS]
        return JsonResponse(
            {
                "stories": [
                    {
                        "title": story.headline,
                        "url": story.get_absolute_url(),
                        "detail": formats.date_format(timezone.localtime(story.published_at)),
                    }
                    for story in stories
                ],
                "organizations": [
                    {
                        "title": organization.name,
                        "url": organization.website or organization.get_absolute_url(),
                        "detail": organization.acronym,
                    }
                    for organization in organizations
                ],
            }
        )
