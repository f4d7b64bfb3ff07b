"""Story-list filters whose counts stay cheap at 100,000 stories."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from ..querysets import link_table


class SubjectLinksFilter(admin.RelatedFieldListFilter):
    """Django's filter by author or tag, counting each choice's stories from the link table.

    With counts shown ("Mostrar recuentos"), Django asks for one ``COUNT(…) FILTER (WHERE
    tag = …)`` per choice over the stories joined to their links: 300 tags made PostgreSQL
    test 300 conditions on each of 300,000 joined rows, 1.5 s at 100,000 stories. Grouping the
    links of the listed stories by subject gives the same counts in one pass.
    """

    def get_facet_queryset(self, changelist):
        stories = changelist.get_queryset(
            self.request, exclude_parameters=self.expected_parameters()
        )
        link_model, subject_field, story_column = link_table(self.field.related_model)
        # A story is linked to a subject at most once, so links counted are stories counted.
        per_subject = dict(
            link_model.objects.filter(**{f"{story_column}__in": stories.order_by().values("pk")})
            .values_list(subject_field)
            .annotate(stories=Count("pk"))
            .order_by()
        )
        counts = {f"{pk}__c": per_subject.get(pk, 0) for pk, _name in self.lookup_choices}
        if self.include_empty_choice:
            counts["__c"] = stories.filter(**{self.lookup_kwarg_isnull: True}).count()
        return counts


class TodosFilter(admin.SimpleListFilter):
    """Stories that still lack something readers should get (``story_checks``), or not."""

    title = _("to-dos")
    parameter_name = "todos"

    def lookups(self, request, model_admin):
        return [("yes", _("With to-dos")), ("no", _("Without to-dos"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(todos=[])
        if self.value() == "no":
            return queryset.filter(todos=[])
        return queryset
