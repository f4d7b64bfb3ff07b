"""Pagination whose cost does not grow with the archive."""

from django.conf import settings
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Count, Window
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """Newer and older pages of a list, at most ``MAX_LIST_PAGES`` of them, never counted.

    A page reads one story more than it shows, to learn whether an older page follows: one
    bounded query whatever the archive holds. (Counting, even capped, read up to 2,000 index
    entries on every list page.) Past the last page offered, older stories are in the archive.
    """

    @property
    def max_pages(self) -> int:
        return settings.MAX_LIST_PAGES

    def validate_number(self, number):
        """A whole number from 1 to the last page offered; whether that page has stories is
        only known once it is read (``page()``)."""
        number = page_number(number, self.error_messages)
        if number > self.max_pages:
            raise EmptyPage(self.error_messages["no_results"])
        return number

    def page(self, number):
        """Page ``number``: its stories and whether older ones follow, in one query."""
        number = self.validate_number(number)
        first = (number - 1) * self.per_page
        stories = list(self.object_list[first : first + self.per_page + 1])
        if not stories and (number > 1 or not self.allow_empty_first_page):
            raise EmptyPage(self.error_messages["no_results"])
        return ListPage(
            stories[: self.per_page], number, self, older_follow=len(stories) > self.per_page
        )

    @cached_property
    def count(self):
        """How many items, counted no further than the last page offered. Pages never ask;
        only ``?page=last`` (Django's list views accept it) does."""
        return self.object_list[: self.max_pages * self.per_page].count()


class ListPage(Page):
    """One page of a ``CappedPaginator``, which knows whether older stories follow it."""

    def __init__(self, object_list, number, paginator, *, older_follow: bool):
        super().__init__(object_list, number, paginator)
        self.older_follow = older_follow

    def has_next(self) -> bool:
        return self.older_follow and self.number < self.paginator.max_pages

    @property
    def leads_to_archive(self) -> bool:
        """The last page offered, with older stories past it: they are in the archive."""
        return self.older_follow and self.number >= self.paginator.max_pages

    def start_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + 1 if self.object_list else 0

    def end_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + len(self.object_list)

    def list_has_fewer_than(self, count: int) -> bool:
        """Whether the whole list holds fewer than ``count`` items: told by this page when it
        can be (a page that ends the list knows them all), else counted no further than that."""
        seen = self.end_index() + self.older_follow
        if not self.older_follow or seen >= count:
            return seen < count
        return self.paginator.object_list[:count].count() < count


class CountedInPagePaginator(Paginator):
    """Pages of a bounded list (search results) that say how many items it holds, counted by
    the query that reads the page (``COUNT(*) OVER ()``) instead of a query of its own.

    A search's count ran its full-text match a second time: 5 ms of a search page's 18 ms in
    PostgreSQL at 100,000 stories. Only a page past the end is counted apart, to find the last.
    """

    def validate_number(self, number):
        """A whole number from 1; whether its page has items is known once it is read."""
        return page_number(number, self.error_messages)

    def page(self, number):
        number = self.validate_number(number)
        first = (number - 1) * self.per_page
        items = list(
            self.object_list.annotate(list_total=Window(Count("pk")))[first : first + self.per_page]
        )
        if items:
            self.__dict__["count"] = items[0].list_total  # what ``count`` would have counted
        elif number == 1 and self.allow_empty_first_page:
            self.__dict__["count"] = 0
        else:
            raise EmptyPage(self.error_messages["no_results"])
        return self._get_page(items, number, self)

    def get_page(self, number):
        """Like ``Paginator.get_page``: a page past the end gives the last one."""
        try:
            return super().get_page(number)
        except EmptyPage:
            return self.page(self.num_pages)


def page_number(number, error_messages) -> int:
    """``number`` as a whole page number from 1, or ``PageNotAnInteger``/``EmptyPage``, without
    counting the list."""
    try:
        if isinstance(number, float) and not number.is_integer():
            raise ValueError
        number = int(number)
    except (TypeError, ValueError):
        raise PageNotAnInteger(error_messages["invalid_page"]) from None
    if number < 1:
        raise EmptyPage(error_messages["min_page"])
    return number
