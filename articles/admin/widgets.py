"""Form widgets of the story editor: tags with suggestions (the body's is in editor.py)."""

from django.urls import reverse
from taggit.forms import TagWidget

EDITOR_JS = "articles/admin/editor.js"
EDITOR_CSS = "articles/admin/editor.css"


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
