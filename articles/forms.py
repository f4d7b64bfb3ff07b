"""Forms for the public site."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Author, Category


class SearchFiltersForm(forms.Form):
    """The search page's filters; a value that does not validate is ignored, not fatal."""

    seccion = forms.SlugField(label=_("Section"), required=False)
    autor = forms.SlugField(label=_("Author"), required=False)
    desde = forms.DateField(label=_("From"), required=False, input_formats=["%Y-%m-%d"])
    hasta = forms.DateField(label=_("To"), required=False, input_formats=["%Y-%m-%d"])

    def clean_seccion(self):
        return self._find(Category, self.cleaned_data["seccion"], _("There is no such section."))

    def clean_autor(self):
        return self._find(Author, self.cleaned_data["autor"], _("There is no such author."))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("desde"), cleaned.get("hasta")
        if start and end and start > end:
            self.add_error("hasta", _("The end date is before the start date."))
        return cleaned

    def filters(self) -> dict:
        """Keyword arguments for ``search.search_articles`` from the values that validated."""
        names = {"seccion": "section", "autor": "author", "desde": "date_from", "hasta": "date_to"}
        return {
            argument: self.cleaned_data[field]
            for field, argument in names.items()
            if field not in self.errors and self.cleaned_data.get(field)
        }

    def ignored(self) -> list[str]:
        """One message per filter that was ignored, saying why."""
        return [
            _("The “%(filter)s” filter was ignored: %(reason)s")
            % {"filter": self.fields[field].label, "reason": " ".join(errors)}
            for field, errors in self.errors.items()
        ]

    @staticmethod
    def _find(model, slug, message):
        if not slug:
            return None
        found = model.objects.filter(slug=slug).first()
        if found is None:
            raise forms.ValidationError(message)
        return found
