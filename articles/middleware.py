"""Old addresses keep working: a page that would be a 404 redirects to the story it used to show.

Built like ``django.contrib.redirects``: it looks only at responses that are already 404s, so
the ordinary pages pay nothing for it.
"""

from django.http import HttpResponsePermanentRedirect

from .models import Article, ArticlePath

_SUFFIXES = ("/index.html", ".html", ".htm")


def candidate_paths(path: str) -> list[str]:
    """The stored forms an old address may take: no trailing slash, with or without ``.html``."""
    bare = path.rstrip("/") or "/"
    candidates = [bare]
    for suffix in _SUFFIXES:
        if bare.endswith(suffix) and len(bare) > len(suffix):
            candidates.append(bare.removesuffix(suffix))
    return candidates


class ArticlePathRedirectMiddleware:
    """Answer a 404 on an address a published story used to have with a 301 to the story."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404:
            return response
        old_path = (
            ArticlePath.objects.filter(
                path__in=candidate_paths(request.path),
                article__in=Article.objects.published(),
            )
            .select_related("article__category")
            .first()
        )
        if old_path is None:
            return response
        article = old_path.article
        # An imported post that jekyll-redirect-from sent elsewhere (``redirect_to``) still does.
        target = (article.import_metadata or {}).get("redirect_to") or article.get_absolute_url()
        if target == request.path:
            # The story's own address answered 404 for another reason; redirecting would loop.
            return response
        query = request.META.get("QUERY_STRING")
        return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)
