"""The stories a story page lists as related: chosen among the newest published stories.

``ArticleQuerySet.related_to()`` keeps a ``RelatedWindow`` in process memory until the next
change (``tag_versions.remember``) and asks it for each story's best matches.
"""

from datetime import datetime
from typing import NamedTuple

from .page_relations import articles_models

# How many of the newest published stories are scored when looking for related stories.
RELATED_WINDOW = 500


class RelatedCandidate(NamedTuple):
    """One of the newest stories, with what scoring and a related-stories list need."""

    id: int
    headline: str
    slug: str
    published_at: datetime
    category_id: int | None
    section_name: str | None
    section_slug: str | None
    lead_image_id: int | None


class RelatedWindow:
    """The newest ``RELATED_WINDOW`` + 1 published stories (one more, so that leaving out the
    story being read still leaves the window full), each with its tags and organizations, and
    where each organization, tag and section appears among them, so a page scores only the
    stories it shares something with."""

    def __init__(self, stories: tuple[RelatedCandidate, ...], subjects: dict[int, list]):
        """``subjects``: each story's ("organization" | "tag", id) pairs."""
        self.stories = stories
        self.position = {story.id: index for index, story in enumerate(stories)}
        self.by_subject: dict[tuple[str, int], list[int]] = {}
        for index, story in enumerate(stories):
            keys = subjects[story.id]
            if story.category_id is not None:
                keys = [*keys, ("section", story.category_id)]
            for key in keys:
                self.by_subject.setdefault(key, []).append(index)

    @classmethod
    def read(cls, using) -> "RelatedWindow":
        """Read the window from the database: three queries."""
        Article, TaggedArticle = articles_models("Article", "TaggedArticle")

        newest = Article.objects.using(using).published().newest_first()[: RELATED_WINDOW + 1]
        rows = list(
            newest.values_list(
                "id",
                "headline",
                "slug",
                "published_at",
                "category_id",
                "category__name",
                "category__slug",
                "lead_image_id",
            )
        )
        subjects = {row[0]: [] for row in rows}
        # The window as a subquery, not as 501 ids to send and quote (half of this read's
        # time); a story published between two of these queries is simply not in it.
        window_ids = newest.values("id")
        named = Article.organizations.through.objects.using(using).filter(article_id__in=window_ids)
        for story_id, organization_id in named.values_list("article_id", "organization_id"):
            if story_id in subjects:
                subjects[story_id].append(("organization", organization_id))
        tagged = TaggedArticle.objects.using(using).filter(content_object_id__in=window_ids)
        for story_id, tag_id in tagged.values_list("content_object_id", "tag_id"):
            if story_id in subjects:
                subjects[story_id].append(("tag", tag_id))
        return cls(tuple(RelatedCandidate(*row) for row in rows), subjects)

    def scored_for(self, article, limit) -> list[tuple[RelatedCandidate, int]]:
        """The ``limit`` best-scoring stories of the window for ``article`` with their scores,
        best first, then newest; stories sharing nothing are never listed."""
        own = self.position.get(article.pk)
        # The newest RELATED_WINDOW stories other than the article itself.
        end = RELATED_WINDOW if own is None else RELATED_WINDOW + 1
        points = [
            ("organization", organization.pk, 3) for organization in article.organization_list
        ]
        points += [("tag", tag.pk, 2) for tag in article.tag_list]
        if article.category_id is not None:
            points.append(("section", article.category_id, 1))
        scores: dict[int, int] = {}
        for kind, pk, worth in points:
            for index in self.by_subject.get((kind, pk), ()):
                if index < end and index != own:
                    scores[index] = scores.get(index, 0) + worth
        # Newest first among equal scores: the window is newest first, so a lower index wins.
        ranked = sorted(scores, key=lambda index: (-scores[index], index))
        return [(self.stories[index], scores[index]) for index in ranked[:limit]]

    def newest_in_section(self, article, limit, *, leave_out=()) -> list[RelatedCandidate]:
        """The ``limit`` newest stories of the article's section in the window, other than
        the article and the ids in ``leave_out`` (the related stories already listed)."""
        skip = {article.pk, *leave_out}
        indexes = self.by_subject.get(("section", article.category_id), ())
        stories = (self.stories[index] for index in indexes)
        return [story for story in stories if story.id not in skip][:limit]
