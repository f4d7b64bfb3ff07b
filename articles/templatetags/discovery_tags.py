"""Template tags for what a page tells search engines and social networks."""

from django import template

from articles.metadata import page_metadata

register = template.Library()


@register.inclusion_tag("articles/includes/meta.html", takes_context=True)
def page_meta(context, title="", description=""):
    """The ``<head>`` tags for this page: description, canonical, social card, JSON-LD."""
    return {"meta": page_metadata(context, title=title, description=description)}
