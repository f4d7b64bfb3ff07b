"""The editors' story list: date links whose cost does not grow with the archive."""

from django import template
from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.db.models import Max, Min
from django.utils import timezone

register = template.Library()


@register.inclusion_tag("admin/date_hierarchy.html")
def story_date_hierarchy(cl):
    """Django's date links above the story list, with the years taken from the first and last
    date in the list (two lookups in ``article_newest_idx``) rather than from every story's
    date (a scan of the archive: 81 ms at 100,000 stories). A year in between without stories
    is listed and shows an empty list, as in the public archive.

    Once a year is chosen, its months and days come from Django, from that year's stories."""
    field = cl.date_hierarchy
    if any(f"{field}__{part}" in cl.params for part in ("year", "month", "day")):
        return date_hierarchy(cl)
    bounds = cl.queryset.aggregate(first=Min(field), last=Max(field))
    if bounds["first"] is None or _year(bounds["first"]) == _year(bounds["last"]):
        # Nothing dated, or one year only: Django lists that year's months.
        return date_hierarchy(cl)
    years = range(_year(bounds["first"]), _year(bounds["last"]) + 1)
    return {
        "show": True,
        "back": None,
        "choices": [
            {
                "link": cl.get_query_string({f"{field}__year": str(year)}, [f"{field}__"]),
                "title": str(year),
            }
            for year in years
        ],
    }


def _year(moment) -> int:
    # The list's links filter by the year in the site's time zone, as Django's own do.
    return timezone.localtime(moment).year
