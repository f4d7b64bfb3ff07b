"""Pagination whose cost does not grow with the archive."""

from django.conf import settings
from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """At most ``MAX_LIST_PAGES`` pages: counting and skipping stop there, so page 2,000 of a
    100,000-story list costs nothing. Older stories are reached through the archive."""

    @cached_property
    def count(self):
        """How many items, counted no further than the last page offered."""
        return self.object_list[: self.limit].count()

    @property
    def limit(self):
        return settings.MAX_LIST_PAGES * self.per_page

    @property
    def is_capped(self):
        """True when the list goes on past the last page offered."""
        return self.count >= self.limit
