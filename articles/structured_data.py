"""schema.org JSON-LD for search engines, built as plain dicts from objects already loaded.

Every function reads only what the page's view prefetched (``for_detail()`` for a story), so
structured data adds no queries. ``json_ld_script`` is the only way the dicts reach a page.
"""

import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .canonical import absolute_static_url, absolute_url
from .links import is_safe_link
from .models import Article, Author, Organization
from .template_helpers import rendition_url

LOGO_PATH = "img/logo.png"
LOGO_SIZE = (600, 60)
SOCIAL_CARD_PATH = "img/social-card.png"
# Inside <script>, "</script>" or "<!--" in a headline would end or break the element.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def default_image_url() -> str:
    """The site's own social card, used when a page has no image of its own."""
    return absolute_static_url(SOCIAL_CARD_PATH)


def article_image_url(article: Article) -> str:
    """The social-card crop of the story's lead image, else the site's own card."""
    if article.lead_image_id:
        return rendition_url(article.lead_image, "card")
    return default_image_url()


def publisher() -> dict:
    """The newsroom as the publisher of every story."""
    width, height = LOGO_SIZE
    return {
        "@type": "NewsMediaOrganization",
        "name": settings.SITE_NAME,
        "url": settings.SITE_URL + "/",
        "logo": {
            "@type": "ImageObject",
            "url": absolute_static_url(LOGO_PATH),
            "width": width,
            "height": height,
        },
    }


def author_entity(author: Author) -> dict:
    """A byline's author: a Person, or an Organization when the byline is a desk."""
    entity = {
        "@type": "Organization" if author.kind == Author.Kind.ORGANIZATION else "Person",
        "name": author.name,
        "url": absolute_url(author.get_absolute_url()),
    }
    if author.link_list:
        entity["sameAs"] = author.link_list
    return entity


def organization_entity(organization: Organization) -> dict:
    """An organization a story names, linked to its page here and its own website."""
    entity = {
        "@type": "Organization",
        "name": organization.name,
        "url": absolute_url(organization.get_absolute_url()),
    }
    if organization.acronym:
        entity["alternateName"] = organization.acronym
    if is_safe_link(organization.website):
        entity["sameAs"] = [organization.website]
    return entity


def news_article(article: Article) -> dict:
    """A story as NewsArticle: every co-author in byline order is an ``author``."""
    url = absolute_url(article.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.headline,
        "description": article.dek or article.summary,
        "datePublished": article.published_at.isoformat(),
        "dateModified": max(article.updated_at, article.published_at).isoformat(),
        "author": [author_entity(byline.author) for byline in article.ordered_bylines],
        "publisher": publisher(),
        "image": [article_image_url(article)],
        "inLanguage": settings.LANGUAGE_CODE,
        "wordCount": article.word_count,
    }
    if article.category_id:
        data["articleSection"] = article.category.name
    keywords = [tag.name for tag in article.tag_list]
    if keywords:
        data["keywords"] = keywords
    mentions = [organization_entity(org) for org in article.organization_list]
    if mentions:
        data["mentions"] = mentions
    # Set by for_detail(); schema.org's CorrectionComment is how search engines read them.
    corrections = getattr(article, "current_corrections", [])
    if corrections:
        data["correction"] = [
            {
                "@type": "CorrectionComment",
                "text": correction.text,
                "datePublished": correction.published_at.isoformat(),
            }
            for correction in corrections
        ]
    return data


def profile_page(author: Author) -> dict:
    """An author's page: a ProfilePage about the Person (or desk) who signs."""
    entity = author_entity(author)
    if author.bio:
        entity["description"] = author.bio
    if author.photo:
        entity["image"] = absolute_url(author.photo.url)
    return {
        "@context": "https://schema.org",
        "@type": "ProfilePage",
        "url": entity["url"],
        "mainEntity": entity,
    }


def organization_page(organization: Organization) -> dict:
    """An organization's page: the Organization, described."""
    entity = {"@context": "https://schema.org", **organization_entity(organization)}
    if organization.description:
        entity["description"] = organization.description
    return entity


def website() -> dict:
    """The site itself, with its search box (for the home page)."""
    from django.urls import reverse

    search_url = absolute_url(reverse("articles:search"))
    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": settings.SITE_NAME,
        "url": settings.SITE_URL + "/",
        "inLanguage": settings.LANGUAGE_CODE,
        "potentialAction": {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint", "urlTemplate": f"{search_url}?q={{search_term}}"},
            "query-input": "required name=search_term",
        },
    }


def json_ld_script(data: dict) -> str:
    """A ``<script type="application/ld+json">`` element, safe whatever the strings hold."""
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(payload.translate(_SCRIPT_ESCAPES)),  # noqa: S308 - escaped just above
    )
