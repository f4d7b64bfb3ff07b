"""Writing a batch of new imported stories in a few queries instead of a few dozen per story.

The importer checks and renders every new post in Python first (``NewStory`` is the result),
then ``write_new_stories`` writes the whole batch with ``bulk_create``. Bulk writes send no
model signals, so this module does by hand what a story saved on its own gets from
``Article.save``, ``publishing`` and the receivers: the workflow audit row and state, one
revision per story, the search index, the story pages' read model and the page cache.
"""

from dataclasses import dataclass, field

from django.db import transaction
from taggit.models import Tag

from .. import cache_tags, search, story_pages
from ..models import Article, ArticlePath, Author, Byline, Organization, TaggedArticle
from ..publishing import record_publications
from ..rendering import domain_and_parents, linked_hosts
from ..revisions import keep_revisions_of


@dataclass
class NewStory:
    """A post checked and rendered, ready to be written: the story and the rows around it."""

    article: Article
    source: str
    authors: list[Author]
    tags: list[Tag]
    old_paths: list[str]
    publish: bool
    organization_ids: list[int] = field(default_factory=list)


@dataclass
class BatchResult:
    """What a batch wrote, for the import report."""

    old_paths: int = 0
    # (source, path) of old addresses that already led to another story.
    taken_paths: list[tuple[str, str]] = field(default_factory=list)


@transaction.atomic
def write_new_stories(stories: list[NewStory]) -> BatchResult:
    """Write every story of a batch, or none of them (the caller then retries one by one)."""
    result = BatchResult()
    if not stories:
        return result
    Article.objects.bulk_create([story.article for story in stories])
    # Rows made with their author and tag objects print without a query (the revision
    # stores each row's name).
    Byline.objects.bulk_create(
        Byline(article=story.article, author=author, position=position)
        for story in stories
        for position, author in enumerate(story.authors)
    )
    TaggedArticle.objects.bulk_create(
        TaggedArticle(content_object=story.article, tag=tag)
        for story in stories
        for tag in sorted(set(story.tags), key=lambda tag: tag.pk)
    )
    _attach_linked_organizations(stories)
    _record_old_paths(stories, result)
    record_publications(articles=[story.article for story in stories if story.publish])
    keep_revisions_of({story.article: f"Imported from {story.source}" for story in stories})
    search.update_search_index([story.article.pk for story in stories])
    published = [story.article for story in stories if story.publish]
    if published:
        story_pages.write_pages([article.pk for article in published])
        cache_tags.stories_entered_lists(published)
    return result


def _attach_linked_organizations(stories: list[NewStory]) -> None:
    """What ``Article.attach_linked_organizations`` does for a new story, for the whole batch."""
    hosts_of = {id(story): linked_hosts(story.article.body_html) for story in stories}
    candidates = set().union(*hosts_of.values())
    organizations = Organization.objects.linked_from(candidates).prefetch_related("domains")
    domains_of = {
        organization.pk: {domain.domain for domain in organization.domains.all()}
        for organization in organizations
    }
    through = Article.organizations.through
    links = []
    for story in stories:
        wanted = {domain for host in hosts_of[id(story)] for domain in domain_and_parents(host)}
        story.organization_ids = sorted(
            pk for pk, domains in domains_of.items() if domains & wanted
        )
        links += [
            through(article_id=story.article.pk, organization_id=pk)
            for pk in story.organization_ids
        ]
    through.objects.bulk_create(links)


def _record_old_paths(stories: list[NewStory], result: BatchResult) -> None:
    """Old addresses lead to the first story that claims them; later claims are reported."""
    wanted = {path for story in stories for path in story.old_paths}
    taken = set(ArticlePath.objects.filter(path__in=wanted).values_list("path", flat=True))
    new_paths = []
    for story in stories:
        for path in story.old_paths:
            if path in taken:
                result.taken_paths.append((story.source, path))
                continue
            taken.add(path)
            new_paths.append(ArticlePath(path=path, article=story.article))
    ArticlePath.objects.bulk_create(new_paths)
    result.old_paths = len(new_paths)
