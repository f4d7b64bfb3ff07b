"""What each public page tells search engines and social networks about itself.

``page_metadata`` reads the page's template context (the objects its view already loaded) and
returns the title, description, canonical address, social card and JSON-LD for the ``<head>``;
``jinja2/articles/includes/meta.html`` prints them. A view asks for ``noindex`` by putting
``noindex=True`` in its context (search results do; previews set ``preview=True``, which also
drops the structured data); subject pages with fewer
published stories than ``settings.INDEX_MIN_STORIES`` are thin and get it automatically.
"""

from django.conf import settings
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import to_locale
from taggit.models import Tag

from . import structured_data
from .canonical import absolute_url
from .models import Article, Author, Category, Organization

DESCRIPTION_CHARS = 160


def min_stories_to_index() -> int:
    """Fewer published stories than this make a subject page too thin to index."""
    return settings.INDEX_MIN_STORIES


def _describe(text: str) -> str:
    return Truncator(" ".join(text.split())).chars(DESCRIPTION_CHARS)


def _canonical(context) -> str:
    request = context.get("request")
    path = request.path if request is not None else "/"
    page = context.get("page_obj")
    # Each page of a list is its own document; page 1 has no parameter.
    suffix = f"?page={page.number}" if page is not None and page.number > 1 else ""
    return absolute_url(path) + suffix


def _subject_metadata(subject) -> dict:
    if isinstance(subject, Category):
        return {"description": subject.description or subject.name, "json_ld": []}
    if isinstance(subject, Author):
        return {
            "description": subject.bio or subject.name,
            "json_ld": [structured_data.profile_page(subject)],
            "type": "profile",
        }
    if isinstance(subject, Organization):
        return {
            "description": subject.description or str(subject),
            "json_ld": [structured_data.organization_page(subject)],
        }
    if isinstance(subject, Tag):
        return {"description": _("Stories tagged %(tag)s") % {"tag": subject.name}, "json_ld": []}
    return {"description": str(subject), "json_ld": []}


def _article_metadata(article: Article) -> dict:
    return {
        "title": article.headline,
        "description": article.dek or article.summary or article.headline,
        "canonical": absolute_url(article.get_absolute_url()),
        "type": "article",
        "image": structured_data.article_image_url(article),
        "image_alt": article.lead_image.alt if article.lead_image_id else "",
        "json_ld": [structured_data.news_article(article)],
        "article": article,
    }


def page_metadata(context, *, title: str = "", description: str = "") -> dict:
    """Everything the ``<head>`` says about the page rendered with this context."""
    meta = {
        "title": settings.SITE_NAME,
        "description": settings.SITE_TAGLINE,
        "canonical": _canonical(context),
        "type": "website",
        "image": structured_data.default_image_url(),
        "json_ld": [],
        "noindex": bool(context.get("noindex")),
    }
    article = context.get("article")
    subject = context.get("subject")
    preview = bool(context.get("preview"))
    if isinstance(article, Article) and article.published_at and not preview:
        meta.update(_article_metadata(article))
    elif subject is not None:
        meta.update(_subject_metadata(subject), title=str(subject))
        page = context.get("page_obj")
        meta["noindex"] |= page is None or page.list_has_fewer_than(min_stories_to_index())
    elif context.get("request") is not None and context["request"].path == "/":
        meta["json_ld"] = [structured_data.website()]
    if preview:
        # A private preview: no index, no following its links, no structured data.
        meta.update(title=article.headline, json_ld=[], robots="noindex, nofollow")
    elif meta["noindex"]:
        meta["robots"] = "noindex, follow"
    meta["title"] = title or meta["title"]
    meta["description"] = _describe(description or meta["description"])
    meta["site_name"] = settings.SITE_NAME
    meta["language"] = settings.LANGUAGE_CODE
    meta["locale"] = to_locale(settings.LANGUAGE_CODE)
    # One language per site for now: the page is its own alternate and the default.
    meta["alternates"] = [
        (settings.LANGUAGE_CODE, meta["canonical"]),
        ("x-default", meta["canonical"]),
    ]
    meta["json_ld"] = [structured_data.json_ld_script(data) for data in meta["json_ld"]]
    return meta
