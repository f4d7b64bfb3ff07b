"""Story addresses answered by ``story_from_memory``; every other address as the project has it.

Each story is read from the database once per process, as the story view reads it, with its
related stories; after that its page is rendered from those objects with no query for the
story. Everything else a story page does is left in: the middleware, the menu, the template,
the metadata. What this serves is the ceiling an uncached story page can reach with the
project's templates, whatever is done to the queries. Whatever the first render loads on the
objects (a deferred column, say) stays loaded with them.
"""

from functools import cache

from django.template.response import TemplateResponse
from django.urls import include, path

from articles import urls as public_urls
from articles.models import Article
from articles.sharing import share_links
from articles.views import ArticleDetailView, around_the_story

# The story view's own route, so the same addresses reach the page from memory.
STORY_ROUTE = str(next(url.pattern for url in public_urls.urlpatterns if url.name == "article"))


@cache
def _story_and_related(slug: str) -> tuple[Article, dict]:
    story = Article.objects.published().for_detail().get(slug=slug)
    return story, around_the_story(story)


def story_from_memory(request, slug, **address):
    """The story page, as ``ArticleDetailView`` renders it, from objects kept in memory."""
    story, around = _story_and_related(slug)
    context = {"object": story, "article": story, **around, "share_links": share_links(story)}
    return TemplateResponse(request, ArticleDetailView.template_name, context)


urlpatterns = [
    path(STORY_ROUTE, story_from_memory),
    path("", include("newsroom.urls")),
]
