"""Form widgets of the story editor: a Markdown body with a preview, tags with suggestions."""

from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from taggit.forms import TagWidget

EDITOR_JS = "articles/admin/editor.js"
EDITOR_CSS = "articles/admin/editor.css"


class MarkdownEditorWidget(forms.Textarea):
    """A large Markdown textarea followed by a "Preview" button and the panel it fills."""

    def __init__(self, attrs=None):
        super().__init__(
            attrs={"rows": 30, "class": "vLargeTextField markdown-body", **(attrs or {})}
        )

    def render(self, name, value, attrs=None, renderer=None):
        textarea = super().render(name, value, attrs, renderer)
        return format_html(
            '<div class="markdown-editor">{}<div class="markdown-preview-tools">'
            '<button type="button" class="button markdown-preview-button" data-url="{}" '
            'data-error="{}">{}</button></div>'
            '<div class="markdown-preview" aria-live="polite" hidden>'
            '<h3 class="markdown-preview-title">{}</h3>'
            '<ul class="markdown-preview-warnings messagelist"></ul>'
            '<div class="markdown-preview-body"></div></div></div>',
            textarea,
            reverse("admin:articles_article_preview"),
            _("The preview could not be rendered. Try again."),
            _("Preview"),
            _("Preview (as readers will see it)"),
        )

    class Media:
        js = [EDITOR_JS]
        css = {"all": [EDITOR_CSS]}


class TagAutocompleteWidget(TagWidget):
    """taggit's comma-separated tag field, suggesting existing tags for the last name typed."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update(
            {
                "class": "vTextField tag-autocomplete",
                "autocomplete": "off",
                "data-autocomplete-url": reverse("admin:articles_article_tag_autocomplete"),
            }
        )
        return context

    class Media:
        js = [EDITOR_JS]
        css = {"all": [EDITOR_CSS]}
